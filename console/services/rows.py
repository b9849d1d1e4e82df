"""Shared row shapes: the columns and conversions several services need."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session, aliased

from console.domain import Channel, ContactRow, ContactStatus, Priority
from console.errors import NotFound
from console.masking import mask_digit_runs
from console.store.models import Agent, AppliedRequest, Contact, Customer, Queue

Assignee = aliased(Agent, name="assignee")

CUSTOMER_NAME_COLUMNS = (
    Customer.given_name,
    Customer.family_name,
    Customer.given_name_kanji,
    Customer.family_name_kanji,
    Customer.language,
)


def display_name(
    given: str | None,
    family: str | None,
    given_kanji: str | None = None,
    family_kanji: str | None = None,
    language: str | None = None,
) -> str:
    """How a customer is named on screen: kanji order for Japanese customers."""
    if language == "ja" and family_kanji:
        return f"{family_kanji} {given_kanji or ''}".strip()
    return f"{given or ''} {family or ''}".strip()


def contact_select() -> Select[Any]:
    """The inbox row query: contact, queue, customer name and assignee in one pass."""
    stmt: Select[Any] = (
        select(  # type: ignore[assignment]  # a 20-column row type; callers read rows by name
            Contact.id, Contact.channel, Contact.status, Contact.priority, Contact.subject,
            Contact.preview, Contact.queue_id, Queue.name.label("queue_name"),
            Contact.customer_id, *CUSTOMER_NAME_COLUMNS, Contact.assignee_id,
            Assignee.login.label("assignee_login"), Assignee.name.label("assignee_name"),
            Contact.created_at, Contact.first_response_at, Contact.resolved_at,
            Contact.first_response_due, Contact.resolution_due, Contact.updated_at,
            Contact.version,
        )
        .join(Queue, Queue.id == Contact.queue_id)
        .outerjoin(Customer, Customer.id == Contact.customer_id)
        .outerjoin(Assignee, Assignee.id == Contact.assignee_id)
    )
    return stmt


def to_contact_row(r: Any) -> ContactRow:
    return ContactRow(
        id=r.id,
        channel=Channel(r.channel),
        status=ContactStatus(r.status),
        priority=Priority(r.priority),
        subject=mask_digit_runs(r.subject),
        preview=mask_digit_runs(r.preview),
        queue_id=r.queue_id,
        queue_name=r.queue_name,
        customer_id=r.customer_id,
        customer_name=display_name(
            r.given_name, r.family_name, r.given_name_kanji, r.family_name_kanji, r.language
        ) if r.customer_id else "Unknown caller",
        assignee_id=r.assignee_id,
        assignee_login=r.assignee_login,
        assignee_name=r.assignee_name,
        created_at=r.created_at,
        first_response_at=r.first_response_at,
        resolved_at=r.resolved_at,
        first_response_due=r.first_response_due,
        resolution_due=r.resolution_due,
        updated_at=r.updated_at,
        version=r.version,
    )


# Built once: the four-table select cost ~0.1 ms to construct on every claim or reply.
_ROW_BY_ID = contact_select().where(Contact.id == bindparam("contact_id"))
_AGENT_BY_LOGIN = select(Agent).where(Agent.login == bindparam("login"))


def load_contact_row(session: Session, contact_id: int) -> ContactRow:
    session.flush()  # the Core read below must see this session's pending changes
    row = session.connection().execute(_ROW_BY_ID, {"contact_id": contact_id}).one_or_none()
    if row is None:
        raise NotFound(f"There is no contact {contact_id}.")
    return to_contact_row(row)


def agent_by_login(session: Session, login: str) -> Agent:
    agent = session.execute(_AGENT_BY_LOGIN, {"login": login}).scalar_one_or_none()
    if agent is None or not agent.active:
        raise NotFound(f"There is no active agent with login '{login}'.")
    return agent


def queue_by_name(session: Session, name: str) -> Queue:
    queue = session.execute(select(Queue).where(Queue.name == name)).scalar_one_or_none()
    if queue is None:
        raise NotFound(f"There is no queue named '{name}'.")
    return queue


def already_applied(s: Session, key: str, now: datetime) -> bool:
    """True when a write with this key was applied before; else records it in this transaction."""
    if s.get(AppliedRequest, key) is not None:
        return True
    s.add(AppliedRequest(key=key, applied_at=now))
    return False
