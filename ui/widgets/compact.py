"""Size policies that let panes shrink on small screens (1280 x 800 laptops in branches)."""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy, QWidget


def compact_combo(combo: QComboBox, characters: int = 8) -> QComboBox:
    """A combo whose minimum width is a few characters, not its longest item."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)
    return combo


def shrinking_label(label: QLabel) -> QLabel:
    """A label that takes its text's width when there is room and can shrink when there is not."""
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(1)  # an explicit minimum replaces the text-width minimum
    return label


class FittingLabel(QLabel):
    """Shows the longest of its texts that fits its width ("100+ contacts", else "100+").

    A squeezed label would otherwise cut off the part that matters (the number).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        shrinking_label(self)
        self._texts: tuple[str, ...] = ("",)

    def set_texts(self, *texts: str) -> None:
        """The texts to choose from, longest first."""
        self._texts = texts or ("",)
        self.setToolTip(texts[0] if texts else "")
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        room = self.contentsRect().width()
        metrics = self.fontMetrics()
        chosen = next((t for t in self._texts if metrics.horizontalAdvance(t) <= room),
                      self._texts[-1])
        if chosen != self.text():
            self.setText(chosen)
