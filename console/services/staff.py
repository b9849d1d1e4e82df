"""Managing who may sign in: roles, unlocking, deactivating (administrators).

Every change is written to the audit log with the old and new value, in the
same transaction. The one change nobody signs in for is the first
administrator of a database that has none (``switchboard users create-admin``).
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import AgentInfo, Role
from console.errors import NotFound, NotPermitted, ValidationError
from console.security.principal import Principal
from console.services import audit
from console.services.admin import AdminService
from console.services.auth import AuthService, check_password
from console.store import changes
from console.store.db import Database
from console.store.models import Agent
from console.store.models_security import RememberToken


class StaffService:
    """Roles and sign-in state of staff accounts.

    Args:
        db: the database.
        clock: where "now" comes from.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def set_role(self, login: str, role: Role, *, actor: Principal | None = None) -> None:
        """Gives a person another role (agent, supervisor, branch, admin)."""
        if not isinstance(role, Role) or role not in Role.of_people():
            raise ValidationError(
                f"Unknown role '{role}'; use {', '.join(r.value for r in Role.of_people())}.")
        with self._db.write() as s:
            agent = _agent(s, login)
            old = Role(agent.role)
            if actor is not None and actor.id == agent.id and role is not Role.ADMIN:
                raise ValidationError("You cannot take the admin role from yourself.")
            if old is role:
                return
            agent.role = role
            self._changed(s, agent, actor, {"role": {"old": old.value, "new": role.value}})

    def unlock(self, login: str, *, actor: Principal | None = None) -> None:
        """Lifts a sign-in lockout before it runs out."""
        with self._db.write() as s:
            agent = _agent(s, login)
            agent.failed_logins, agent.locked_until = 0, None
            self._changed(s, agent, actor, {"unlocked": True})

    def deactivate(self, login: str, *, actor: Principal | None = None) -> None:
        """Stops a person signing in (a leaver) and forgets their remembered sign-ins."""
        with self._db.write() as s:
            agent = _agent(s, login)
            if actor is not None and actor.id == agent.id:
                raise ValidationError("You cannot deactivate your own account.")
            agent.active = False
            s.execute(delete(RememberToken).where(RememberToken.agent_id == agent.id))
            self._changed(s, agent, actor, {"active": {"old": True, "new": False}})

    def create_first_admin(self, login: str, name: str, password: str, *,
                           os_user: str = "") -> AgentInfo:
        """Creates an administrator with a password, on a database with no active one.

        Nobody can be signed in to do this (there is nobody to sign in as), so
        it is refused as soon as an active administrator exists: from then on
        administrators create accounts.

        Args:
            os_user: the operating-system account running the set-up (audited).

        Raises:
            NotPermitted: the database has an active administrator.
            ValidationError: the login, name or password cannot be accepted.
        """
        check_password(password)
        with self._db.write() as s:
            admin = select(Agent.id).where(Agent.role == Role.ADMIN, Agent.active).limit(1)
            if s.execute(admin).first():
                raise NotPermitted("This database has an administrator already; an administrator "
                                   "creates the other accounts.")
            info = AdminService(self._db, self._clock).create_agent(login, name, role=Role.ADMIN)
            AuthService(self._db, self._clock).set_password(info.login, password)
            audit.append(s, at=self._clock.now(), actor=None, action="change", entity="agent",
                         entity_id=info.id, detail={"login": info.login, "first_admin": True,
                                                    "by": "command line", "os_user": os_user[:64]})
        return info

    def _changed(self, s: Session, agent: Agent, actor: Principal | None,
                 detail: dict[str, object]) -> None:
        changes.record(s, "agent", agent.id)
        audit.append(s, at=self._clock.now(), actor=actor, action="change", entity="agent",
                     entity_id=agent.id, detail={"login": agent.login, **detail})


def _agent(s: Session, login: str) -> Agent:
    agent = s.execute(select(Agent).where(Agent.login == login.strip()[:64], Agent.active)).scalar()
    if agent is None:
        raise NotFound(f"There is no active agent '{login[:64]}'.")
    return agent
