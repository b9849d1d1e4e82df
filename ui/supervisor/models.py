"""Table models of the wallboard: one row per queue, one row per agent.

Rows arrive whole from ``MonitorService.snapshot()``. When the same ids come
back in the same order only the cells change (``dataChanged``), so selection
and scroll position survive a live update; otherwise the model resets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from console.domain.sla import AgentStats, QueueStats
from ui.shell import palette

Index = QModelIndex | QPersistentModelIndex
T = TypeVar("T")
SortRole = Qt.ItemDataRole.UserRole + 1  # the raw value, for sorting
IdRole = Qt.ItemDataRole.UserRole + 2  # queue name or agent login
ALIGN_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def duration(seconds: float | None) -> str:
    """"1:05:09" / "5:09" style, or "-" for no value."""
    if seconds is None:
        return "-"
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


@dataclass(frozen=True)
class Column(Generic[T]):
    """A column: its header, the raw value of a row, and how the value reads."""

    header: str
    value: Callable[[T], Any]
    text: Callable[[Any], str] = str
    numeric: bool = True
    live: bool = False  # a running duration: grows with the time since the snapshot


class SnapshotTableModel(QAbstractTableModel, Generic[T]):
    """Rows of one snapshot type under fixed columns.

    Args:
        columns: the columns, in order.
        key: a row's identity (to tell a refresh from a different list).
        parent: the owning QObject.
    """

    def __init__(self, columns: Sequence[Column[T]], key: Callable[[T], Any],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._key = key
        self._rows: list[T] = []
        self._elapsed = 0

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(self._columns)):
            return self._columns[section].header
        return super().headerData(section, orientation, role)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(self._columns):
            return None
        row, column = self._rows[index.row()], self._columns[index.column()]
        value = column.value(row)
        if column.live and value is not None:
            value += self._elapsed
        if role == Qt.ItemDataRole.DisplayRole:
            return column.text(value)
        roles: dict[int, Callable[[], Any]] = {
            SortRole: lambda: -1 if value is None else value,
            IdRole: lambda: self._key(row),
            Qt.ItemDataRole.TextAlignmentRole: lambda: ALIGN_RIGHT if column.numeric else None,
            Qt.ItemDataRole.ForegroundRole: lambda: self.foreground(row, column),
        }
        answer = roles.get(role)
        return answer() if answer else None

    def foreground(self, row: T, column: Column[T]) -> QColor | None:
        """The text colour of a cell (None for the default)."""
        return None

    def set_rows(self, rows: Sequence[T]) -> None:
        """Shows a new snapshot, keeping selection when the rows are the same ones."""
        rows = list(rows)
        self._elapsed = 0
        if [self._key(r) for r in rows] == [self._key(r) for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0),
                                      self.index(len(rows) - 1, len(self._columns) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def tick(self, elapsed_s: int) -> None:
        """Moves running durations on to ``elapsed_s`` after the snapshot; repaints only them."""
        if elapsed_s == self._elapsed or not self._rows:
            return
        self._elapsed = elapsed_s
        for i, column in enumerate(self._columns):
            if column.live:
                self.dataChanged.emit(self.index(0, i), self.index(len(self._rows) - 1, i),
                                      [Qt.ItemDataRole.DisplayRole, SortRole])

    def row(self, n: int) -> T | None:
        return self._rows[n] if 0 <= n < len(self._rows) else None

    def table(self) -> tuple[list[str], list[list[str]]]:
        """Headers and displayed text of every row (for CSV export)."""
        return ([c.header for c in self._columns],
                [[str(self.index(i, j).data()) for j in range(len(self._columns))]
                 for i in range(len(self._rows))])


QUEUE_COLUMNS: list[Column[QueueStats]] = [
    Column("Queue", lambda q: q.queue, numeric=False),
    Column("Priority", lambda q: q.priority),
    Column("Waiting", lambda q: q.waiting),
    Column("Longest wait", lambda q: q.longest_wait_s if q.waiting else None, duration, live=True),
    Column("SL today", lambda q: q.service_level_today, percent),
    Column("SL 30 min", lambda q: q.service_level_30m, percent),
    Column("AHT", lambda q: q.aht_s, duration),
    Column("Abandoned", lambda q: q.abandonment_rate, percent),
    Column("Breaches", lambda q: q.breaches),
    Column("Available", lambda q: q.agents_available),
    Column("Needed (Erlang C)", lambda q: q.agents_needed, _count),
]

AGENT_COLUMNS: list[Column[AgentStats]] = [
    Column("Agent", lambda a: a.name, numeric=False),
    Column("State", lambda a: a.state.value.replace("_", " ").capitalize(), numeric=False),
    Column("In state", lambda a: a.time_in_state_s if a.since else None, duration, live=True),
    Column("Current contact", lambda a: a.current_subject or "", numeric=False),
    Column("Handled today", lambda a: a.handled_today),
    Column("AHT", lambda a: a.aht_s, duration),
]


class QueueStatsModel(SnapshotTableModel[QueueStats]):
    """Queues on the wallboard; breaches and short staffing show in the breach colour."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(QUEUE_COLUMNS, lambda q: q.queue, parent)

    def foreground(self, row: QueueStats, column: Column[QueueStats]) -> QColor | None:
        if column.header == "Breaches" and row.breaches:
            return QColor(palette.URGENT_FG)
        if column.header == "Available" and row.agents_needed is not None \
                and row.agents_available < row.agents_needed:
            return QColor(palette.WARNING_FG)
        return None


class AgentStatsModel(SnapshotTableModel[AgentStats]):
    """Agents on the wallboard."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(AGENT_COLUMNS, lambda a: a.login, parent)


def snapshot_table(model: SnapshotTableModel[Any], name: str, parent: QWidget,
                   stretch: int | None = None) -> QTableView:
    """A sortable, single-row-selection view of ``model`` whose headers are never cut.

    Figures take what their header and values need; the ``stretch`` column (default:
    the last) takes the spare width.
    """
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(SortRole)
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    if stretch is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    return view
