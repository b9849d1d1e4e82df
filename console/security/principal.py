"""The signed-in person every guarded service call and audit entry is attributed to."""

from __future__ import annotations

from dataclasses import dataclass

from console.domain import Role


@dataclass(frozen=True, slots=True)
class Principal:
    """A member of staff signed in at a workstation.

    Attributes:
        id: the agent's id (audit entries point at it).
        login: the agent's login.
        name: the display name, for messages.
        role: what the person may do (console.security.permissions).
        workstation: where they signed in (audit entries record it).
        os_user: the operating-system account that started the program (the
            command line records it; audit entries name it when it is set).
    """

    id: int
    login: str
    name: str
    role: Role
    workstation: str = ""
    os_user: str = ""
