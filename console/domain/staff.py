"""Members of staff as the admin screens and the status bar see them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from console.domain import AgentState, Role


@dataclass(frozen=True, slots=True)
class StaffAccount:
    """A sign-in account as the admin screens list it, deactivated ones included.

    Attributes:
        locked_until: when a sign-in lockout ends, or None when not locked now.
    """

    id: int
    login: str
    name: str
    role: Role
    team: str | None
    queues: tuple[str, ...]
    active: bool
    locked_until: datetime | None


@dataclass(frozen=True)
class StateNow:
    """An agent's current state and since when."""

    state: AgentState
    since: datetime | None
