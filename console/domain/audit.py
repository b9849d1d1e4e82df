"""The audit log as supervisors, exports and the chain check see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log, as supervisors and exports see it."""

    id: int
    at: datetime
    actor_login: str | None
    workstation: str
    action: str
    entity: str
    entity_id: str
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Which entries to list: all given conditions must hold.

    Attributes:
        person: the login of the member of staff who acted.
        customer_id: entries about this customer.
        since: entries at or after this time.
        until: entries before this time.
    """

    person: str | None = None
    customer_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of checking the chain; ``first_bad_id`` names where it breaks."""

    intact: bool
    checked: int
    first_bad_id: int | None
    reason: str
    head_hash: str
