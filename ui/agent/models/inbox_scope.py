"""What the inbox shows: the filter bar's choices turned into an InboxFilter, and back.

Also decides, without asking the database, whether a changed contact could
belong in the current list (so the model refetches only when it might).
"""

from __future__ import annotations

import enum
from collections.abc import Collection
from dataclasses import dataclass
from typing import TypeVar, overload

from console.domain import ACTIVE_STATUSES, Channel, ContactRow, ContactStatus
from console.services.inbox_query import InboxFilter

E = TypeVar("E", bound=enum.Enum)


class Scope(enum.StrEnum):
    """Whose contacts the inbox lists."""

    MINE = "mine"
    MY_QUEUES = "queues"
    ALL = "all"


class StatusChoice(enum.StrEnum):
    """The status filter: the active ones together, each one alone, or everything."""

    ACTIVE = "active"
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    ANY = "any"


SCOPE_LABELS = {Scope.MINE: "My contacts", Scope.MY_QUEUES: "My queues", Scope.ALL: "All"}
STATUS_LABELS = {
    StatusChoice.ACTIVE: "Active", StatusChoice.NEW: "New", StatusChoice.OPEN: "Open",
    StatusChoice.PENDING: "Pending", StatusChoice.RESOLVED: "Resolved", StatusChoice.ANY: "Any status",
}


@dataclass(frozen=True)
class InboxView:
    """The filter bar's state, stored per agent as plain strings."""

    scope: Scope = Scope.MY_QUEUES
    channel: Channel | None = None
    status: StatusChoice = StatusChoice.ACTIVE

    def to_filter(self, agent_login: str) -> InboxFilter:
        """The service filter for this view and agent."""
        return InboxFilter(
            statuses=_statuses(self.status),
            channels=(self.channel,) if self.channel else (),
            assignee=agent_login if self.scope == Scope.MINE else None,
            my_queues_of=agent_login if self.scope == Scope.MY_QUEUES else None,
        )

    def to_settings(self) -> dict[str, str]:
        return {"scope": self.scope.value, "channel": self.channel.value if self.channel else "",
                "status": self.status.value}

    @classmethod
    def from_settings(cls, values: dict[str, object]) -> InboxView:
        """Reads stored values, falling back to defaults for anything unknown."""
        default = cls()
        return cls(
            scope=_enum(Scope, values.get("scope"), default.scope),
            channel=_enum(Channel, values.get("channel"), None),
            status=_enum(StatusChoice, values.get("status"), default.status),
        )


def _statuses(choice: StatusChoice) -> tuple[ContactStatus, ...]:
    if choice == StatusChoice.ACTIVE:
        return tuple(sorted(ACTIVE_STATUSES))
    if choice == StatusChoice.ANY:
        return ()
    return (ContactStatus(choice.value),)


@overload
def _enum(kind: type[E], raw: object, default: E) -> E: ...
@overload
def _enum(kind: type[E], raw: object, default: None) -> E | None: ...
def _enum(kind: type[E], raw: object, default: E | None) -> E | None:
    try:
        return kind(raw)
    except ValueError:
        return default


def might_belong(row: ContactRow, f: InboxFilter, my_queues: Collection[str] | None) -> bool:
    """Whether ``row`` passes ``f`` as far as the row itself can tell.

    Args:
        row: the changed contact.
        f: the inbox's filter.
        my_queues: names of the queues the agent works (None: unknown, assume yes).
    """
    checks = (
        not f.statuses or row.status in f.statuses,
        not f.channels or row.channel in f.channels,
        not f.assignee or row.assignee_login == f.assignee,
        not f.unassigned or row.assignee_id is None,
        not f.queues or row.queue_name in f.queues,
        not f.my_queues_of or my_queues is None or row.queue_name in my_queues,
        f.max_priority is None or row.priority <= f.max_priority,
        not f.ids or row.id in f.ids,
    )
    return all(checks)
