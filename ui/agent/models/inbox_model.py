"""The inbox as a Qt table: contacts loaded a page at a time, updated in place as they change.

Pages come from ``InboxService.list`` with keyset cursors, fetched through
``ui.shell.jobs`` so scrolling never waits for the database. Sorting re-queries the
service. Changed contacts are replaced in place (selection and scroll stay);
contacts that may newly belong make the model refetch the first page and
merge it. Only the timer columns repaint on ``tick()``.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from console.clock import Clock
from console.domain import ContactRow
from console.domain.calls import CallState
from console.errors import SwitchboardError
from console.services.inbox_query import PAGE_SIZE, InboxFilter, InboxPage
from ui.agent.models import inbox_cells
from ui.agent.models.inbox_columns import (
    HEADER_ALIGN,
    HEADER_TIPS,
    HEADERS,
    NAMES,
    SORT_KEYS,
    TIMER_COLUMNS,
    TIMER_ROLES,
    Column,
    InboxQuery,
    sort_for,
)
from ui.agent.models.inbox_scope import might_belong
from ui.shell.jobs import Jobs
from ui.shell.roles import ContactIdRole, ObjectRole, SortKeyRole
from ui.shell.timefmt import DEFAULT_WARNING_RATIO

if TYPE_CHECKING:  # the door's service, typed as the real one
    from console.services.inbox import InboxService

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex
MAX_MERGE = 1000  # the service's largest page


class InboxModel(QAbstractTableModel):
    """Contacts of the inbox, lazily paged.

    Args:
        jobs: runs the service calls off the GUI thread.
        inbox: the inbox service.
        clock: where "now" comes from for the timers.
        tz: the site's time zone for time stamps in tooltips.
        page_size: contacts per page.
        parent: the owning QObject.

    Signals:
        loading_changed(bool): a page fetch started (True) or ended (False).
        page_loaded(int): a page arrived; the argument is the new row count.
        error(object): a SwitchboardError while loading.
    """

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    error = Signal(object)

    def __init__(self, jobs: Jobs, inbox: InboxService, clock: Clock, tz: tzinfo | None = None,
                 page_size: int = PAGE_SIZE, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._inbox, self._clock, self._tz = jobs, inbox, clock, tz
        self._page_size = page_size
        self._rows: list[ContactRow] = []
        self._index: dict[int, int] = {}
        self._query: InboxQuery | None = None
        self._cursor: str | None = None
        self._exhausted = True
        self._generation = 0
        self._loading = False
        self._merging = False
        self._merge_again = False
        # Names of the agent's queues (to judge newcomers) and SLA warning ratios per queue id.
        self.my_queues: Collection[str] | None = None
        self.warning_ratios: dict[int, float] = {}
        self._calls: dict[int, CallState] = {}  # contact id -> its call, as the window follows it
        self._key = f"inbox-page:{id(self)}"

    # -- Qt model API ----------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ContactIdRole:
            return row.id
        if role == ObjectRole:
            return row
        ratio = self.warning_ratios.get(row.queue_id, DEFAULT_WARNING_RATIO)
        return inbox_cells.cell(row, NAMES[index.column()], role, self._clock.now(), self._tz,
                                ratio, self._calls.get(row.id))

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(column, f"Sort by {HEADERS[column].lower()}")
        if role == SortKeyRole:
            return SORT_KEYS[column][0]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return HEADER_ALIGN[column in TIMER_COLUMNS]
        return None

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted or self._loading:
            return
        self._fetch_page()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Re-queries the service in the column's order (no sorting of loaded rows)."""
        if not 0 <= column < len(Column):
            return
        key, descending = sort_for(column, order)
        current = self._query or InboxQuery()
        if self._query is not None and (current.sort, current.descending) == (key, descending):
            return
        self.set_query(InboxQuery(current.filter, key, descending))

    # -- querying --------------------------------------------------------
    @property
    def query(self) -> InboxQuery | None:
        return self._query

    @property
    def loading(self) -> bool:
        return self._loading

    def set_filter(self, f: InboxFilter) -> None:
        """Lists with a new filter, keeping the sort order."""
        current = self._query or InboxQuery()
        self.set_query(InboxQuery(f, current.sort, current.descending))

    def set_query(self, query: InboxQuery) -> None:
        """Drops every loaded row and loads the first page of ``query``."""
        self._generation += 1
        self.beginResetModel()
        self._rows, self._index = [], {}
        self._query, self._cursor, self._exhausted = query, None, False
        self.endResetModel()
        self._fetch_page()

    def refresh(self) -> None:
        """Lists the current query again from the top."""
        if self._query is not None:
            self.set_query(self._query)

    def _fetch_page(self) -> None:
        assert self._query is not None
        generation, q = self._generation, self._query
        self._set_loading(True)
        self._jobs.read(
            self._inbox.list, q.filter, sort=q.sort, descending=q.descending,
            cursor=self._cursor, limit=self._page_size, key=self._key,
            on_success=lambda page: self._page_arrived(generation, page),
            on_failure=lambda exc: self._page_failed(generation, exc))

    def _page_arrived(self, generation: int, page: InboxPage) -> None:
        if generation != self._generation:
            return
        self._set_loading(False)
        self._cursor, self._exhausted = page.next_cursor, page.next_cursor is None
        self._replace_known(page.rows)
        fresh = [r for r in page.rows if r.id not in self._index]
        if fresh:
            self._insert(len(self._rows), fresh)
        self.page_loaded.emit(len(self._rows))

    def _page_failed(self, generation: int, exc: SwitchboardError) -> None:
        if generation == self._generation:
            self._set_loading(False)
            self.error.emit(exc)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)

    # -- rows ------------------------------------------------------------
    def row_of(self, contact_id: int) -> int | None:
        """The row showing ``contact_id``, or None when it is not loaded."""
        return self._index.get(contact_id)

    def contact_at(self, row: int) -> ContactRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _insert(self, position: int, rows: list[ContactRow]) -> None:
        self.beginInsertRows(QModelIndex(), position, position + len(rows) - 1)
        self._rows[position:position] = rows
        self._reindex(position)
        self.endInsertRows()

    def _reindex(self, start: int = 0) -> None:
        for i in range(start, len(self._rows)):
            self._index[self._rows[i].id] = i

    def _replace_known(self, rows: Iterable[ContactRow]) -> None:
        last = len(Column) - 1
        for row in rows:
            i = self._index.get(row.id)
            # A row read before this window's own write must not undo what it applied.
            if i is not None and self._rows[i] != row and row.version >= self._rows[i].version:
                self._rows[i] = row
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))

    def call_state(self, contact_id: int) -> CallState | None:
        """The state of the call on ``contact_id`` the row shows, None when none."""
        return self._calls.get(contact_id)

    def set_calls(self, calls: Mapping[int, CallState]) -> None:
        """The calls to show (contact id -> state); repaints the rows whose call changed."""
        before, self._calls = self._calls, dict(calls)
        last = len(Column) - 1
        for contact_id in before.keys() | self._calls.keys():
            i = self._index.get(contact_id)
            if i is not None and before.get(contact_id) != self._calls.get(contact_id):
                self.dataChanged.emit(self.index(i, 0), self.index(i, last))

    def tick(self) -> None:
        """Repaints the timer cells (and nothing else)."""
        if self._rows:
            first, last = min(TIMER_COLUMNS), max(TIMER_COLUMNS)
            self.dataChanged.emit(self.index(0, first), self.index(len(self._rows) - 1, last),
                                  TIMER_ROLES)

    # -- live updates ----------------------------------------------------
    def contacts_changed(self, contact_ids: Collection[int]) -> None:
        """Fetches the changed contacts and applies them (the change feed calls this)."""
        if not contact_ids or self._query is None:
            return
        generation = self._generation
        self._jobs.read(self._inbox.get_many, sorted(contact_ids),
                        on_success=lambda rows: self._changed_arrived(generation, rows),
                        on_failure=self.error.emit)

    def _changed_arrived(self, generation: int, rows: list[ContactRow]) -> None:
        if generation == self._generation:
            self.apply_rows(rows)

    def apply_rows(self, rows: Iterable[ContactRow]) -> None:
        """Updates loaded rows in place; rows that may newly belong trigger a merge."""
        rows = list(rows)
        self._replace_known(rows)
        assert self._query is not None or not rows
        newcomers = [r for r in rows if r.id not in self._index
                     and self._query is not None
                     and might_belong(r, self._query.filter, self.my_queues)]
        if newcomers:
            self._merge_first_page()

    def _merge_first_page(self) -> None:
        if self._merging:
            self._merge_again = True
            return
        assert self._query is not None
        self._merging, self._merge_again = True, False
        generation, q = self._generation, self._query
        limit = (min(MAX_MERGE, max(self._page_size, len(self._rows) + 10))
                 if self._exhausted else self._page_size)
        self._jobs.read(self._inbox.list, q.filter, sort=q.sort, descending=q.descending,
                        limit=limit,
                        on_success=lambda page: self._merge_arrived(generation, page),
                        on_failure=self._merge_failed)

    def _merge_arrived(self, generation: int, page: InboxPage) -> None:
        self._merging = False
        if generation != self._generation:
            return
        self._replace_known(page.rows)
        position = 0
        for row in page.rows:
            known = self._index.get(row.id)
            if known is not None:
                position = known + 1
            else:
                self._insert(position, [row])
                position += 1
        if self._merge_again:
            self._merge_first_page()

    def _merge_failed(self, exc: SwitchboardError) -> None:
        self._merging = False
        self.error.emit(exc)
