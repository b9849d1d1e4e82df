"""Table models of the administration window: accounts, queues, greeting templates, channels.

They reuse the wallboard's snapshot model: rows arrive whole from one service
read, and a reload with the same ids only repaints cells, so the admin's
selection survives a refresh after every change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor

from console.clock import Clock
from console.domain import QueueInfo, TemplateInfo
from console.domain.channel_accounts import ChannelAccountInfo
from console.domain.sla import QueueSetup
from console.domain.staff import StaffAccount
from ui.shell import palette
from ui.shell.timefmt import stamp
from ui.supervisor.models import Column, Index, SnapshotTableModel, percent

PRIORITIES = {1: "Urgent", 2: "High", 3: "Normal", 4: "Low"}


@dataclass(frozen=True, slots=True)
class QueueRow:
    """A queue with its routing settings, as one table row."""

    info: QueueInfo
    setup: QueueSetup


def template_key(tpl: TemplateInfo) -> str:
    """A template's identity: its language and name (a name alone repeats per language)."""
    return f"{tpl.language}\t{tpl.name}"


def status(account: StaffAccount) -> str:
    """"Active", "Locked until 10:45 UTC" or "Deactivated"."""
    if not account.active:
        return "Deactivated"
    if account.locked_until is not None:
        return f"Locked until {account.locked_until:%H:%M} UTC"
    return "Active"


def target(seconds: int) -> str:
    """A target in the unit people set it in: "10 min", "8 h", "2 d"."""
    if seconds % 86400 == 0:
        return f"{seconds // 86400} d"
    if seconds % 3600 == 0:
        return f"{seconds // 3600} h"
    if seconds % 60 == 0:
        return f"{seconds // 60} min"
    return f"{seconds} s"


ACCOUNT_COLUMNS: list[Column[StaffAccount]] = [
    Column("Login", lambda a: a.login, numeric=False),
    Column("Name", lambda a: a.name, numeric=False),
    Column("Role", lambda a: a.role.value.capitalize(), numeric=False),
    Column("Team", lambda a: a.team or "", numeric=False),
    Column("Queues", lambda a: ", ".join(a.queues), numeric=False),
    Column("Status", status, numeric=False),
]

QUEUE_COLUMNS: list[Column[QueueRow]] = [
    Column("Queue", lambda q: q.info.name, numeric=False),
    Column("Language", lambda q: q.info.language or "any", numeric=False),
    Column("Priority", lambda q: q.setup.priority, lambda p: f"{p} {PRIORITIES.get(p, '')}",
           numeric=False),
    Column("SL goal", lambda q: q.setup.service_level_goal, percent),
    Column("Answer within", lambda q: q.setup.answer_target_s, lambda s: f"{s} s"),
    Column("First response", lambda q: q.info.first_response_target_s, target),
    Column("Resolution", lambda q: q.info.resolution_target_s, target),
]

TEMPLATE_COLUMNS: list[Column[TemplateInfo]] = [
    Column("Name", lambda t: t.name, numeric=False),
    Column("Language", lambda t: t.language, numeric=False),
    Column("Channel", lambda t: t.channel.value if t.channel else "any", numeric=False),
    Column("Category", lambda t: t.category, numeric=False),
]


class AccountsModel(SnapshotTableModel[StaffAccount]):
    """Staff accounts; locked ones in the warning colour, deactivated ones muted."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(ACCOUNT_COLUMNS, lambda a: a.login, parent)

    def foreground(self, row: StaffAccount, column: Column[StaffAccount]) -> QColor | None:
        if not row.active:
            return QColor(palette.MUTED)
        if row.locked_until is not None and column.header == "Status":
            return QColor(palette.WARNING_FG)
        return None


class QueuesModel(SnapshotTableModel[QueueRow]):
    """Queues with their targets and routing settings."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(QUEUE_COLUMNS, lambda q: q.info.name, parent)


class TemplatesModel(SnapshotTableModel[TemplateInfo]):
    """Greeting templates, one row per name and language."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(TEMPLATE_COLUMNS, template_key, parent)


# Where a channel account's password lives, in a word (the whole reference is in the details).
SECRET_PLACES = {"keyring": "OS keyring", "file": "File", "env": "Environment"}
KINDS = {"email": "E-mail"}
LAST_ERROR = "Last error"


def secret_place(account: ChannelAccountInfo) -> str:
    """"OS keyring", "File", "Environment" or "None" (the cell's tooltip says which)."""
    if account.secret_ref is None:
        return "None"
    where = account.secret_ref.partition(":")[0]
    return SECRET_PLACES.get(where, where)


def gateway(account: ChannelAccountInfo, now: datetime) -> str:
    """The gateway polling the mailbox; a lease that ran out (a stopped gateway) says so."""
    holder, until = account.status.lease_holder, account.status.lease_expires_at
    if holder is None:
        return ""
    return holder if until is None or until > now else f"{holder} (lapsed)"


def first_line(text: str | None) -> str:
    return "" if not text else text.strip().splitlines()[0]


def failing(account: ChannelAccountInfo) -> bool:
    """Whether the last poll ended in the last error (a later good poll leaves the error standing)."""
    status = account.status
    if not status.last_error:
        return False
    return (status.last_poll_at is None or status.last_error_at is None
            or status.last_error_at >= status.last_poll_at)


def _timestamp(at: datetime | None) -> float | None:
    return None if at is None else at.timestamp()  # sortable, unlike None beside datetimes


def channel_columns(clock: Clock, tz: tzinfo) -> list[Column[ChannelAccountInfo]]:
    """The channel table's columns; times read in ``tz``, as "10:30" today."""

    def local(ts: float | None) -> str:
        return "never" if ts is None else stamp(datetime.fromtimestamp(ts, UTC), clock.now(), tz)

    return [
        Column("Name", lambda a: a.name, numeric=False),
        Column("Kind", lambda a: KINDS.get(a.kind.value, a.kind.value), numeric=False),
        Column("Address", lambda a: a.address, numeric=False),
        Column("Queue", lambda a: a.queue, numeric=False),
        Column("Enabled", lambda a: a.enabled, lambda on: "Yes" if on else "Paused",
               numeric=False),
        Column("Password", secret_place, numeric=False),
        Column("Last poll", lambda a: _timestamp(a.status.last_poll_at), local, numeric=False),
        Column(LAST_ERROR, lambda a: first_line(a.status.last_error), numeric=False),
        Column("Queued", lambda a: a.status.queued),
        Column("Failed", lambda a: a.status.failed),
        Column("Gateway", lambda a: gateway(a, clock.now()), numeric=False),
    ]


# Cells whose whole story is longer than the column: the tooltip tells it.
TOOLTIPS: dict[str, Callable[[ChannelAccountInfo], str | None]] = {
    "Name": lambda a: a.name, "Address": lambda a: a.address, "Password": lambda a: a.secret,
    LAST_ERROR: lambda a: a.status.last_error, "Gateway": lambda a: a.status.lease_holder,
}


class ChannelsModel(SnapshotTableModel[ChannelAccountInfo]):
    """Channel accounts; paused ones muted, a failing poll and failed replies in the breach colour.

    An error a later poll got past stays in its cell, muted.

    The last error cell shows its first line; its tooltip the whole of it (as
    the address's, name's, gateway's and password place's tooltips do).

    Args:
        clock: where "now" comes from (today's times read as "10:30").
        tz: the site's time zone.
        parent: the owning QObject.
    """

    def __init__(self, clock: Clock, tz: tzinfo, parent: QObject | None = None) -> None:
        columns = channel_columns(clock, tz)
        super().__init__(columns, lambda a: a.name, parent)
        self._tooltips = [TOOLTIPS.get(c.header) for c in columns]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.ToolTipRole:
            return super().data(index, role)
        row = self.row(index.row()) if index.isValid() else None
        tooltip = self._tooltips[index.column()] if row is not None else None
        return tooltip(row) if tooltip is not None and row is not None else None

    def foreground(self, row: ChannelAccountInfo,
                   column: Column[ChannelAccountInfo]) -> QColor | None:
        if not row.enabled:
            return QColor(palette.MUTED)
        if column.header == LAST_ERROR:
            return QColor(palette.URGENT_FG if failing(row) else palette.MUTED)
        if column.header == "Failed" and row.status.failed:
            return QColor(palette.URGENT_FG)
        return None
