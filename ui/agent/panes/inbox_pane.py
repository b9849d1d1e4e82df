"""The inbox pane: a small filter bar over the lazily loaded contact table."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import Channel
from ui.agent.models.inbox_columns import HEADERS, Column, InboxQuery, sort_for
from ui.agent.models.inbox_model import InboxModel
from ui.agent.models.inbox_scope import SCOPE_LABELS, STATUS_LABELS, InboxView, Scope, StatusChoice
from ui.shell.context import Workbench
from ui.shell.icons import channel_icon, channel_label
from ui.shell.roles import ContactIdRole
from ui.widgets.compact import FittingLabel, compact_combo
from ui.widgets.sla_delegate import SlaDelegate

COLUMN_WIDTHS = {Column.CHANNEL: 32, Column.CUSTOMER: 118, Column.SUBJECT: 200,
                 Column.QUEUE: 110, Column.PRIORITY: 76, Column.STATUS: 70, Column.WAITING: 76,
                 Column.SLA: 70, Column.ASSIGNEE: 96}
# Hidden by default; the header's context menu shows them again.
HIDDEN_BY_DEFAULT = (Column.QUEUE, Column.STATUS)
ALWAYS_SHOWN = (Column.CHANNEL, Column.SUBJECT)
SUBJECT_MIN = 140  # the subject is what an agent reads first: it never shrinks below this


class InboxPane(QWidget):
    """Scope buttons, channel and status filters, and the contact table.

    Args:
        bench: services, jobs, agent and clock.
        parent: the owning widget.

    Signals:
        contact_selected(object): the selected contact id (None when nothing is selected).
        view_changed(object): the filter bar's InboxView, after the agent changed it.
    """

    contact_selected = Signal(object)
    view_changed = Signal(object)

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxPane")
        self._bench = bench
        self.model = InboxModel(bench.jobs, bench.door.inbox, bench.clock, bench.tz,
                                parent=self)
        self.model.my_queues = set(bench.agent.queues)
        self._view_state = InboxView()
        self.table = self._build_table()
        self.count = FittingLabel(self)
        self.count.setObjectName("paneStatus")
        self.count.setAccessibleName("Contacts listed")
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addLayout(self._build_filter_bar())
        box.addWidget(self.table, 1)
        for signal in (self.model.page_loaded, self.model.loading_changed,
                       self.model.rowsInserted, self.model.modelReset):
            signal.connect(self._update_count)

    def _build_filter_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setContentsMargins(8, 6, 8, 6)
        bar.setSpacing(0)
        self.scopes = QButtonGroup(self)
        for scope in Scope:
            button = QToolButton(self)
            button.setObjectName(f"scope_{scope.value}")
            button.setProperty("segment", True)
            button.setText(SCOPE_LABELS[scope])
            button.setCheckable(True)
            self.scopes.addButton(button)
            bar.addWidget(button)
        self.scopes.setExclusive(True)
        self.scopes.buttonClicked.connect(self._filters_edited)
        bar.addSpacing(10)
        self.channel = QComboBox(self)
        self.channel.setAccessibleName("Channel filter")
        self.channel.addItem("All channels", "")
        for ch in Channel:
            self.channel.addItem(channel_icon(ch), channel_label(ch), ch.value)
        self.status = QComboBox(self)
        self.status.setAccessibleName("Status filter")
        for choice in StatusChoice:
            self.status.addItem(STATUS_LABELS[choice], choice.value)
        for combo in (self.channel, self.status):
            compact_combo(combo)
            combo.activated.connect(self._filters_edited)
            bar.addWidget(combo)
            bar.addSpacing(6)
        bar.addWidget(self.count, 1)
        return bar

    def _build_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("inboxTable")
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setShowGrid(False)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.verticalHeader().hide()
        table.verticalHeader().setDefaultSectionSize(30)
        header = table.horizontalHeader()
        header.setObjectName("inboxHeader")
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.SUBJECT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(Column.CHANNEL, QHeaderView.ResizeMode.Fixed)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        for column in HIDDEN_BY_DEFAULT:
            header.hideSection(column)
        header.setSortIndicator(Column.PRIORITY, Qt.SortOrder.AscendingOrder)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.sectionResized.connect(self._keep_subject_readable)
        header.geometriesChanged.connect(self._keep_subject_readable)
        table.setItemDelegateForColumn(Column.SLA, SlaDelegate(table))
        table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table = table
        self._keep_subject_readable()
        return table

    def _keep_subject_readable(self, *_args: object) -> None:
        """The table asks for room for every visible column plus a readable subject."""
        header = self.table.horizontalHeader()
        fixed = sum(header.sectionSize(c) for c in Column
                    if c != Column.SUBJECT and not header.isSectionHidden(c))
        frame = 2 * self.table.frameWidth() + self.table.verticalScrollBar().sizeHint().width()
        width = fixed + SUBJECT_MIN + frame
        if width != self.table.minimumWidth():
            self.table.setMinimumWidth(width)
            self.updateGeometry()

    def _column_menu(self, position: QPoint) -> None:
        """Lets the agent show or hide columns (kept with the layout)."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        for column in Column:
            if column in ALWAYS_SHOWN:
                continue
            action = menu.addAction(HEADERS[column])
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
        menu.popup(header.mapToGlobal(position))

    # -- filters ---------------------------------------------------------
    @property
    def view_state(self) -> InboxView:
        return self._view_state

    def start(self, view: InboxView) -> None:
        """Shows ``view`` in the filter bar and loads the first page in the header's order."""
        self._show_view(view)
        header = self.table.horizontalHeader()
        self.table.setSortingEnabled(False)
        column = header.sortIndicatorSection()
        if not 0 <= column < len(Column):
            column = Column.PRIORITY
            header.setSortIndicator(column, Qt.SortOrder.AscendingOrder)
        key, descending = sort_for(column, header.sortIndicatorOrder())
        self.model.set_query(InboxQuery(view.to_filter(self._bench.agent.login), key, descending))
        self.table.setSortingEnabled(True)  # calls model.sort with the same order: no re-query
        self._keep_subject_readable()

    def _show_view(self, view: InboxView) -> None:
        self._view_state = view
        for button in self.scopes.buttons():
            button.setChecked(button.objectName() == f"scope_{view.scope.value}")
        self.channel.setCurrentIndex(max(0, self.channel.findData(
            view.channel.value if view.channel else "")))
        self.status.setCurrentIndex(max(0, self.status.findData(view.status.value)))

    def set_view(self, view: InboxView) -> None:
        """Changes the filters (as the agent would) and lists again."""
        self._show_view(view)
        self._apply_view()

    def _filters_edited(self, *_args: object) -> None:
        checked = self.scopes.checkedButton()
        scope = Scope(checked.objectName().removeprefix("scope_")) if checked else Scope.ALL
        channel = self.channel.currentData() or None
        self._view_state = InboxView(scope, Channel(channel) if channel else None,
                                     StatusChoice(self.status.currentData()))
        self._apply_view()

    def _apply_view(self) -> None:
        self.model.set_filter(self._view_state.to_filter(self._bench.agent.login))
        self.view_changed.emit(self._view_state)

    # -- selection -------------------------------------------------------
    def selected_contact(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return int(rows[0].data(ContactIdRole)) if rows else None

    def select_contact(self, contact_id: int) -> bool:
        """Selects the row of ``contact_id`` if it is loaded; True when it was."""
        row = self.model.row_of(contact_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        return True

    def move_selection(self, step: int) -> None:
        """Selects the next (step 1) or previous (step -1) contact."""
        current = self.table.currentIndex().row()
        target = 0 if current < 0 else current + step
        if target >= self.model.rowCount() and self.model.canFetchMore():
            self.model.fetchMore()
        if 0 <= target < self.model.rowCount():
            self.table.selectRow(target)
            self.table.scrollTo(self.model.index(target, 0))

    def _selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        self.contact_selected.emit(self.selected_contact())

    def _update_count(self, *_args: object) -> None:
        rows = self.model.rowCount()
        more = "+" if self.model.canFetchMore() else ""
        loading = " · loading…" if self.model.loading else ""
        self.count.set_texts(f"{rows}{more} contacts{loading}", f"{rows}{more} contacts",
                             f"{rows}{more}")

    def focus(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)
        if not self.table.selectionModel().selectedRows() and self.model.rowCount():
            # A refreshed page can leave a current cell without a selection: keys then
            # need a row to move from, so the current one (else the first) is selected.
            current = self.table.currentIndex()
            self.table.selectRow(current.row() if current.isValid() else 0)

    def current_index(self) -> QModelIndex:
        return self.table.currentIndex()
