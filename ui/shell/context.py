"""What every pane is built with: the door to the services, the jobs helper, who is signed in, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo

from console.clock import Clock
from console.domain import AgentInfo
from console.security.guard import Door
from console.security.principal import Principal
from ui.shell.jobs import Jobs


@dataclass
class Workbench:
    """The dependencies of one console window, passed to each pane's constructor.

    Attributes:
        door: the services as the signed-in person may use them (called only
            through ``jobs``); nothing in ui/ holds the raw services.
        jobs: the background-work helper.
        agent: the signed-in person's agent record.
        clock: where "now" comes from (a ManualClock in tests).
        tz: the site's time zone for time stamps.
    """

    door: Door
    jobs: Jobs
    agent: AgentInfo
    clock: Clock
    tz: tzinfo

    @classmethod
    def create(cls, door: Door, jobs: Jobs, agent: AgentInfo) -> Workbench:
        return cls(door, jobs, agent, door.clock, ZoneInfo(door.timezone))

    @property
    def principal(self) -> Principal:
        """Who is signed in (every check and audit entry is theirs)."""
        return self.door.principal
