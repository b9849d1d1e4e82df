"""The calls the agent window follows: ringing in the agent's queues, and the agent's own.

Another process (the gateway) applies the phone system's events; the window
learns of them through the change feed (entity ``call``) and reads
``calls.live`` again. A call that has newly become this agent's (they
answered it, or dialled it) is announced once, for the screen pop.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping

from PySide6.QtCore import QObject, Signal

from console.domain.calls import LiveCall
from console.errors import NotPermitted, SwitchboardError
from ui.shell.context import Workbench

log = logging.getLogger(__name__)


class CallTracker(QObject):
    """Reads the live calls when they change and says which to pop.

    Args:
        bench: services, jobs, agent and clock.
        parent: the owning QObject.

    Signals:
        changed(object): the calls now, as {contact id: LiveCall}.
        popped(object): a LiveCall that has newly become the agent's: open its contact.
    """

    changed = Signal(object)
    popped = Signal(object)

    def __init__(self, bench: Workbench, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bench = bench
        self.calls: dict[int, LiveCall] = {}
        self._popped: set[int] = set()  # call ids announced
        self._following = True

    def load(self) -> None:
        """Reads the calls now (at the start, and after each change to a call)."""
        if not self._following:
            return
        self._bench.jobs.read(self._bench.door.calls.live, self._bench.agent.login,
                              key=f"calls:{id(self)}", on_success=self._arrived,
                              on_failure=self._failed)

    def entities_changed(self, changed: Mapping[str, Collection[str]]) -> None:
        """The change feed's batch: a call changed somewhere."""
        if changed.get("call"):
            self.load()

    def _arrived(self, calls: list[LiveCall]) -> None:
        now = {c.contact_id: c for c in calls}
        if now != self.calls:
            self.calls = now
            self.changed.emit(dict(now))
        login = self._bench.agent.login
        for call in calls:
            if call.agent_login == login and call.id not in self._popped:
                self._popped.add(call.id)
                self.popped.emit(call)

    def _failed(self, exc: SwitchboardError) -> None:
        # Calls are shown on top of the inbox: the inbox and the connection banner already
        # tell of an outage. A role that may not follow calls stops asking.
        if isinstance(exc, NotPermitted):
            self._following = False
        log.info("calls: %s", exc.message)
