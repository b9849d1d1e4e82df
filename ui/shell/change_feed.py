"""Live updates: reads the shared change log off the GUI thread and says what changed.

On PostgreSQL a listener thread (LISTEN/NOTIFY, console.sync.wakeup) wakes
the feed the moment another workstation commits; the timer is only a safety
net. SQLite has no notifications, so the timer polls ``seq > last_seen``,
which is cheap. Each view decides what to refresh.

The window applies what its own writes return (console.domain.Written), so
the feed drops those entries when they come back, matching them by sequence
number: another workstation's change to the same contact has its own seq and
still arrives. A batch that comes while one of this window's writes is on its
way waits for that write's change set, so it is never reported twice.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain import Change, ChangeSet
from console.errors import SwitchboardError
from console.sync.follow import ChangeSource
from ui.shell.jobs import Jobs

log = logging.getLogger(__name__)

POLL_MS = 300  # SQLite: well inside the one-second target
PG_SAFETY_POLL_MS = 5000  # PostgreSQL: NOTIFY wakes the feed; this only catches a lost one
BATCH = 1000
LISTENER_JOIN_S = 3.0


class ChangeFeed(QObject):
    """Tells the window what changed: on other workstations, and here unless the window applied it.

    Args:
        jobs: runs the reads off the GUI thread.
        source: the shared change log (console.sync.follow.ChangeSource).
        interval_ms: how often to poll.
        parent: the owning QObject.

    Signals:
        contacts_changed(object): a set of contact ids.
        entities_changed(object): every change, as {entity: set of ids}.
    """

    contacts_changed = Signal(object)
    entities_changed = Signal(object)
    _woken = Signal()  # emitted by the listener thread, delivered on the GUI thread

    def __init__(self, jobs: Jobs, source: ChangeSource, interval_ms: int = POLL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._source = jobs, source
        self._last: int | None = None
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(max(interval_ms, PG_SAFETY_POLL_MS) if source.notifies
                                else interval_ms)
        self._timer.timeout.connect(self._tick)
        self._woken.connect(self._wake)
        self._stop_listening = threading.Event()
        self._listener: threading.Thread | None = None
        self._own_writes = 0  # this window's writes on their way
        self._applied: set[int] = set()  # seqs this window applied and has not yet seen come back
        self._held: list[Change] = []  # arrived while an own write was on its way

    @property
    def pushed(self) -> bool:
        """Whether the database wakes this feed (PostgreSQL) rather than the timer polling."""
        return self._listener is not None

    @property
    def last_seq(self) -> int | None:
        return self._last

    def start(self, then: Callable[[], None] | None = None) -> None:
        """Starts from the current end of the log.

        Args:
            then: called once the starting point is known (or could not be read):
                a window loads what it shows only after that, so a change that
                commits between the two is never lost — it is either in the
                load or after the starting point.
        """
        self._busy = True
        self._jobs.read(self._source.last_seq, on_success=lambda seq: self._started(seq, then),
                        on_failure=lambda exc: self._start_failed(exc, then))
        self._timer.start()
        if self._source.notifies and self._listener is None:
            self._stop_listening.clear()
            self._listener = threading.Thread(
                target=self._source.listen, args=(self._woken.emit, self._stop_listening),
                name="switchboard-listen", daemon=True)
            self._listener.start()

    def stop(self) -> None:
        self._timer.stop()
        self._stop_listening.set()
        if self._listener is not None:
            self._listener.join(LISTENER_JOIN_S)
            self._listener = None

    def _started(self, seq: int, then: Callable[[], None] | None = None) -> None:
        self._busy = False
        if self._last is None:
            self._last = seq
        if then is not None:
            then()

    def _start_failed(self, exc: SwitchboardError, then: Callable[[], None] | None) -> None:
        self._failed(exc)
        if then is not None:
            then()  # the window shows its own "cannot be reached"; the next tick starts the feed

    def _tick(self) -> None:
        """The timer: a read still on its way already answers this tick."""
        if not self._busy:
            self.poll()

    def _wake(self) -> None:
        """A notification: a change may have committed after the read on its way started."""
        if self._busy:
            self._again = True
        else:
            self.poll()

    def poll(self) -> None:
        """Asks for new changes unless a poll is still on its way."""
        if self._busy:
            return
        self._again = False
        if self._last is None:
            self.start()
            return
        self._busy = True
        self._jobs.read(self._source.since, self._last, BATCH, on_success=self._arrived,
                        on_failure=self._failed)

    def _arrived(self, batch: list[Change]) -> None:
        self._busy = False
        if not batch:
            if self._again:
                self.poll()
            return
        self._last = max(self._last or 0, batch[-1].seq)
        self._held.extend(batch)
        if not self._own_writes:
            self._report()
        if len(batch) >= BATCH or self._again:
            self.poll()

    def expect_own_write(self) -> None:
        """A write is going out whose changes the window will apply itself."""
        self._own_writes += 1

    def own_write_done(self, applied: ChangeSet | None) -> None:
        """That write's outcome: its change set (applied by the window), or None if it failed."""
        self._own_writes = max(0, self._own_writes - 1)
        if applied is not None:
            self._applied.update(applied.seqs)
        if not self._own_writes and self._held:
            self._report()

    def _report(self) -> None:
        """Says what changed, leaving out what this window applied itself."""
        batch = [c for c in self._held if c.seq not in self._applied]
        self._held = []
        # Everything up to _last has been seen now: older applied seqs cannot come back.
        self._applied = {s for s in self._applied if s > (self._last or 0)}
        if not batch:
            return
        grouped: dict[str, set[str]] = defaultdict(set)
        for change in batch:
            grouped[change.entity].add(change.entity_id)
        contacts = {int(i) for i in grouped.get("contact", ()) if i.isdigit()}
        if contacts:
            self.contacts_changed.emit(contacts)
        self.entities_changed.emit(dict(grouped))

    def _failed(self, exc: SwitchboardError) -> None:
        """The status bar shows the connection state; the next tick tries again."""
        self._busy = False
        log.info("change feed: %s", exc.message)
