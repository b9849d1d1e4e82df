"""The reply composer: where the agent types, with Send reply and Add note.

It never clears itself: the window clears it only after the service has
accepted the message, so a failed send leaves every typed character in place.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget


class Composer(QWidget):
    """A text box with the reply and note buttons.

    Args:
        reply_action: the window's "Send reply" action (its shortcut shows on the button).
        note_action: the window's "Add note" action.
        parent: the owning widget.

    Signals:
        text_edited(str): the text changed (by the agent, or a draft put back).
        typed(): the agent changed the text (typing, pasting, inserting a script).
    """

    text_edited = Signal(str)
    typed = Signal()

    def __init__(self, reply_action: QAction, note_action: QAction,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("composer")
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("composerEditor")
        self.editor.setPlaceholderText("Type a reply to the customer, or an internal note…")
        self.editor.setTabChangesFocus(True)
        self._restoring = False
        self.editor.textChanged.connect(self._changed)
        self.hint = QLabel(self)
        self.hint.setObjectName("composerHint")
        self.reply_button = _button(reply_action, "primary", self)
        self.note_button = _button(note_action, "secondary", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.hint, 1)
        buttons.addWidget(self.note_button)
        buttons.addWidget(self.reply_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(12, 8, 12, 10)
        box.setSpacing(6)
        box.addWidget(self.editor, 1)
        box.addLayout(buttons)

    def text(self) -> str:
        return self.editor.toPlainText()

    def _changed(self) -> None:
        self.text_edited.emit(self.text())
        if not self._restoring:
            self.typed.emit()

    def set_text(self, text: str) -> None:
        """Replaces the text without moving focus; the cursor goes to the end."""
        if text == self.text():
            return
        self._restoring = True
        try:
            self.editor.setPlainText(text)
        finally:
            self._restoring = False
        self.editor.moveCursor(QTextCursor.MoveOperation.End)

    def insert(self, text: str) -> None:
        """Inserts ``text`` at the cursor (a script, a KB snippet) and focuses the editor."""
        cursor = self.editor.textCursor()
        before = self.text()[:cursor.position()]
        if before and not before.endswith((" ", "\n")):
            text = " " + text
        cursor.insertText(text)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_sent(self) -> None:
        """Empties the editor after the service accepted the message."""
        self._restoring = True
        try:
            self.editor.clear()
        finally:
            self._restoring = False

    def set_busy(self, busy: bool) -> None:
        """While a send is on its way the buttons wait; the text stays editable."""
        self.reply_button.setEnabled(not busy)
        self.note_button.setEnabled(not busy)
        self.hint.setText("Sending…" if busy else "")


def _button(action: QAction, role: str, parent: QWidget) -> QPushButton:
    button = QPushButton(action.text().replace("&", ""), parent)
    button.setObjectName(f"{role}Button")
    button.setToolTip(action.toolTip())  # ui.agent.actions puts the shortcut in it
    button.clicked.connect(action.trigger)
    return button
