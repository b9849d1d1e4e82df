"""Small list models for results that arrive whole: rendered scripts and KB search hits."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from console.domain import ArticleHit, RenderedTemplate
from ui.shell import palette
from ui.shell.roles import BodyRole, MetaRole, ObjectRole, ToneRole

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")
_MARKS = re.compile(r"(</?mark>)", re.IGNORECASE)
_MARK_STYLE = f"background-color:{palette.MARK_BG}; font-weight:600;"


class ObjectListModel(QAbstractListModel, Generic[T]):
    """A list of service objects, replaced as a whole; subclasses say how items read.

    Args:
        parent: the owning QObject.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[T] = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        return item if role == ObjectRole else self.item_data(item, role)

    def item_data(self, item: T, role: int) -> Any:
        """The value of ``item`` for ``role`` (None for roles it does not answer)."""
        raise NotImplementedError

    def set_items(self, items: Sequence[T]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> T | None:
        return self._items[row] if 0 <= row < len(self._items) else None


class ScriptsModel(ObjectListModel[RenderedTemplate]):
    """Greeting scripts filled in for the selected contact; broken ones show their error."""

    def item_data(self, item: RenderedTemplate, role: int) -> Any:
        values = {
            Qt.ItemDataRole.DisplayRole: item.template.name,
            MetaRole: item.template.category.capitalize(),
            ToneRole: "warning" if item.error else None,
            Qt.ItemDataRole.ToolTipRole: item.error or item.text,
        }
        if role == BodyRole:
            return _script_body(item)
        return values.get(role)


def _script_body(item: RenderedTemplate) -> str:
    if item.error:
        return "⚠ Cannot fill in this script: " + html.escape(item.error)
    return html.escape(item.text or "").replace("\n", "<br>")


class KbResultsModel(ObjectListModel[ArticleHit]):
    """Knowledge-base search hits; matches in the snippet are highlighted."""

    def item_data(self, item: ArticleHit, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return item.title
        if role == MetaRole:
            return " · ".join(p for p in (item.category, item.language.upper()) if p)
        if role == BodyRole:
            return highlight(item.snippet)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"KB#{item.id}: {item.title}"
        return None


def highlight(snippet: str) -> str:
    """Turns a snippet with ``<mark>`` around matches into Qt rich text.

    Everything between the marks is escaped again after unescaping, so the
    result is safe whether or not the service escaped the text.
    """
    parts = _MARKS.split(snippet)
    out: list[str] = []
    marked = False
    for part in parts:
        if part.lower() == "<mark>":
            marked = True
        elif part.lower() == "</mark>":
            marked = False
        elif part:
            text = html.escape(html.unescape(part))
            out.append(f'<span style="{_MARK_STYLE}">{text}</span>' if marked else text)
    return "".join(out)
