"""A customer's timeline: contacts, messages, notes and handling events, newest first.

Three SELECTs joined by UNION ALL and paged by (time, key), so each page is
one indexed query however long the customer's history is.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, cast, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from console.domain import Channel, ContactEventKind, TimelineEntry, TimelinePage
from console.errors import ValidationError
from console.masking import mask_digit_runs
from console.store.models import Agent, Contact, ContactEvent, Message

TEXT_LIMIT = 500


def _timeline(customer_id: int, channel: Channel | None) -> Any:
    mine = [Contact.customer_id == customer_id]
    if channel is not None:
        mine.append(Contact.channel == channel)
    opened = select(
        Contact.created_at.label("at"), literal("contact").label("kind"),
        Contact.channel.label("channel"), Contact.id.label("contact_id"),
        Contact.subject.label("subject"), literal(None, String).label("agent"),
        Contact.preview.label("text"), (literal("c:") + cast(Contact.id, String)).label("key"),
    ).where(*mine)
    messages = select(
        Message.created_at, cast(Message.kind, String), Contact.channel, Contact.id,
        Contact.subject, Agent.name, func.substr(Message.body, 1, TEXT_LIMIT),
        literal("m:") + cast(Message.id, String),
    ).join(Contact, Contact.id == Message.contact_id).outerjoin(
        Agent, Agent.id == Message.author_agent_id).where(*mine)
    events = select(
        ContactEvent.created_at, cast(ContactEvent.kind, String), Contact.channel, Contact.id,
        Contact.subject, Agent.name, ContactEvent.detail,
        literal("e:") + cast(ContactEvent.id, String),
    ).join(Contact, Contact.id == ContactEvent.contact_id).outerjoin(
        Agent, Agent.id == ContactEvent.agent_id).where(
        *mine, ContactEvent.kind != ContactEventKind.CREATED)
    return union_all(opened, messages, events).subquery("timeline")


def page(session: Session, customer_id: int, channel: Channel | None, cursor: str | None,
         limit: int) -> TimelinePage:
    if not 1 <= limit <= 500:
        raise ValidationError("A history page holds between 1 and 500 entries.")
    t = _timeline(customer_id, channel)
    stmt = select(t).order_by(t.c.at.desc(), t.c.key.desc()).limit(limit)
    if cursor:
        at, key = _decode(cursor)
        stmt = stmt.where(or_(t.c.at < at, and_(t.c.at == at, t.c.key < key)))
    rows = session.execute(stmt).all()
    entries = tuple(
        TimelineEntry(at=r.at, kind=r.kind, channel=Channel(r.channel), contact_id=r.contact_id,
                      subject=mask_digit_runs(r.subject), agent=r.agent,
                      text=mask_digit_runs(r.text or ""), key=r.key)
        for r in rows
    )
    last = entries[-1] if len(entries) == limit else None
    return TimelinePage(entries, _encode(last.at, last.key) if last else None)


def _encode(at: datetime, key: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([at.isoformat(), key]).encode()).decode()


def _decode(cursor: str) -> tuple[datetime, str]:
    try:
        at, key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(at), str(key)
    except (ValueError, TypeError) as exc:
        raise ValidationError("The history position is not valid; reload the history.") from exc
