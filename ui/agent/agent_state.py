"""The signed-in agent's state (Available, On contact, Wrap-up, Break, Offline) and since when."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from console.domain import AgentState, Written
from console.domain.staff import StateNow
from console.errors import SwitchboardError, Unavailable
from ui.shell.context import Workbench

if TYPE_CHECKING:
    from ui.agent.offline import OfflineOutbox
    from ui.shell.change_feed import ChangeFeed

STATE_LABELS = {
    AgentState.AVAILABLE: "Available",
    AgentState.ON_CONTACT: "On contact",
    AgentState.WRAP_UP: "Wrap-up",
    AgentState.BREAK: "Break",
    AgentState.OFFLINE: "Offline",
}


class AgentStateTracker(QObject):
    """Reads and records the agent's state through the services.

    Args:
        bench: services, jobs, agent and clock.
        feed: the window's change feed, told about the changes recorded here (so it
            does not bring them back); None without one.
        parent: the owning QObject.

    Signals:
        changed(object): the new StateNow.
        error(object): a SwitchboardError while recording a change.
    """

    changed = Signal(object)
    error = Signal(object)

    def __init__(self, bench: Workbench, feed: ChangeFeed | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bench, self._feed = bench, feed
        self.current = StateNow(AgentState.OFFLINE, None)
        self._requests = 0  # a read that started before a request must not undo it
        self.outbox: OfflineOutbox | None = None  # set by the window

    @property
    def since(self) -> datetime | None:
        return self.current.since

    def load(self) -> None:
        requests = self._requests
        self._bench.jobs.read(self._bench.door.agents.state, self._bench.agent.login,
                              key=f"agent-state:{id(self)}",
                              on_success=lambda now: self._loaded(requests, now))

    def _loaded(self, requests: int, now: StateNow) -> None:
        if requests == self._requests:
            self._arrived(now)

    def request(self, state: AgentState) -> None:
        """Records ``state`` (shown at once; put back if the service refuses)."""
        if state == self.current.state:
            return
        previous = self.current
        self._requests += 1
        self._arrived(StateNow(state, self._bench.clock.now()))
        if self._feed is not None:
            self._feed.expect_own_write()
        self._bench.jobs.write(self._bench.door.agents.set_state, self._bench.agent.login,
                               state, on_success=self._recorded,
                               on_failure=lambda exc: self._refused(previous, state, exc))

    def _recorded(self, written: Written[StateNow]) -> None:
        if self._feed is not None:
            self._feed.own_write_done(written.changes)
        self._arrived(written.value)

    def follow_work(self, state: AgentState, *, only_from: Collection[AgentState]) -> None:
        """Moves to ``state`` when the agent is in one of ``only_from`` (claim, resolve)."""
        if self.current.state in only_from:
            self.request(state)

    def _arrived(self, now: StateNow) -> None:
        if now != self.current:
            self.current = now
            self.changed.emit(now)

    def _refused(self, previous: StateNow, state: AgentState, exc: SwitchboardError) -> None:
        if self._feed is not None:
            self._feed.own_write_done(None)
        if isinstance(exc, Unavailable) and self.outbox is not None:
            # Offline: the new state stands (timers keep running from it) and is
            # recorded, with the time it began, when the database is back.
            self.outbox.keep_state(state)
            return
        self._arrived(previous)
        self.error.emit(exc)

    def entities_changed(self, changed: dict[str, Collection[str]]) -> None:
        """Another workstation (a supervisor) may have changed this agent's state."""
        if str(self._bench.agent.id) in changed.get("agent", ()):
            self.load()
