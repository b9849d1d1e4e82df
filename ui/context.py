"""What every pane is built with: the services, the jobs helper, who is signed in, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from zoneinfo import ZoneInfo

from console.app import Services
from console.clock import Clock
from console.domain import AgentInfo
from ui.jobs import Jobs


@dataclass
class Workbench:
    """The dependencies of one console window, passed to each pane's constructor.

    Attributes:
        services: the console services (called only through ``jobs``).
        jobs: the background-work helper.
        agent: the signed-in agent.
        clock: where "now" comes from (a ManualClock in tests).
        tz: the site's time zone for time stamps.
    """

    services: Services
    jobs: Jobs
    agent: AgentInfo
    clock: Clock
    tz: tzinfo

    @classmethod
    def create(cls, services: Services, jobs: Jobs, agent: AgentInfo) -> Workbench:
        return cls(services, jobs, agent, services.clock, ZoneInfo(services.settings.timezone))
