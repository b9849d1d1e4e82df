"""Demo set-up for the supervisor monitor: a business calendar, queue settings,
agent states and post-contact surveys, all drawn from one seeded random stream.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, select

from console.demo.bulk import table_of
from console.domain import AgentState, ContactStatus, Role
from console.store.models import Agent, AgentStateEvent, Contact, Queue
from console.store.models_sla import (
    BusinessCalendar,
    BusinessHours,
    CalendarHoliday,
    QueueSettings,
    SurveyResponse,
)

CALENDAR = "Tokyo office"
SURVEY_SHARE = 0.3
_STATES = (AgentState.AVAILABLE, AgentState.ON_CONTACT, AgentState.ON_CONTACT,
           AgentState.WRAP_UP, AgentState.BREAK, AgentState.OFFLINE)


def seed_sla(conn: Connection, rng: random.Random, now: datetime) -> int:
    """Inserts the calendar, queue settings, agent states and surveys.

    Returns:
        How many survey answers were written.
    """
    _calendar(conn, now)  # demo contacts keep 24x7 dues; the calendar is there to be assigned
    queues = conn.execute(select(Queue.id).order_by(Queue.id)).scalars().all()
    conn.execute(insert(table_of(QueueSettings)), [
        {"queue_id": q, "calendar_id": None, "priority": 2 if i == 0 else 3,
         "service_level_goal": 0.8, "answer_target_s": 20} for i, q in enumerate(queues)])
    _agent_states(conn, rng, now)
    return _surveys(conn, rng, now)


def _calendar(conn: Connection, now: datetime) -> None:
    import holidays

    cal_id = conn.execute(insert(table_of(BusinessCalendar)).returning(BusinessCalendar.id),
                          {"name": CALENDAR, "timezone": "Asia/Tokyo"}).scalar_one()
    conn.execute(insert(table_of(BusinessHours)), [
        {"calendar_id": cal_id, "weekday": d, "opens_min": 540, "closes_min": 1080}
        for d in range(5)])
    years = [now.year - 1, now.year, now.year + 1]
    days = sorted(holidays.country_holidays("JP", years=years, language="en_US").items())
    conn.execute(insert(table_of(CalendarHoliday)), [
        {"calendar_id": cal_id, "day": d, "name": name[:120]} for d, name in days])


def _agent_states(conn: Connection, rng: random.Random, now: datetime) -> None:
    rows = conn.execute(select(Agent.id, Agent.role).order_by(Agent.id)).all()
    conn.execute(insert(table_of(AgentStateEvent)), [
        {"agent_id": a, "state": rng.choice(_STATES) if str(role) != Role.ADMIN
         else AgentState.OFFLINE, "started_at": now - timedelta(seconds=rng.randrange(60, 3600)),
         "reason": ""} for a, role in rows])


def _surveys(conn: Connection, rng: random.Random, now: datetime) -> int:
    since = now - timedelta(days=2)
    ids = conn.execute(select(Contact.id, Contact.resolved_at)
                       .where(Contact.status.in_((ContactStatus.RESOLVED, ContactStatus.CLOSED)),
                              Contact.resolved_at >= since).order_by(Contact.id)).all()
    rows = []
    for contact_id, resolved_at in ids:
        if rng.random() >= SURVEY_SHARE or resolved_at is None:
            continue
        at = min(now, resolved_at + timedelta(minutes=rng.randrange(1, 60)))
        rows.append({"contact_id": contact_id, "kind": "csat", "created_at": at,
                     "score": rng.choices((1, 2, 3, 4, 5), (3, 4, 10, 35, 48))[0]})
        rows.append({"contact_id": contact_id, "kind": "nps", "created_at": at,
                     "score": rng.choices(range(11), (2, 1, 1, 2, 2, 4, 6, 10, 18, 24, 30))[0]})
        if rng.random() < 0.5:
            rows.append({"contact_id": contact_id, "kind": "ces", "created_at": at,
                         "score": rng.choices(range(1, 8), (2, 3, 6, 10, 20, 30, 29))[0]})
    if rows:
        conn.execute(insert(table_of(SurveyResponse)), rows)
    return len(rows)
