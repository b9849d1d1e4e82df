"""The supervisor monitor's SQL: aggregates per queue and per agent, run in one read session.

Counting happens in the database; only the rows a formula needs one by one
(first responses decided today, contacts resolved today) come back to Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from console.domain import AgentState, Channel, ContactEventKind, ContactStatus
from console.domain.calls import ABANDONED_DISPOSITION, CallDirection
from console.store.models import Agent, AgentQueue, AgentStateEvent, Contact, ContactEvent, Queue
from console.store.models_channels import PhoneCall
from console.store.models_sla import QueueSettings, SurveyResponse

ENDED = (ContactStatus.RESOLVED, ContactStatus.CLOSED)
WAITING = (ContactStatus.NEW, ContactStatus.OPEN)
ACTIVE = (ContactStatus.NEW, ContactStatus.OPEN, ContactStatus.PENDING)
REPEAT_WINDOW = timedelta(days=7)


# Calls an agent placed: not offered to the queue, so neither arrivals nor answers.
_OUTBOUND_CALL = exists().where(PhoneCall.contact_id == Contact.id,
                                PhoneCall.direction == CallDirection.OUT.value)


@dataclass(frozen=True)
class Resolved:
    """A contact resolved in the window, with what AHT, ART and FCR need.

    Attributes:
        answered_at: a phone contact's first answered call (None: no call was answered).
        call_ended_at: when its last call ended (None while one is still on).
    """

    queue_id: int
    assignee_id: int | None
    created_at: datetime
    claimed_at: datetime | None
    resolved_at: datetime
    first_time: bool
    answered_at: datetime | None = None
    call_ended_at: datetime | None = None

    @property
    def handle_s(self) -> float | None:
        """Handle time: for an answered call, talk + wrap-up (answer to the later of hang-up
        and resolution); for everything else, first claim to resolution."""
        if self.answered_at is not None:
            end = max(self.resolved_at, self.call_ended_at or self.resolved_at)
            return (end - self.answered_at).total_seconds()
        if self.claimed_at is None:
            return None
        return (self.resolved_at - self.claimed_at).total_seconds()


def queues(s: Session) -> list[tuple[int, str, int, float, int]]:
    """(id, name, priority, service-level goal, answer target s) of every queue."""
    rows = s.execute(
        select(Queue.id, Queue.name, func.coalesce(QueueSettings.priority, 3),
               func.coalesce(QueueSettings.service_level_goal, 0.8),
               func.coalesce(QueueSettings.answer_target_s, 20))
        .outerjoin(QueueSettings, QueueSettings.queue_id == Queue.id).order_by(Queue.name))
    return [(r[0], r[1], int(r[2]), float(r[3]), int(r[4])) for r in rows]


def waiting(s: Session) -> dict[int, tuple[int, datetime]]:
    """queue id -> (unassigned contacts waiting, oldest created_at)."""
    rows = s.execute(select(Contact.queue_id, func.count(), func.min(Contact.created_at))
                     .where(Contact.status.in_(WAITING), Contact.assignee_id.is_(None))
                     .group_by(Contact.queue_id))
    return {q: (int(n), oldest) for q, n, oldest in rows}


def breaches(s: Session, now: datetime) -> dict[int, int]:
    """queue id -> active contacts past a running due time."""
    late = or_(and_(Contact.first_response_at.is_(None), Contact.first_response_due < now),
               Contact.resolution_due < now)
    rows = s.execute(select(Contact.queue_id, func.count())
                     .where(Contact.status.in_(ACTIVE), late).group_by(Contact.queue_id))
    return {q: int(n) for q, n in rows}


def first_responses(s: Session, start: datetime, now: datetime,
                    ) -> list[tuple[int, datetime | None, datetime | None]]:
    """(queue id, answered_at, due) of contacts answered, or due unanswered, in [start, now]."""
    rows = s.execute(select(Contact.queue_id, Contact.first_response_at, Contact.first_response_due)
                     .where(~_OUTBOUND_CALL, or_(and_(Contact.first_response_at >= start,
                                     Contact.first_response_at <= now),
                                and_(Contact.first_response_at.is_(None),
                                     Contact.first_response_due >= start,
                                     Contact.first_response_due <= now))))
    return [(r[0], r[1], r[2]) for r in rows]


def arrivals(s: Session, start: datetime) -> dict[int, tuple[int, int]]:
    """queue id -> (contacts created since start, of which ended without ever being claimed).

    An abandoned call (console.services.calls) is one of those: resolved, unassigned,
    disposition ``abandoned``. Calls agents placed are no arrivals.
    """
    gone = or_(Contact.assignee_id.is_(None), Contact.disposition_code == ABANDONED_DISPOSITION)
    abandoned = func.sum(case((and_(Contact.status.in_(ENDED), gone), 1), else_=0))
    rows = s.execute(select(Contact.queue_id, func.count(), abandoned)
                     .where(Contact.created_at >= start, ~_OUTBOUND_CALL)
                     .group_by(Contact.queue_id))
    return {q: (int(n), int(a or 0)) for q, n, a in rows}


def per_channel(s: Session, start: datetime) -> list[tuple[Channel, int]]:
    rows = s.execute(select(Contact.channel, func.count()).where(Contact.created_at >= start)
                     .group_by(Contact.channel).order_by(Contact.channel))
    return [(Channel(c), int(n)) for c, n in rows]


def resolved(s: Session, start: datetime, now: datetime) -> list[Resolved]:
    """Contacts resolved in [start, now], with their first claim and whether FCR holds."""
    claimed = (select(func.min(ContactEvent.created_at))
               .where(ContactEvent.contact_id == Contact.id,
                      ContactEvent.kind == ContactEventKind.CLAIMED)
               .correlate(Contact).scalar_subquery())
    reopened = exists().where(ContactEvent.contact_id == Contact.id,
                              ContactEvent.kind == ContactEventKind.REOPENED)
    answered = (select(func.min(PhoneCall.answered_at)).where(PhoneCall.contact_id == Contact.id)
                .correlate(Contact).scalar_subquery())
    hung_up = (select(func.max(PhoneCall.ended_at)).where(PhoneCall.contact_id == Contact.id)
               .correlate(Contact).scalar_subquery())
    rows = s.execute(select(Contact.id, Contact.queue_id, Contact.assignee_id, Contact.created_at,
                            claimed, Contact.resolved_at, reopened, Contact.customer_id,
                            answered, hung_up)
                     .where(Contact.resolved_at >= start, Contact.resolved_at <= now,
                            Contact.status.in_(ENDED))).all()
    repeats = _repeats(s, [(r[0], r[7], r[3]) for r in rows])
    return [Resolved(r[1], r[2], r[3], r[4], r[5], not r[6] and r[0] not in repeats, r[8], r[9])
            for r in rows if r[5] is not None]


def _repeats(s: Session, contacts: list[tuple[int, int | None, datetime]]) -> set[int]:
    """Ids among (id, customer, created) whose customer had another contact in the 7 days before."""
    known = [(cid, cust, at) for cid, cust, at in contacts if cust is not None]
    if not known:
        return set()
    since = min(at for _, _, at in known) - REPEAT_WINDOW
    history: dict[int, list[tuple[int, datetime]]] = {}
    for cid, cust, at in s.execute(select(Contact.id, Contact.customer_id, Contact.created_at)
                                   .where(Contact.customer_id.in_({c for _, c, _ in known}),
                                          Contact.created_at >= since)):
        if cust is not None:
            history.setdefault(cust, []).append((cid, at))
    return {cid for cid, cust, at in known
            if any(other != cid and at - REPEAT_WINDOW <= when < at
                   for other, when in history.get(cust, []))}


def lifetimes(s: Session, start: datetime) -> list[tuple[datetime, datetime | None, datetime | None]]:
    """(created, first claimed, resolved) of contacts alive at some point since ``start``."""
    claimed = (select(func.min(ContactEvent.created_at))
               .where(ContactEvent.contact_id == Contact.id,
                      ContactEvent.kind == ContactEventKind.CLAIMED)
               .correlate(Contact).scalar_subquery())
    rows = s.execute(select(Contact.created_at, claimed, Contact.resolved_at)
                     .where(or_(Contact.status.in_(ACTIVE), Contact.resolved_at >= start)))
    return [(r[0], r[1], r[2]) for r in rows]


def latest_states(s: Session) -> dict[int, tuple[AgentState, datetime]]:
    """agent id -> (current state, since when)."""
    newest = (select(AgentStateEvent.agent_id, func.max(AgentStateEvent.id).label("last_id"))
              .group_by(AgentStateEvent.agent_id).subquery())
    rows = s.execute(select(AgentStateEvent.agent_id, AgentStateEvent.state,
                            AgentStateEvent.started_at)
                     .join(newest, newest.c.last_id == AgentStateEvent.id))
    return {a: (AgentState(st), at) for a, st, at in rows}


def agents(s: Session) -> list[tuple[int, str, str]]:
    rows = s.execute(select(Agent.id, Agent.login, Agent.name).where(Agent.active)
                     .order_by(Agent.login))
    return [(r[0], r[1], r[2]) for r in rows]


def memberships(s: Session) -> list[tuple[int, int]]:
    """(agent id, queue id) pairs."""
    return [(a, q) for a, q in s.execute(select(AgentQueue.agent_id, AgentQueue.queue_id))]


def current_contacts(s: Session) -> dict[int, tuple[int, str]]:
    """agent id -> (contact id, subject) of the open contact they touched last."""
    rows = s.execute(select(Contact.assignee_id, Contact.id, Contact.subject)
                     .where(Contact.status == ContactStatus.OPEN, Contact.assignee_id.is_not(None))
                     .order_by(Contact.updated_at))
    return {a: (c, subj) for a, c, subj in rows if a is not None}


def survey_scores(s: Session, start: datetime) -> dict[str, list[int]]:
    """survey kind -> scores given since ``start``."""
    out: dict[str, list[int]] = {}
    for kind, score in s.execute(select(SurveyResponse.kind, SurveyResponse.score)
                                 .where(SurveyResponse.created_at >= start)):
        out.setdefault(kind, []).append(int(score))
    return out
