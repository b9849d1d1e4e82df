"""Opening the console window from a tool: whose window, and the door it holds.

A tool (screenshot, window benchmark) opens the window for a named agent
without a password: it is run by a developer against a database of their
own. The window still gets only that agent's Door, as after a sign-in.
"""

from __future__ import annotations

import socket

from console.app import Services
from console.domain import AgentInfo, Role
from console.errors import NotFound
from console.security.guard import Door, authorize
from console.security.principal import Principal


def resolve_agent(services: Services, login: str | None) -> AgentInfo:
    """The agent whose window to open: ``login``, else the first agent with the agent role.

    Raises:
        NotFound: no such login, or no agents at all.
    """
    if login:
        return services.agents.get(login)
    agents = services.agents.list()
    for agent in agents:
        if agent.role == Role.AGENT:
            return agent
    if agents:
        return agents[0]
    raise NotFound("There are no agents yet; create one (or run 'switchboard demo') first.")


def door_for(services: Services, agent: AgentInfo) -> Door:
    """The door ``agent`` would hold after signing in on this machine."""
    principal = Principal(agent.id, agent.login, agent.name, agent.role, socket.gethostname()[:120])
    return authorize(services, principal)
