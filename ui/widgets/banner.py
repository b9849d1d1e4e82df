"""A slim message strip at the top of the window for known problems and confirmations.

Never modal: the agent keeps typing while it shows. Problems stay until
dismissed or replaced (or a longer timeout); confirmations hide by themselves.
"""

from __future__ import annotations

import enum

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

INFO_MS = 4_000
PROBLEM_MS = 15_000


class Tone(enum.StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


_GLYPHS = {Tone.INFO: "✓", Tone.WARNING: "!", Tone.ERROR: "!"}


class Banner(QFrame):
    """A one-line message with a close button that hides itself after a while.

    Args:
        parent: the owning widget.

    Signals:
        shown(str): a message was shown (its text).
    """

    shown = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self._glyph = QLabel(self)
        self._glyph.setObjectName("bannerGlyph")
        self._glyph.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._text = QLabel(self)
        self._text.setObjectName("bannerText")
        self._text.setWordWrap(True)
        self._text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton(self)
        close.setObjectName("bannerClose")
        close.setText("✕")
        close.setToolTip("Dismiss (Esc)")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.setSpacing(8)
        layout.addWidget(self._glyph)
        layout.addWidget(self._text, 1)
        layout.addWidget(close)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self.hide()

    @property
    def text(self) -> str:
        return self._text.text()

    def show_message(self, text: str, tone: Tone = Tone.INFO) -> None:
        """Shows ``text`` (replacing any message) and starts the hide timer."""
        self.setProperty("tone", tone.value)
        self._glyph.setText(_GLYPHS[tone])
        self._text.setText(text)
        for widget in (self, self._glyph, self._text):
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        self.show()
        self._timer.start(INFO_MS if tone == Tone.INFO else PROBLEM_MS)
        self.shown.emit(text)

    def problem(self, text: str) -> None:
        self.show_message(text, Tone.ERROR)

    def info(self, text: str) -> None:
        self.show_message(text, Tone.INFO)

    def dismiss(self) -> None:
        self._timer.stop()
        self.hide()
