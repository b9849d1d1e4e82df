"""Set-up operations: teams, queues, agents and dispositions (admin screens, demo, tests)."""

from __future__ import annotations

import builtins
from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import AgentInfo, QueueInfo, Role
from console.domain.staff import StaffAccount
from console.errors import NotFound, ValidationError
from console.services.agents import AgentService
from console.services.rows import queue_by_name
from console.store import changes
from console.store.db import Database
from console.store.models import Agent, AgentQueue, Disposition, Queue, Team

MAX_LOGIN = 64
# Column widths in console.store.models: longer text is refused, not a database error.
MAX_NAME, MAX_TEAM, MAX_QUEUE, MAX_DESCRIPTION = 120, 80, 80, 255


class AdminService:
    """Creates the things agents work with.

    Args:
        db: the database.
        clock: where "now" comes from.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create_queue(self, name: str, *, description: str = "", language: str | None = None,
                     first_response_target_s: int = 3600, resolution_target_s: int = 86400,
                     warning_ratio: float = 0.8) -> QueueInfo:
        if not name.strip():
            raise ValidationError("A queue needs a name.")
        if len(name) > MAX_QUEUE or len(description) > MAX_DESCRIPTION:
            raise ValidationError(f"A queue name has at most {MAX_QUEUE} characters and its "
                                  f"description at most {MAX_DESCRIPTION}.")
        if first_response_target_s <= 0 or resolution_target_s <= 0:
            raise ValidationError("SLA targets must be positive numbers of seconds.")
        if not 0 < warning_ratio < 1:
            raise ValidationError("The warning threshold is a fraction between 0 and 1.")
        with self._db.write() as s:
            if s.execute(select(Queue.id).where(Queue.name == name)).first():
                raise ValidationError(f"A queue named '{name}' already exists.")
            q = Queue(name=name, description=description, language=language,
                      first_response_target_s=first_response_target_s,
                      resolution_target_s=resolution_target_s, warning_ratio=warning_ratio)
            s.add(q)
            s.flush()
            changes.record(s, "queue", q.id, "insert")
            return QueueInfo(q.id, q.name, q.description, q.language, q.first_response_target_s,
                             q.resolution_target_s, q.warning_ratio)

    def create_agent(self, login: str, name: str, *, role: Role = Role.AGENT,
                     team: str | None = None, queues: Sequence[str] = (),
                     skills: Sequence[str] = (), languages: Sequence[str] = ("en",)) -> AgentInfo:
        login = login.strip()
        if not login or len(login) > MAX_LOGIN or not login.replace(".", "").replace("_", "").isalnum():
            raise ValidationError(f"'{login[:MAX_LOGIN]}' is not a valid login "
                                  "(letters, digits, . and _).")
        if role not in Role.of_people():
            raise ValidationError(f"'{role}' is not a role for a member of staff.")
        if len(name) > MAX_NAME or len(team or "") > MAX_TEAM:
            raise ValidationError(f"A name has at most {MAX_NAME} characters and a team name "
                                  f"at most {MAX_TEAM}.")
        with self._db.write() as s:
            if s.execute(select(Agent.id).where(Agent.login == login)).first():
                raise ValidationError(f"The login '{login}' is taken.")
            agent = Agent(login=login, name=name, role=role, skills=list(skills),
                          languages=list(languages), active=True, created_at=self._clock.now(),
                          team_id=self._team_id(s, team) if team else None)
            s.add(agent)
            s.flush()
            for queue in queues:
                s.add(AgentQueue(agent_id=agent.id, queue_id=queue_by_name(s, queue).id))
            changes.record(s, "agent", agent.id, "insert")
        return AgentService(self._db, self._clock).get(login)

    def assign_agent(self, login: str, *, team: str | None,
                     queues: Sequence[str]) -> StaffAccount:
        """Moves an agent to ``team`` (None: no team) and sets the queues they work.

        Raises:
            NotFound: no such agent or queue (nothing is changed then).
            ValidationError: the team name is too long.
        """
        team = (team or "").strip() or None
        if len(team or "") > MAX_TEAM:
            raise ValidationError(f"A team name has at most {MAX_TEAM} characters.")
        with self._db.write() as s:
            agent = s.execute(select(Agent).where(Agent.login == login)).scalar_one_or_none()
            if agent is None:
                raise NotFound(f"There is no agent with login '{login}'.")
            wanted = {queue_by_name(s, q).id for q in dict.fromkeys(queues)}
            agent.team_id = self._team_id(s, team) if team else None
            have = set(s.execute(select(AgentQueue.queue_id)
                                 .where(AgentQueue.agent_id == agent.id)).scalars())
            if have - wanted:
                s.execute(delete(AgentQueue).where(AgentQueue.agent_id == agent.id,
                                                   AgentQueue.queue_id.in_(have - wanted)))
            s.add_all(AgentQueue(agent_id=agent.id, queue_id=q) for q in wanted - have)
            changes.record(s, "agent", agent.id)
        return next(a for a in self.accounts() if a.login == login)

    def accounts(self) -> builtins.list[StaffAccount]:
        """Every account (active first, then by login), with its team, queues and lockout."""
        now = self._clock.now()
        with self._db.read() as s:
            teams = {t.id: t.name for t in s.execute(select(Team)).scalars()}
            queues: dict[int, list[str]] = defaultdict(list)
            for agent_id, name in s.execute(
                    select(AgentQueue.agent_id, Queue.name).join(Queue).order_by(Queue.name)):
                queues[agent_id].append(name)
            agents = s.execute(select(Agent).order_by(Agent.active.desc(), Agent.login)).scalars()
            return [StaffAccount(a.id, a.login, a.name, Role(a.role), teams.get(a.team_id or -1),
                                 tuple(queues[a.id]), bool(a.active),
                                 a.locked_until if a.locked_until and a.locked_until > now else None)
                    for a in agents]

    def teams(self) -> builtins.list[str]:
        """The names of all teams, alphabetically."""
        with self._db.read() as s:
            return list(s.execute(select(Team.name).order_by(Team.name)).scalars())

    def add_disposition(self, code: str, label: str) -> None:
        if not code.strip() or not label.strip():
            raise ValidationError("A disposition needs a code and a label.")
        with self._db.write() as s:
            existing = s.get(Disposition, code)
            if existing is None:
                s.add(Disposition(code=code, label=label, active=True))
            else:
                existing.label, existing.active = label, True
            changes.record(s, "disposition", code)

    def _team_id(self, s: Session, name: str) -> int:
        team = s.execute(select(Team).where(Team.name == name)).scalar()
        if team is None:
            team = Team(name=name)
            s.add(team)
            s.flush()
        return team.id
