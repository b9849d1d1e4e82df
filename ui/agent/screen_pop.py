"""Screen pop: a call that has become the agent's opens in the window by itself.

When the phone system reports that the agent answered a call (or that a
call they dialled is on its way), the window opens the call's contact as a
click in the inbox would: its thread, its customer record and history. The
contact is selected in the inbox as soon as it is listed there (an answered
call may join "My contacts" a moment after the pop). The agent's state
(On contact, then Wrap-up) arrives through the change feed on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from console.domain.calls import CallDirection, LiveCall

if TYPE_CHECKING:
    from ui.agent.main_window import MainWindow


class ScreenPop(QObject):
    """Wires the window's calls: ringing in the inbox, the pop, and the header's Call button.

    Args:
        window: the console window.
    """

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        self._popping: int | None = None  # a popped call's contact, to select once listed
        self._announce: LiveCall | None = None  # its banner, said once the row is listed
        calls, model, header = window.calls, window.inbox.model, window.conversation.header
        window.feed.entities_changed.connect(calls.entities_changed)
        calls.changed.connect(lambda now: model.set_calls({i: c.state for i, c in now.items()}))
        calls.popped.connect(self.pop)
        model.rowsInserted.connect(self._select)
        header.call_requested.connect(window.dialer.dial)
        window.dialer.busy_changed.connect(header.set_dialling)

    def pop(self, call: LiveCall) -> None:
        """Opens the call's contact (and says so in the banner)."""
        window = self._window
        self._popping, self._announce = call.contact_id, call
        window.open_contact(call.contact_id)
        self._select()
        # The banner takes its room once the layout runs: the selected row, scrolled
        # into view just now, would then slip under the bottom edge.
        QTimer.singleShot(0, self._keep_in_view)
        if window.isMinimized():
            window.showNormal()
        window.raise_()

    def _keep_in_view(self) -> None:
        table = self._window.inbox.table
        if table.currentIndex().isValid():
            table.scrollTo(table.currentIndex())

    def _select(self, *_args: object) -> None:
        contact_id = self._popping
        if contact_id is None:
            return
        if self._window.conversation.contact_id != contact_id:
            self._popping = None  # the agent has moved on: their choice stands
            self._say()
        elif self._window.inbox.select_contact(contact_id):
            self._popping = None
            self._say()

    def _say(self) -> None:
        """The banner, once the call's row is in the inbox (it names the caller then)."""
        call, self._announce = self._announce, None
        if call is None:
            return
        model = self._window.inbox.model
        index = model.row_of(call.contact_id)
        row = model.contact_at(index) if index is not None else None
        caller = f" with {row.customer_name}" if row is not None and row.customer_id else ""
        what = "Calling out" if call.direction is CallDirection.OUT else f"On a call{caller}"
        self._window.banner.info(f"{what}: contact {call.contact_id} is open.")


def attach(window: MainWindow) -> ScreenPop:
    return ScreenPop(window)
