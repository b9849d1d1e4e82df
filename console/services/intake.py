"""Intake: a new contact arrives from a channel and joins its queue.

Channels (e-mail, chat webhooks, CTI) and the demo call this; it stamps the
SLA due times (console.services.sla_engine: policy and business hours) and
records the first inbound message.
"""

from __future__ import annotations

import uuid

from console.clock import Clock
from console.domain import (
    Channel,
    ContactEventKind,
    ContactRow,
    ContactStatus,
    MessageKind,
    Priority,
)
from console.errors import NotFound, ValidationError
from console.services import sla_engine
from console.services.rows import load_contact_row, queue_by_name
from console.store import changes
from console.store.db import Database
from console.store.models import Contact, ContactEvent, Customer, Message

MAX_SUBJECT = 200


class IntakeService:
    """Creates contacts.

    Args:
        db: the database.
        clock: where "now" comes from.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def create_contact(self, channel: Channel, queue: str, subject: str, body: str = "", *,
                       customer_id: int | None = None, priority: Priority = Priority.NORMAL,
                       external_ref: str | None = None) -> ContactRow:
        subject = " ".join(subject.split())
        if not subject:
            raise ValidationError("A contact needs a subject.")
        if len(subject) > MAX_SUBJECT:
            raise ValidationError(f"The subject is longer than {MAX_SUBJECT} characters.")
        now = self._clock.now()
        with self._db.write() as s:
            q = queue_by_name(s, queue)
            if customer_id is not None and s.get(Customer, customer_id) is None:
                raise NotFound(f"There is no customer {customer_id}.")
            contact = Contact(
                channel=channel, queue_id=q.id, customer_id=customer_id, subject=subject,
                preview=" ".join(body.split())[:200], status=ContactStatus.NEW,
                priority=int(priority), created_at=now, updated_at=now, version=1,
                external_ref=external_ref, sla_paused_s=0,
            )
            sla_engine.stamp(s, contact)
            s.add(contact)
            s.flush()
            if body.strip():
                s.add(Message(id=uuid.uuid4(), contact_id=contact.id, kind=MessageKind.INBOUND,
                              body=body.strip(), created_at=now))
            s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.CREATED,
                               created_at=now, detail=f"via {channel.value}"))
            changes.record(s, "contact", contact.id, "insert")
            s.flush()
            return load_contact_row(s, contact.id)
