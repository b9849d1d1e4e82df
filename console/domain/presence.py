"""Who else is on a contact, from the workstations' heartbeats."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Activity(enum.StrEnum):
    VIEWING = "viewing"
    REPLYING = "replying"


@dataclass(frozen=True)
class PresenceInfo:
    """Another agent on a contact, as of the last heartbeat."""

    contact_id: int
    agent_login: str
    agent_name: str
    activity: Activity
    workstation: str
    since: datetime
    expires_at: datetime

    def alive(self, now: datetime) -> bool:
        return self.expires_at > now
