"""Table models of the administration window: accounts, queues and greeting templates.

They reuse the wallboard's snapshot model: rows arrive whole from one service
read, and a reload with the same ids only repaints cells, so the admin's
selection survives a refresh after every change.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject
from PySide6.QtGui import QColor

from console.domain import QueueInfo, TemplateInfo
from console.domain.sla import QueueSetup
from console.domain.staff import StaffAccount
from ui.shell import palette
from ui.supervisor.models import Column, SnapshotTableModel, percent

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
