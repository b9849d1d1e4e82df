"""A customer's history as a lazy list: timeline pages fetched as the agent scrolls."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from console.clock import Clock
from console.domain import Channel, TimelineEntry, TimelinePage
from console.errors import SwitchboardError
from ui.shell import timefmt
from ui.shell.icons import channel_icon, channel_label
from ui.shell.jobs import Jobs
from ui.shell.roles import BodyRole, ContactIdRole, MetaRole, ObjectRole, ToneRole

if TYPE_CHECKING:  # the door's service, typed as the real one
    from console.services.customers import CustomerService

Index = QModelIndex | QPersistentModelIndex
PAGE_SIZE = 50
KIND_LABELS = {
    "contact": "New contact", "inbound": "Customer wrote", "outbound": "Agent replied",
    "note": "Internal note", "claimed": "Claimed", "released": "Released",
    "transferred": "Transferred", "resolved": "Resolved", "reopened": "Reopened",
    "status": "Status changed",
}


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").capitalize())


class HistoryModel(QAbstractListModel):
    """Timeline entries of one customer, newest first.

    Args:
        jobs: runs the service calls off the GUI thread.
        customers: the customer service (``history``).
        clock: "now", to show today's entries by time only.
        tz: the site's time zone.
        page_size: entries per page.
        parent: the owning QObject.

    Signals:
        loading_changed(bool): a page fetch started or ended.
        page_loaded(int): a page arrived; the argument is the new row count.
        error(object): a SwitchboardError while loading.
    """

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    error = Signal(object)

    def __init__(self, jobs: Jobs, customers: CustomerService, clock: Clock,
                 tz: tzinfo | None = None, page_size: int = PAGE_SIZE,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._customers, self._clock, self._tz = jobs, customers, clock, tz
        self._page_size = page_size
        self._entries: list[TimelineEntry] = []
        self._customer_id: int | None = None
        self._channel: Channel | None = None
        self._cursor: str | None = None
        self._exhausted = True
        self._loading = False
        self._generation = 0
        self._key = f"history-page:{id(self)}"

    # -- Qt model API ----------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        handler = _ROLES.get(role)
        return handler(self, entry) if handler else None

    def stamp(self, entry: TimelineEntry) -> str:
        """When ``entry`` happened, as the list shows it."""
        return timefmt.stamp(entry.at, self._clock.now(), self._tz)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not parent.isValid() and not self._exhausted and not self._loading:
            self._fetch_page()

    # -- loading ---------------------------------------------------------
    @property
    def customer_id(self) -> int | None:
        return self._customer_id

    @property
    def tz(self) -> tzinfo | None:
        return self._tz

    @property
    def loading(self) -> bool:
        return self._loading

    def set_customer(self, customer_id: int | None, channel: Channel | None = None) -> None:
        """Shows ``customer_id``'s history (None: nothing), optionally one channel only."""
        self._generation += 1
        self.beginResetModel()
        self._entries, self._cursor = [], None
        self._customer_id, self._channel = customer_id, channel
        self._exhausted = customer_id is None
        self.endResetModel()
        self._set_loading(False)
        if customer_id is not None:
            self._fetch_page()

    def set_channel(self, channel: Channel | None) -> None:
        self.set_customer(self._customer_id, channel)

    def reload(self) -> None:
        self.set_customer(self._customer_id, self._channel)

    def _fetch_page(self) -> None:
        generation = self._generation
        self._set_loading(True)
        self._jobs.read(self._customers.history, self._customer_id, channel=self._channel,
                        cursor=self._cursor, limit=self._page_size, key=self._key,
                        on_success=lambda page: self._arrived(generation, page),
                        on_failure=lambda exc: self._failed(generation, exc))

    def _arrived(self, generation: int, page: TimelinePage) -> None:
        if generation != self._generation:
            return
        self._set_loading(False)
        self._cursor, self._exhausted = page.next_cursor, page.next_cursor is None
        if page.entries:
            start = len(self._entries)
            self.beginInsertRows(QModelIndex(), start, start + len(page.entries) - 1)
            self._entries.extend(page.entries)
            self.endInsertRows()
        self.page_loaded.emit(len(self._entries))

    def _failed(self, generation: int, exc: SwitchboardError) -> None:
        if generation == self._generation:
            self._set_loading(False)
            self.error.emit(exc)

    def _set_loading(self, loading: bool) -> None:
        if loading != self._loading:
            self._loading = loading
            self.loading_changed.emit(loading)


_ROLES: dict[int, Callable[[HistoryModel, TimelineEntry], Any]] = {
    Qt.ItemDataRole.DisplayRole: lambda m, e: f"{kind_label(e.kind)} · {e.subject}",
    MetaRole: lambda m, e: m.stamp(e),
    BodyRole: lambda m, e: _body(e),
    Qt.ItemDataRole.DecorationRole: lambda m, e: channel_icon(e.channel),
    Qt.ItemDataRole.ToolTipRole: lambda m, e: _tooltip(e, m.tz),
    ToneRole: lambda m, e: "note" if e.kind == "note" else None,
    ObjectRole: lambda m, e: e,
    ContactIdRole: lambda m, e: e.contact_id,
}


def _body(entry: TimelineEntry) -> str:
    text = html.escape(" ".join(entry.text.split()))
    who = f"<b>{html.escape(entry.agent)}</b>: " if entry.agent else ""
    return who + text if text else who.rstrip(": ")


def _tooltip(entry: TimelineEntry, tz: tzinfo | None) -> str:
    when = (entry.at.astimezone(tz) if tz else entry.at).strftime("%Y-%m-%d %H:%M")
    lines = [f"{kind_label(entry.kind)} — {channel_label(entry.channel)} contact "
             f"{entry.contact_id}", when]
    if entry.agent:
        lines.append(f"By {entry.agent}")
    if entry.text:
        lines.append("")
        lines.append(entry.text)
    return "\n".join(lines)
