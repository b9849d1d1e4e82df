"""Live updates: polls the shared change log off the GUI thread and says what changed.

SQLite has no notifications, and PostgreSQL's NOTIFY needs a dedicated
connection; polling ``seq > last_seen`` once a second is cheap on both and
meets the one-second target. Each view decides what to refresh.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain import Change
from console.errors import SwitchboardError
from console.store import changes
from console.store.db import Database
from ui.jobs import Jobs

log = logging.getLogger(__name__)

POLL_MS = 1000
BATCH = 1000


def read_since(db: Database, last_seq: int) -> list[Change]:
    """Worker thread: the changes after ``last_seq``."""
    with db.read() as session:
        return changes.since(session, last_seq, BATCH)


def read_last_seq(db: Database) -> int:
    """Worker thread: the newest change's sequence number."""
    with db.read() as session:
        return changes.last_seq(session)


class ChangeFeed(QObject):
    """Tells the window what other workstations (and this one) changed.

    Args:
        jobs: runs the reads off the GUI thread.
        db: the shared database.
        interval_ms: how often to poll.
        parent: the owning QObject.

    Signals:
        contacts_changed(object): a set of contact ids.
        entities_changed(object): every change, as {entity: set of ids}.
    """

    contacts_changed = Signal(object)
    entities_changed = Signal(object)

    def __init__(self, jobs: Jobs, db: Database, interval_ms: int = POLL_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._db = jobs, db
        self._last: int | None = None
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    @property
    def last_seq(self) -> int | None:
        return self._last

    def start(self) -> None:
        """Starts from the current end of the log (what is on screen is already fresh)."""
        self._busy = True
        self._jobs.read(read_last_seq, self._db, on_success=self._started,
                        on_failure=self._failed)
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _started(self, seq: int) -> None:
        self._busy = False
        if self._last is None:
            self._last = seq

    def poll(self) -> None:
        """Asks for new changes unless a poll is still on its way."""
        if self._busy:
            return
        if self._last is None:
            self.start()
            return
        self._busy = True
        self._jobs.read(read_since, self._db, self._last, on_success=self._arrived,
                        on_failure=self._failed)

    def _arrived(self, batch: list[Change]) -> None:
        self._busy = False
        if not batch:
            return
        self._last = max(self._last or 0, batch[-1].seq)
        grouped: dict[str, set[str]] = defaultdict(set)
        for change in batch:
            grouped[change.entity].add(change.entity_id)
        contacts = {int(i) for i in grouped.get("contact", ()) if i.isdigit()}
        if contacts:
            self.contacts_changed.emit(contacts)
        self.entities_changed.emit(dict(grouped))
        if len(batch) >= BATCH:
            self.poll()

    def _failed(self, exc: SwitchboardError) -> None:
        """The status bar shows the connection state; the next tick tries again."""
        self._busy = False
        log.info("change feed: %s", exc.message)
