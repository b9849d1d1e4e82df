"""The status bar: who is signed in, their state and time in it, handle time, database state."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QStatusBar, QWidget

from console.domain import AgentInfo, AgentState
from console.domain.staff import StateNow
from ui.agent.agent_state import STATE_LABELS
from ui.shell import palette, timefmt
from ui.shell.jobs import Connection

CONNECTION_TEXT = {
    Connection.CONNECTED: ("Connected", palette.OK_FG),
    Connection.RECONNECTING: ("Reconnecting…", palette.WARNING_FG),
    Connection.OFFLINE: ("Offline", palette.URGENT_FG),
}


def dot(colour: str, size: int = 10) -> QIcon:
    """A filled circle, for state and connection indicators."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.drawEllipse(0, 0, size, size)
    painter.end()
    return QIcon(pixmap)


class AgentStatusBar(QStatusBar):
    """Agent, state (a combo with Ctrl+1..5 in its tooltip), timers and connection.

    Args:
        agent: the signed-in agent.
        parent: the owning widget.

    Signals:
        state_chosen(object): the agent picked an AgentState in the combo.
    """

    state_chosen = Signal(object)

    def __init__(self, agent: AgentInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusBar")
        self.setSizeGripEnabled(False)
        self.agent = QLabel(f"{agent.name} ({agent.login})", self)
        self.agent.setObjectName("statusAgent")
        self.state = QComboBox(self)
        self.state.setObjectName("stateCombo")
        self.state.setAccessibleName("Agent state")
        self.state.setToolTip("Your state (Ctrl+1 … Ctrl+5)")
        for number, state in enumerate(AgentState, start=1):
            self.state.addItem(dot(palette.STATE_COLOURS[state.value]),
                               f"{STATE_LABELS[state]}", state.value)
            self.state.setItemData(number - 1, f"Ctrl+{number}", Qt.ItemDataRole.ToolTipRole)
        self.state.activated.connect(
            lambda i: self.state_chosen.emit(AgentState(self.state.itemData(i))))
        self.in_state = _label("statusInState", self)
        self.handle = _label("statusHandle", self)
        self.connection = _label("statusConnection", self)
        for widget in (self.agent, self.state, self.in_state, self.handle):
            self.addWidget(widget)
        self.addPermanentWidget(self.connection)
        self._since: datetime | None = None
        self._handle_since: datetime | None = None
        self.show_state(StateNow(AgentState.OFFLINE, None))
        self.set_connection(Connection.CONNECTED.value)

    def show_state(self, now: StateNow) -> None:
        self._since = now.since
        self.state.setCurrentIndex(self.state.findData(now.state.value))

    def set_handle_start(self, since: datetime | None) -> None:
        """Starts (or with None, stops) the handle-time timer of the current contact."""
        self._handle_since = since

    def set_connection(self, state: str) -> None:
        text, colour = CONNECTION_TEXT[Connection(state)]
        self.connection.setText(f"<span style='color:{colour}'>●</span> Database: {text}")
        self.connection.setToolTip("Whether the last database call succeeded")

    def tick(self, now: datetime) -> None:
        """Updates the running timers from ``now``."""
        self.in_state.setText(
            f"for {timefmt.duration((now - self._since).total_seconds())}" if self._since else "")
        if self._handle_since is None:
            self.handle.setText("No contact in hand")
        else:
            seconds = (now - self._handle_since).total_seconds()
            self.handle.setText(f"Handle time {timefmt.duration(seconds)}")


def _label(name: str, parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    return label
