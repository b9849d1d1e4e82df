"""A contact's thread: its messages, notes and the customer it belongs to.

Each message comes with its delivery (an outgoing reply's job: its state and, once
sent, how it went — LINE reply or push, SMS, Messenger) and its attachments (never
their bytes). A thread costs a fixed number of queries
however long it is: the delivery is joined to the messages (one job per
message at most), the attachments of every message come in one more query.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain import (
    AttachmentInfo,
    Channel,
    ContactDetail,
    MessageDelivery,
    MessageInfo,
    MessageKind,
)
from console.domain.channel_accounts import DeliveryState
from console.masking import mask_digit_runs
from console.services import customer_cards
from console.services.call_rows import calls_of
from console.services.rows import load_contact_row
from console.store.models import Agent, Contact, Disposition, Message
from console.store.models_channels import DeliveryJobRow, MessageAttachment

_J, _A = DeliveryJobRow, MessageAttachment
_DELIVERY = (_J.id.label("job_id"), _J.state, _J.attempts, _J.next_attempt_at, _J.last_error,
             _J.updated_at.label("job_updated_at"), _J.smtp_response, _J.method)
# ``kept`` is asked of the database: listing a thread never reads an attachment's bytes.
_ATTACHMENT = (_A.id.label("attachment_id"), _A.message_id.label("attachment_of"), _A.filename,
               _A.content_type, _A.size, _A.content.is_not(None).label("kept"), _A.inline,
               _A.note)


def message_info(session: Session, message: Message) -> MessageInfo:
    """One message (flushed) with its delivery and attachments: one query."""
    author = session.get(Agent, message.author_agent_id) if message.author_agent_id else None
    rows = session.execute(
        select(*_DELIVERY, *_ATTACHMENT).select_from(Message)
        .outerjoin(_J, _J.message_id == Message.id)
        .outerjoin(_A, _A.message_id == Message.id)
        .where(Message.id == message.id).order_by(_A.id)).all()
    return MessageInfo(str(message.id), message.contact_id, MessageKind(message.kind),
                       author.name if author else None, mask_digit_runs(message.body),
                       message.created_at, delivery=_delivery(rows[0]) if rows else None,
                       attachments=tuple(_attachment(r) for r in rows
                                         if r.attachment_id is not None))


def messages_of(session: Session, contact_id: int) -> tuple[MessageInfo, ...]:
    """The thread, oldest first: two queries whatever its length."""
    rows = session.execute(
        select(Message.id, Message.contact_id, Message.kind, Agent.name, Message.body,
               Message.created_at, *_DELIVERY)
        .outerjoin(Agent, Agent.id == Message.author_agent_id)
        .outerjoin(_J, _J.message_id == Message.id)
        .where(Message.contact_id == contact_id)
        .order_by(Message.created_at, Message.id)
    ).all()
    files = _attachments(session, contact_id) if rows else {}
    return tuple(MessageInfo(str(r[0]), r[1], MessageKind(r[2]), r[3], mask_digit_runs(r[4]), r[5],
                             delivery=_delivery(r), attachments=tuple(files.get(r[0], ())))
                 for r in rows)


def _attachments(session: Session, contact_id: int) -> dict[uuid.UUID, list[AttachmentInfo]]:
    """The attachments of every message of a contact, by message, in the order they came."""
    found: dict[uuid.UUID, list[AttachmentInfo]] = defaultdict(list)
    for r in session.execute(select(*_ATTACHMENT).join(Message, Message.id == _A.message_id)
                             .where(Message.contact_id == contact_id).order_by(_A.id)):
        found[r.attachment_of].append(_attachment(r))
    return found


def deliveries_of(session: Session, author_id: int,
                  message_ids: list[uuid.UUID]) -> dict[str, MessageDelivery]:
    """The deliveries of those of ``message_ids`` that ``author_id`` wrote, by message id."""
    if not message_ids:
        return {}
    rows = session.execute(select(Message.id, *_DELIVERY).join(_J, _J.message_id == Message.id)
                           .where(Message.id.in_(message_ids),
                                  Message.author_agent_id == author_id))
    return {str(r.id): d for r in rows if (d := _delivery(r)) is not None}


def _delivery(r: Any) -> MessageDelivery | None:
    if r.job_id is None:
        return None
    state = DeliveryState(r.state)
    # last_error lingers while a retry is being sent and is cleared once sent: it
    # explains a failure, or a wait for another try, and nothing else.
    reason = r.last_error if state in (DeliveryState.FAILED, DeliveryState.QUEUED) else None
    return MessageDelivery(
        job_id=r.job_id, state=state, reason=reason or None, attempts=r.attempts,
        next_attempt_at=r.next_attempt_at if state == DeliveryState.QUEUED else None,
        updated_at=r.job_updated_at, smtp_response=r.smtp_response,
        method=r.method)


def _attachment(r: Any) -> AttachmentInfo:
    return AttachmentInfo(id=r.attachment_id, filename=mask_digit_runs(r.filename or ""),
                          content_type=r.content_type, size=r.size, kept=bool(r.kept),
                          inline=bool(r.inline), note=r.note)


def contact_detail(session: Session, contact_id: int,
                   regions: Sequence[str] = ()) -> ContactDetail:
    """The contact as the conversation shows it; a phone contact with its latest call."""
    row = load_contact_row(session, contact_id)
    customer = (customer_cards.summaries(session, [row.customer_id])[0]
                if row.customer_id else None)
    label, follows = session.execute(
        select(Disposition.label, Contact.follows_contact_id)
        .outerjoin(Disposition, Contact.disposition_code == Disposition.code)
        .where(Contact.id == contact_id)).one()
    calls = calls_of(session, contact_id, regions) if row.channel == Channel.PHONE else []
    return ContactDetail(row, customer, messages_of(session, contact_id), label, follows,
                         calls[-1] if calls else None)
