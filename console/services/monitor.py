"""The supervisor monitor: live per-queue and per-agent figures, KPIs, chart series.

``snapshot()`` is what the wallboard and ``switchboard queues --json`` show.
"Today" starts at local midnight in the centre's time zone; formulas are in
docs/kpis.md and console.services.kpi.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import AgentState
from console.domain.sla import (
    AgentStats,
    CentreKpis,
    MonitorSnapshot,
    QueueStats,
    SurveyKind,
)
from console.errors import NotFound, ValidationError
from console.services import _monitor_queries as q
from console.services import erlang, kpi
from console.services.business_hours import zone
from console.store import changes
from console.store.db import Database
from console.store.models import Agent, Contact
from console.store.models_sla import SlaBreachNotice, SurveyResponse

ROLLING = timedelta(minutes=30)
STAFFING_INTERVAL_S = 1800
TIMERS = ("first_response", "resolution")


class MonitorService:
    """Supervisor figures, surveys and breach notices.

    Args:
        db: the database.
        clock: where "now" comes from.
        timezone: the centre's IANA time zone; "today" starts at its midnight.
    """

    def __init__(self, db: Database, clock: Clock, timezone: str = "UTC") -> None:
        self._db = db
        self._clock = clock
        self._tz = zone(timezone)

    def day_start(self, now: datetime) -> datetime:
        """Local midnight of ``now``'s day, as an aware datetime."""
        local = now.astimezone(self._tz)
        return datetime.combine(local.date(), time(0), tzinfo=self._tz)

    def snapshot(self) -> MonitorSnapshot:
        now = self._clock.now()
        start = self.day_start(now)
        with self._db.read() as s:
            resolved = q.resolved(s, start, now)
            return MonitorSnapshot(
                at=now, queues=tuple(self._queue_stats(s, now, start, resolved)),
                agents=tuple(self._agent_stats(s, now, resolved)),
                kpis=_centre_kpis(resolved, q.survey_scores(s, start)),
                per_channel=tuple(q.per_channel(s, start)))

    def _queue_stats(self, s: Session, now: datetime, start: datetime,
                     resolved: Sequence[q.Resolved]) -> list[QueueStats]:
        waiting, late = q.waiting(s), q.breaches(s, now)
        arrived = q.arrivals(s, start)
        answers = q.first_responses(s, min(start, now - ROLLING), now)
        available = _available_per_queue(s)
        out = []
        for qid, name, priority, goal, answer_s in q.queues(s):
            n_wait, oldest = waiting.get(qid, (0, now))
            mine = [kpi.FirstResponse(a, d) for queue_id, a, d in answers if queue_id == qid]
            done = [r for r in resolved if r.queue_id == qid]
            aht = kpi.mean(_handle_times(done))
            n_arrived, n_abandoned = arrived.get(qid, (0, 0))
            out.append(QueueStats(
                queue_id=qid, queue=name, priority=priority, waiting=n_wait,
                longest_wait_s=int((now - oldest).total_seconds()) if n_wait else 0,
                service_level_today=kpi.service_level(mine, start, now),
                service_level_30m=kpi.service_level(mine, now - ROLLING, now),
                aht_s=aht, abandonment_rate=kpi.rate(n_abandoned, n_arrived),
                breaches=late.get(qid, 0), arrivals_today=n_arrived, handled_today=len(done),
                agents_available=available.get(qid, 0),
                agents_needed=_staffing(n_arrived, now - start, aht, answer_s, goal)))
        return out

    def _agent_stats(self, s: Session, now: datetime,
                     resolved: Sequence[q.Resolved]) -> list[AgentStats]:
        states, current = q.latest_states(s), q.current_contacts(s)
        out = []
        for aid, login, name in q.agents(s):
            state, since = states.get(aid, (AgentState.OFFLINE, None))
            contact = current.get(aid)
            done = [r for r in resolved if r.assignee_id == aid]
            out.append(AgentStats(
                agent_id=aid, login=login, name=name, state=state, since=since,
                time_in_state_s=int((now - since).total_seconds()) if since else 0,
                current_contact_id=contact[0] if contact else None,
                current_subject=contact[1] if contact else None,
                handled_today=len(done), aht_s=kpi.mean(_handle_times(done))))
        return out

    # -- chart series ----------------------------------------------------
    def waiting_series(self, step: timedelta = timedelta(hours=1)) -> list[tuple[datetime, int]]:
        """Contacts waiting (arrived, not yet claimed or resolved) at each step since midnight."""
        now = self._clock.now()
        start = self.day_start(now)
        with self._db.read() as s:
            lives = q.lifetimes(s, start)
        points = []
        at = start
        while at <= now:
            points.append((at, sum(1 for created, claimed, done in lives
                                   if created <= at and (claimed is None or claimed > at)
                                   and (done is None or done > at))))
            at += step
        return points

    def service_level_series(self, step: timedelta = timedelta(hours=1),
                             ) -> list[tuple[datetime, float | None]]:
        """Service level of the contacts decided in each step since midnight (all queues)."""
        now = self._clock.now()
        start = self.day_start(now)
        with self._db.read() as s:
            rows = [kpi.FirstResponse(a, d) for _, a, d in q.first_responses(s, start, now)]
        points = []
        at = start
        while at < now:
            points.append((at, kpi.service_level(rows, at, min(at + step, now))))
            at += step
        return points

    # -- surveys and breach notices --------------------------------------
    def record_survey(self, contact_id: int, kind: SurveyKind, score: int) -> None:
        """Stores one post-contact survey answer.

        Raises:
            ValidationError: the score is outside the question's range.
        """
        low, high = kind.score_range
        if not low <= score <= high:
            raise ValidationError(f"A {kind.value.upper()} score is {low} to {high}, not {score}.")
        with self._db.write() as s:
            if s.get(Contact, contact_id) is None:
                raise NotFound(f"There is no contact {contact_id}.")
            s.add(SurveyResponse(contact_id=contact_id, kind=kind.value, score=score,
                                 created_at=self._clock.now()))
            changes.record(s, "survey", contact_id, "insert")

    def claim_breach_notice(self, contact_id: int, timer: str, due: datetime,
                            agent_login: str | None = None) -> bool:
        """True exactly once per (contact, timer, due): whoever gets True announces the breach.

        The unique key makes this hold across ticks, windows and workstations.
        """
        if timer not in TIMERS:
            raise ValidationError(f"'{timer}' is not an SLA timer ({', '.join(TIMERS)}).")
        try:
            with self._db.write() as s:
                if s.execute(select(SlaBreachNotice.id).where(
                        SlaBreachNotice.contact_id == contact_id, SlaBreachNotice.timer == timer,
                        SlaBreachNotice.due == due)).first():
                    return False
                agent = (s.execute(select(Agent.id).where(Agent.login == agent_login)).scalar()
                         if agent_login else None)
                s.add(SlaBreachNotice(contact_id=contact_id, timer=timer, due=due,
                                      agent_id=agent, notified_at=self._clock.now()))
        except IntegrityError:
            return False  # another workstation announced it a moment earlier
        return True


def _handle_times(done: Sequence[q.Resolved]) -> list[float]:
    return [t for t in (r.handle_s for r in done) if t is not None]


def _available_per_queue(s: Session) -> dict[int, int]:
    states = q.latest_states(s)
    counts: dict[int, int] = defaultdict(int)
    for agent_id, queue_id in q.memberships(s):
        if states.get(agent_id, (AgentState.OFFLINE,))[0] == AgentState.AVAILABLE:
            counts[queue_id] += 1
    return counts


def _staffing(arrived: int, elapsed: timedelta, aht: float | None, answer_s: int,
              goal: float) -> int | None:
    """Erlang C agents for today's arrival rate per half hour (None without an AHT yet)."""
    seconds = elapsed.total_seconds()
    if aht is None or aht <= 0 or seconds <= 0:
        return None
    per_interval = arrived * STAFFING_INTERVAL_S / max(seconds, STAFFING_INTERVAL_S)
    try:
        return erlang.agents_needed(per_interval, STAFFING_INTERVAL_S, aht, answer_s, goal)
    except ValidationError:
        return None


def _centre_kpis(resolved: Sequence[q.Resolved], surveys: dict[str, list[int]]) -> CentreKpis:
    return CentreKpis(
        fcr=kpi.fcr(len(resolved), sum(1 for r in resolved if r.first_time)),
        art_s=kpi.mean([(r.resolved_at - r.created_at).total_seconds() for r in resolved]),
        csat=kpi.csat(surveys.get("csat", [])), nps=kpi.nps(surveys.get("nps", [])),
        ces=kpi.ces(surveys.get("ces", [])),
        surveys=sum(len(v) for v in surveys.values()))
