"""Click-to-dial from the window: asks the phone system, off the GUI thread, to place a call.

The request goes on the jobs helper's read pool, not the write lane: it
writes nothing to the database, and a phone system that takes its time
must not hold up the agent's replies queued behind it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from console.domain.calls import Dialled
from console.errors import SwitchboardError
from ui.shell.context import Workbench
from ui.widgets.banner import Banner


class Dialer(QObject):
    """Places calls for the signed-in agent and says in the banner how it went.

    Args:
        bench: services, jobs, agent and clock.
        banner: where outcomes are shown.
        parent: the owning QObject.

    Signals:
        busy_changed(bool): a request to the phone system started (True) or ended.
    """

    busy_changed = Signal(bool)

    def __init__(self, bench: Workbench, banner: Banner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bench, self._banner = bench, banner
        self.busy = False

    def dial(self, number: str) -> None:
        """Asks the phone system to ring the agent's phone, then ``number`` (one at a time)."""
        if self.busy:
            return
        self._set_busy(True)
        self._banner.info("Placing the call: your phone rings first…")
        self._bench.jobs.read(self._bench.door.calls.dial, self._bench.agent.login, number,
                              on_success=self._dialled, on_failure=self._refused)

    def _dialled(self, dialled: Dialled) -> None:
        self._set_busy(False)
        self._banner.info(f"Calling {dialled.number_display}: pick up your phone "
                          f"(extension {dialled.extension}).")

    def _refused(self, exc: SwitchboardError) -> None:
        self._set_busy(False)
        self._banner.problem(f"The call was not placed. {exc.message}")

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)
