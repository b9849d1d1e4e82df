"""Size policies that let panes shrink on small screens (1280 x 800 laptops in branches)."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLabel, QSizePolicy


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
