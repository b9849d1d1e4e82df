"""What every pane is built with: the services, the jobs helper, who is signed in, the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from console.app import Services
from console.clock import Clock
from console.domain import AgentInfo
from console.security.guard import authorize
from console.security.principal import Principal
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
        principal: who signed in (None in tests and tools that open a window
            directly); customer-record views then go through the guarded,
            audited services.
    """

    services: Services
    jobs: Jobs
    agent: AgentInfo
    clock: Clock
    tz: tzinfo
    principal: Principal | None = None

    @classmethod
    def create(cls, services: Services, jobs: Jobs, agent: AgentInfo,
               principal: Principal | None = None) -> Workbench:
        return cls(services, jobs, agent, services.clock, ZoneInfo(services.settings.timezone),
                   principal)

    @property
    def records(self) -> Any:
        """The services to read customer records through: guarded and audited once
        somebody has signed in (each look at a record is in the audit log)."""
        if self.principal is None:
            return self.services
        return authorize(self.services, self.principal)
