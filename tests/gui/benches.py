"""Workbenches for GUI tests: what a window is built with once somebody signed in."""

from __future__ import annotations

from console.app import Services
from console.domain import AgentInfo
from console.security.guard import Door, authorize
from console.security.principal import Principal
from ui.shell.context import Workbench
from ui.shell.jobs import Jobs


def door_for(services: Services, agent: AgentInfo, workstation: str = "WS-01") -> Door:
    """The door ``agent`` holds after signing in at ``workstation``."""
    return authorize(services, Principal(agent.id, agent.login, agent.name, agent.role,
                                         workstation))


def bench_for(services: Services, jobs: Jobs, login: str, workstation: str = "WS-01", *,
              directory: Services | None = None) -> Workbench:
    """What a window for ``login`` is built with after they signed in at ``workstation``.

    Args:
        directory: where to look the agent up, when ``services`` is wrapped by a test
            that counts calls (signing in happens before the window: not the window's call).
    """
    agent = (directory or services).agents.get(login)
    return Workbench.create(door_for(services, agent, workstation), jobs, agent)
