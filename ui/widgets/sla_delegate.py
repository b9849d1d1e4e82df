"""Paints SLA countdowns that need attention as a coloured pill (colour and text both say it).

A breached target reads "-03:10" in white on red, a warning "01:59" in dark
amber on pale amber; anything else is drawn as plain text.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.shell import palette
from ui.shell.roles import SlaStateRole

Index = QModelIndex | QPersistentModelIndex
_PILLS = {"breached": (palette.BREACH_BG, palette.BREACH_FG),
          "warning": (palette.WARNING_BG, palette.WARNING_FG)}
PAD_X = 6
MARGIN = 4


class SlaDelegate(QStyledItemDelegate):
    """Draws warning and breached SLA cells as pills, others as usual."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        colours = _PILLS.get(str(index.data(SlaStateRole)))
        if colours is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        background, foreground = colours
        font = opt.font
        font.setBold(True)
        width = QFontMetrics(font).horizontalAdvance(text) + 2 * PAD_X
        rect = QRectF(opt.rect).adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN)
        pill = QRectF(rect.right() - min(width, rect.width()), rect.top(),
                      min(width, rect.width()), rect.height())
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(background))
        painter.drawRoundedRect(pill, 4, 4)
        painter.setPen(QColor(foreground))
        painter.setFont(font)
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.restore()
