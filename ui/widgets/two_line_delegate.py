"""Paints list items as a card: icon, bold title with small right-aligned meta, rich-text body.

Used by the History, Scripts and Knowledge-base lists, which all show "a title
and some text" and would otherwise each invent their own look.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ui.shell import palette
from ui.shell.roles import BodyRole, MetaRole, ToneRole

Index = QModelIndex | QPersistentModelIndex
PAD = 8
ICON = 18
GAP = 3
_TONES = {"warning": (palette.WARNING_BG, palette.WARNING_FG), "note": (palette.NOTE_BG, None)}


class TwoLineDelegate(QStyledItemDelegate):
    """Draws an item as title + meta on the first line and a wrapped body below.

    Args:
        max_body_lines: how many body lines to show at most (0: all of it).
        parent: the owning widget.
    """

    def __init__(self, max_body_lines: int = 3, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._max_lines = max_body_lines

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        tone_bg, tone_fg = _TONES.get(index.data(ToneRole) or "", (None, None))
        painter.save()
        if tone_bg and not selected:
            painter.fillRect(opt.rect, QColor(tone_bg))
        opt.text, opt.icon = "", QIcon()
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        text_colour = opt.palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        if tone_fg and not selected:
            text_colour = QColor(tone_fg)
        left = self._paint_icon(painter, opt.rect, index)
        top = self._paint_title(painter, opt, index, left, text_colour, selected)
        self._paint_body(painter, opt, index, QRect(left, top, opt.rect.right() - PAD - left,
                                                    opt.rect.bottom() - top), text_colour)
        painter.setPen(QColor(palette.BORDER))
        painter.drawLine(opt.rect.bottomLeft(), opt.rect.bottomRight())
        painter.restore()

    def _paint_icon(self, painter: QPainter, rect: QRect, index: Index) -> int:
        icon = index.data(Qt.ItemDataRole.DecorationRole)
        if icon is None:
            return rect.left() + PAD
        icon.paint(painter, QRect(rect.left() + PAD, rect.top() + PAD, ICON, ICON))
        return rect.left() + PAD + ICON + PAD

    def _paint_title(self, painter: QPainter, opt: QStyleOptionViewItem, index: Index, left: int,
                     colour: QColor, selected: bool) -> int:
        title_font, meta_font = _fonts(opt.font)
        line = QFontMetrics(title_font).height()
        top = opt.rect.top() + PAD
        meta = index.data(MetaRole) or ""
        meta_width = QFontMetrics(meta_font).horizontalAdvance(meta) if meta else 0
        right = opt.rect.right() - PAD
        if meta:
            painter.setFont(meta_font)
            painter.setPen(colour if selected else QColor(palette.MUTED))
            painter.drawText(QRect(right - meta_width, top, meta_width, line),
                             int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), meta)
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = max(0, right - left - meta_width - (PAD if meta else 0))
        painter.setFont(title_font)
        painter.setPen(colour)
        elided = QFontMetrics(title_font).elidedText(title, Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(left, top, width, line),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), elided)
        return top + line + GAP

    def _paint_body(self, painter: QPainter, opt: QStyleOptionViewItem, index: Index,
                    rect: QRect, colour: QColor) -> None:
        body = index.data(BodyRole)
        if not body or rect.width() <= 0:
            return
        doc = _document(body, opt.font, rect.width())
        painter.translate(rect.topLeft())
        clip = QRect(0, 0, rect.width(), min(rect.height(), self._body_height(doc)))
        painter.setClipRect(clip)
        ctx = QAbstractTextDocumentLayout.PaintContext()
        ctx.palette.setColor(QPalette.ColorRole.Text, colour)
        ctx.clip = clip.toRectF()
        doc.documentLayout().draw(painter, ctx)

    def _body_height(self, doc: QTextDocument) -> int:
        """The height of the body's first ``max_body_lines`` laid-out lines (or all)."""
        full = int(doc.size().height() + 0.5)
        if not self._max_lines:
            return full
        seen = 0
        block = doc.begin()
        while block.isValid():
            lines = block.layout()
            top = doc.documentLayout().blockBoundingRect(block).top()
            for i in range(lines.lineCount()):
                seen += 1
                if seen == self._max_lines:
                    return min(full, int(top + lines.lineAt(i).rect().bottom() + 0.5))
            block = block.next()
        return full

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        title_font, _ = _fonts(opt.font)
        width = _available_width(opt)
        height = PAD + QFontMetrics(title_font).height() + GAP + PAD
        body = index.data(BodyRole)
        if body:
            left = PAD + (ICON + PAD if index.data(Qt.ItemDataRole.DecorationRole) else 0)
            doc = _document(body, opt.font, max(50, width - left - PAD))
            height += self._body_height(doc)
        return QSize(width, height)


def card_list(view: QListView, max_body_lines: int) -> None:
    """Sets up a list to show cards: this delegate, variable heights, no sideways scrolling."""
    view.setItemDelegate(TwoLineDelegate(max_body_lines, view))
    view.setUniformItemSizes(False)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)


def _available_width(opt: QStyleOptionViewItem) -> int:
    """The width an item gets, assuming a vertical scroll bar.

    Measuring as if the bar were there means a card is never taller than its
    text needs by less than it wraps; without this the bar appearing would
    rewrap the text into more lines than the height was computed for.
    """
    view = opt.widget
    if view is None:
        return max(120, opt.rect.width())
    style = view.style()
    bar = style.pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, view)
    frame = 2 * view.frameWidth() if hasattr(view, "frameWidth") else 0
    return max(120, view.width() - frame - bar - 1)


def _fonts(base: QFont) -> tuple[QFont, QFont]:
    title = QFont(base)
    title.setBold(True)
    meta = QFont(base)
    meta.setPointSizeF(max(7.0, base.pointSizeF() * 0.9))
    return title, meta


def _document(body: str, font: QFont, width: int) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setHtml(body)
    doc.setTextWidth(width)
    return doc
