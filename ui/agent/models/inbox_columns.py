"""The inbox's columns: their headers, the service sort key behind each, and the query.

Sorting is the service's job (keyset paging over a million contacts), so a
column maps to a sort key, never to a comparison of loaded rows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from PySide6.QtCore import Qt

from console.services.inbox_query import InboxFilter
from ui.shell.roles import SlaStateRole


class Column(enum.IntEnum):
    CHANNEL = 0
    CUSTOMER = 1
    SUBJECT = 2
    QUEUE = 3
    PRIORITY = 4
    STATUS = 5
    WAITING = 6
    SLA = 7
    ASSIGNEE = 8


HEADERS = {
    Column.CHANNEL: "", Column.CUSTOMER: "Customer", Column.SUBJECT: "Subject",
    Column.QUEUE: "Queue", Column.PRIORITY: "Priority", Column.STATUS: "Status",
    Column.WAITING: "Waiting", Column.SLA: "SLA", Column.ASSIGNEE: "Assignee",
}
HEADER_TIPS = {
    Column.CHANNEL: "Channel", Column.WAITING: "Time since the contact arrived",
    Column.SLA: "Time left to the first-response target (negative: overdue)",
}
# Service sort key per column, and whether the UI's ascending is the key's descending
# (ascending "Waiting" means the shortest wait first, i.e. the newest contact).
SORT_KEYS: dict[Column, tuple[str, bool]] = {
    Column.CHANNEL: ("channel", False), Column.CUSTOMER: ("customer", False),
    Column.SUBJECT: ("subject", False), Column.QUEUE: ("queue", False),
    Column.PRIORITY: ("priority", False), Column.STATUS: ("status", False),
    Column.WAITING: ("waiting", True), Column.SLA: ("sla", False),
    Column.ASSIGNEE: ("assignee", False),
}
NAMES = [c.name for c in Column]
TIMER_COLUMNS = (Column.WAITING, Column.SLA)  # adjacent: one dataChanged covers both
HEADER_ALIGN = {
    False: int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
    True: int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
}
TIMER_ROLES = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.FontRole, SlaStateRole]


def sort_for(column: int, order: Qt.SortOrder) -> tuple[str, bool]:
    """The service sort key and direction for a header column and sort order."""
    key, inverted = SORT_KEYS[Column(column)]
    return key, (order == Qt.SortOrder.DescendingOrder) != inverted


@dataclass(frozen=True)
class InboxQuery:
    """What to list and in which order (service sort keys)."""

    filter: InboxFilter = field(default_factory=InboxFilter)
    sort: str = "priority"
    descending: bool = False
