"""Agents: who works here, which queues they take, and their state (available, break...)."""

from __future__ import annotations

import builtins
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import AgentInfo, AgentState, QueueInfo, Role, Written
from console.domain.staff import StateNow
from console.errors import ValidationError
from console.services.rows import agent_by_login, already_applied
from console.store import changes
from console.store.db import Database
from console.store.models import Agent, AgentQueue, AgentStateEvent, Queue, Team


class AgentService:
    """Reading agents and queues; recording agent state changes.

    Args:
        db: the database.
        clock: where "now" comes from.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def list(self) -> builtins.list[AgentInfo]:
        with self._db.read() as s:
            agents = s.execute(select(Agent).where(Agent.active).order_by(Agent.login)).scalars()
            teams = {t.id: t.name for t in s.execute(select(Team)).scalars()}
            queues: dict[int, list[str]] = defaultdict(list)
            for agent_id, name in s.execute(
                    select(AgentQueue.agent_id, Queue.name).join(Queue).order_by(Queue.name)):
                queues[agent_id].append(name)
            return [_info(a, teams.get(a.team_id or -1), queues[a.id]) for a in agents]

    def get(self, login: str) -> AgentInfo:
        with self._db.read() as s:
            agent = agent_by_login(s, login)
            team = s.get(Team, agent.team_id) if agent.team_id else None
            names = s.execute(select(Queue.name).join(AgentQueue)
                              .where(AgentQueue.agent_id == agent.id).order_by(Queue.name))
            return _info(agent, team.name if team else None, list(names.scalars()))

    def queues(self) -> builtins.list[QueueInfo]:
        with self._db.read() as s:
            rows = s.execute(select(Queue).order_by(Queue.name)).scalars()
            return [QueueInfo(q.id, q.name, q.description, q.language,
                              q.first_response_target_s, q.resolution_target_s, q.warning_ratio)
                    for q in rows]

    def state(self, login: str) -> StateNow:
        """The agent's latest state event (Offline when there is none)."""
        with self._db.read() as s:
            agent = agent_by_login(s, login)
            last = s.execute(select(AgentStateEvent).where(AgentStateEvent.agent_id == agent.id)
                             .order_by(AgentStateEvent.started_at.desc(),
                                       AgentStateEvent.id.desc()).limit(1)).scalar()
            if last is None:
                return StateNow(AgentState.OFFLINE, None)
            return StateNow(AgentState(last.state), last.started_at)

    def set_state(self, login: str, state: AgentState, reason: str = "", *,
                  at: datetime | None = None,
                  idempotency_key: str | None = None) -> Written[StateNow]:
        """Records a state change (a no-op when the agent is already in that state).

        Args:
            at: when the agent changed state, for a change kept offline (default: now).
            idempotency_key: a replayed outbox entry with this key is applied once.
        """
        if len(reason) > 120:
            raise ValidationError("The reason is too long (120 characters at most).")
        current = self.state(login)
        if current.state == state:
            return Written(current, changes.nothing())
        now = min(at, self._clock.now()) if at is not None else self._clock.now()
        with self._db.write() as s:
            if idempotency_key and already_applied(s, idempotency_key, self._clock.now()):
                return Written(self.state(login), changes.collector(s))
            agent = agent_by_login(s, login)
            record_state(s, agent.id, state, now, reason)
            return Written(StateNow(state, now), changes.collector(s))


def current_state(s: Session, agent_id: int) -> AgentState:
    """The agent's latest state (Offline when there is none), in the caller's session."""
    last = s.execute(select(AgentStateEvent.state).where(AgentStateEvent.agent_id == agent_id)
                     .order_by(AgentStateEvent.started_at.desc(), AgentStateEvent.id.desc())
                     .limit(1)).scalar()
    return AgentState.OFFLINE if last is None else AgentState(last)


def record_state(s: Session, agent_id: int, state: AgentState, at: datetime,
                 reason: str = "") -> bool:
    """Records a state change in the caller's transaction (the phone system's answer and
    hang-up move agents too); False, and nothing written, when the agent is in it already."""
    if current_state(s, agent_id) == state:
        return False
    s.add(AgentStateEvent(agent_id=agent_id, state=state, started_at=at, reason=reason[:120]))
    changes.record(s, "agent", agent_id)
    return True


def _info(agent: Agent, team: str | None, queues: list[str]) -> AgentInfo:
    return AgentInfo(agent.id, agent.login, agent.name, Role(agent.role), team,
                     tuple(agent.skills or ()), tuple(agent.languages or ()), tuple(queues))
