"""The window's side of the offline outbox: keep what cannot be sent, send it when the database is back.

A reply or note refused with ``Unavailable`` goes to the outbox file (a local
SQLite file next to the agent's settings, written on the GUI thread because
it is local and small) and shows in the thread as "waiting to be sent". When
a later database call succeeds, the outbox is replayed on the jobs helper's
write lane; each entry carries its idempotency key, so it lands once. An
entry the database refuses stays, with its text and the reason.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from console.domain import AgentState, MessageKind
from console.errors import SwitchboardError
from console.sync.outbox import Outbox, OutboxEntry, ReplayReport
from ui.shell.context import Workbench
from ui.shell.jobs import Connection, Job
from ui.shell.settings import UiSettings

log = logging.getLogger(__name__)

RETRY_FIRST_MS, RETRY_MAX_MS = 1000, 30_000


def outbox_path(settings: UiSettings, login: str) -> Path:
    """The agent's outbox file, next to their settings file."""
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in login)
    return settings.path.parent / f"outbox-{safe}.db"


class OfflineOutbox(QObject):
    """Keeps and replays one agent's offline writes.

    Args:
        bench: services, jobs, agent and clock.
        outbox: the agent's outbox file.
        parent: the owning QObject.

    Signals:
        changed(): entries were added, sent or refused.
        replayed(object): a ReplayReport after entries were sent.
    """

    changed = Signal()
    replayed = Signal(object)

    def __init__(self, bench: Workbench, outbox: Outbox, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bench, self.outbox = bench, outbox
        self._replay: Job | None = None
        self._entries = outbox.entries()
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(RETRY_FIRST_MS)
        self._retry.timeout.connect(self.replay)
        bench.jobs.connection_changed.connect(self._connection_changed)
        if self.waiting:  # left over from the last session (or a crash): send them soon
            self._retry.start()

    def entries_for(self, contact_id: int | None) -> list[OutboxEntry]:
        return [e for e in self._entries if e.contact_id == contact_id and contact_id is not None]

    @property
    def waiting(self) -> int:
        return sum(not e.failed for e in self._entries)

    def keep_message(self, contact_id: int, kind: MessageKind, text: str,
                     key: str | None) -> OutboxEntry:
        """Keeps a reply or note that could not be sent, under the failed attempt's key."""
        login = self._bench.agent.login
        add = self.outbox.add_reply if kind == MessageKind.OUTBOUND else self.outbox.add_note
        entry = add(login, contact_id, text, key=key)
        self._reload()
        return entry

    def keep_state(self, state: AgentState) -> OutboxEntry:
        """Keeps a state change made offline, with the time it was made."""
        entry = self.outbox.add_state(self._bench.agent.login, state)
        self._reload()
        return entry

    def keep_resolve(self, contact_id: int, disposition: str, note: str) -> OutboxEntry:
        """Keeps a resolution (disposition and note) made offline."""
        entry = self.outbox.add_resolve(self._bench.agent.login, contact_id, disposition, note)
        self._reload()
        return entry

    def discard(self, key: str) -> None:
        """The agent has dealt with a refused entry."""
        self.outbox.discard(key)
        self._reload()

    def replay(self) -> None:
        """Sends the waiting entries (off the GUI thread), unless a replay is on its way."""
        # A replay that met a bug never calls back (the bug goes to the crash
        # handler), so "on its way" is the job's own state, not a flag we reset.
        if (self._replay is not None and not self._replay.done) or not self.waiting:
            return
        self._replay = self._bench.jobs.write(self.outbox.replay, self._bench.door,
                                              on_success=self._replayed, on_failure=self._failed)

    def _connection_changed(self, state: str) -> None:
        if state == Connection.CONNECTED.value:
            self.replay()

    def _replayed(self, report: ReplayReport) -> None:
        self._reload()
        if report.applied or report.failed:
            self.replayed.emit(report)
        self._retry_later(report.remaining > 0)

    def _failed(self, exc: SwitchboardError) -> None:
        log.info("outbox replay: %s", exc.message)
        self._reload()
        self._retry_later(True)

    def _retry_later(self, still_offline: bool) -> None:
        """While entries wait, tries again with a growing pause (reset once all are home)."""
        if not still_offline:
            self._retry.setInterval(RETRY_FIRST_MS)
            return
        self._retry.start()
        self._retry.setInterval(min(self._retry.interval() * 2, RETRY_MAX_MS))

    def stop(self) -> None:
        self._retry.stop()

    def _reload(self) -> None:
        self._entries = self.outbox.entries()
        self.changed.emit()
