"""A contact's thread: its messages, notes and the customer it belongs to."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain import Channel, ContactDetail, MessageInfo, MessageKind
from console.masking import mask_digit_runs
from console.services import customer_cards
from console.services.call_rows import calls_of
from console.services.rows import load_contact_row
from console.store.models import Agent, Contact, Disposition, Message


def message_info(session: Session, message: Message) -> MessageInfo:
    author = session.get(Agent, message.author_agent_id) if message.author_agent_id else None
    return MessageInfo(str(message.id), message.contact_id, MessageKind(message.kind),
                       author.name if author else None, mask_digit_runs(message.body),
                       message.created_at)


def messages_of(session: Session, contact_id: int) -> tuple[MessageInfo, ...]:
    rows = session.execute(
        select(Message.id, Message.contact_id, Message.kind, Agent.name, Message.body,
               Message.created_at)
        .outerjoin(Agent, Agent.id == Message.author_agent_id)
        .where(Message.contact_id == contact_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    return tuple(MessageInfo(str(r[0]), r[1], MessageKind(r[2]), r[3], mask_digit_runs(r[4]), r[5])
                 for r in rows)


def contact_detail(session: Session, contact_id: int,
                   regions: Sequence[str] = ()) -> ContactDetail:
    """The contact as the conversation shows it; a phone contact with its latest call."""
    row = load_contact_row(session, contact_id)
    customer = (customer_cards.summaries(session, [row.customer_id])[0]
                if row.customer_id else None)
    label = session.execute(
        select(Disposition.label).join(Contact, Contact.disposition_code == Disposition.code)
        .where(Contact.id == contact_id)).scalar()
    calls = calls_of(session, contact_id, regions) if row.channel == Channel.PHONE else []
    return ContactDetail(row, customer, messages_of(session, contact_id), label,
                         calls[-1] if calls else None)
