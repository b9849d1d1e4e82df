"""The header's line about who wrote on a LINE, SMS, Messenger or chat contact, with Link/Unlink.

The buttons sit beside the sender while both fit on one line; in a narrow
conversation pane they move under it, so the sender's name is never cut or
broken mid-name.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QToolButton, QWidget

from console.domain.messaging import SenderIdentity
from ui.widgets.compact import shrinking_label


class SenderLine(QWidget):
    """"Writes as LINE user 山田 花子  [Link to customer…] [Unlink…]"; hidden for other channels.

    Args:
        parent: the owning widget (the customer header).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("senderLine")
        self.label = shrinking_label(QLabel(self))
        self.label.setObjectName("contactSender")
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setWordWrap(True)  # only when even a line of its own is too narrow
        self._buttons = QWidget(self)
        self._row = QHBoxLayout(self._buttons)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(6)
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 2, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(4)
        self._grid.addWidget(self.label, 0, 0)
        self._beside = True
        self._grid.addWidget(self._buttons, 0, 1, Qt.AlignmentFlag.AlignRight)
        self._grid.setColumnStretch(0, 1)
        self.show_identity(None)

    def add_actions(self, *actions: QAction) -> None:
        """A button for each action ("Link to customer…", "Unlink…")."""
        for action in actions:
            button = QToolButton(self._buttons)
            button.setDefaultAction(action)
            button.setObjectName(f"{action.objectName()}Button")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self._row.addWidget(button)
        self._place()

    def show_identity(self, identity: SenderIdentity | None) -> None:
        """The contact's sender, or nothing (and hidden) for other channels."""
        self.setVisible(identity is not None)
        if identity is None:
            self.label.clear()
            self.label.setToolTip("")
            return
        self.label.setText(f"Writes as {identity.who}")
        self.label.setToolTip("" if identity.kind == "phone"
                              else f"{identity.kind} id {identity.value}")
        self._place()

    @property
    def buttons_beside(self) -> bool:
        """Whether the buttons share the sender's line (else they are under it)."""
        return self._beside

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        text = self.label.fontMetrics().horizontalAdvance(self.label.text())
        needed = text + self._grid.horizontalSpacing() + self._buttons.sizeHint().width() + 4
        beside = needed <= self.width()
        if beside == self._beside:
            return
        self._beside = beside
        self._grid.removeWidget(self._buttons)
        if beside:
            self._grid.addWidget(self._buttons, 0, 1, Qt.AlignmentFlag.AlignRight)
        else:
            self._grid.addWidget(self._buttons, 1, 0, 1, 2, Qt.AlignmentFlag.AlignLeft)
