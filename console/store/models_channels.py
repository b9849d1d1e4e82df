"""Tables for channel accounts, mailbox intake, inbound mail, attachments and the delivery queue.

Registered on the shared Base by console.store.models. An account's secret
never lives here: ``secret_ref`` says where it is (console.channels.secrets).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from console.domain.channel_accounts import ChannelKind, DeliveryState
from console.store.models import Base, BigId, _enum
from console.store.types import UTCDateTime


class ChannelAccount(Base):
    """A mailbox (later: a LINE channel, a Twilio number...) that feeds one queue."""

    __tablename__ = "channel_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ChannelKind] = mapped_column(_enum(ChannelKind, "channel_kind"))
    name: Mapped[str] = mapped_column(String(80), unique=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), index=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secret_ref: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChannelIntake(Base):
    """What the gateway knows about an account's mailbox: its position, its lease, its health.

    Kept apart from the account so a gateway's frequent writes never touch the
    row an administrator edits.
    """

    __tablename__ = "channel_intake"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="CASCADE"), primary_key=True)
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    lease_holder: Mapped[str | None] = mapped_column(String(120))
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeliveryJobRow(Base):
    """One outgoing message on its way out: written with the message, in its transaction."""

    __tablename__ = "delivery_jobs"
    __table_args__ = (Index("ix_delivery_jobs_state_next", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id"), unique=True)
    # SET NULL: removing an account keeps the record of what it delivered.
    channel_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="SET NULL"), index=True)
    state: Mapped[DeliveryState] = mapped_column(_enum(DeliveryState, "delivery_state"))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    rfc822_message_id: Mapped[str] = mapped_column(String(255), unique=True)
    smtp_response: Mapped[str | None] = mapped_column(String(500))
    # How a messaging reply went out (LINE: "reply" with the reply token, or "push").
    method: Mapped[str | None] = mapped_column(String(16))
    # The provider's id of what it sent (Twilio's SM…, LINE's, Messenger's mid): its delivery
    # reports name it.
    provider_message_id: Mapped[str | None] = mapped_column(String(120), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())



class InboundMailRecord(Base):
    """Every message a gateway took in from a mailbox, customer mail or not (issue 11).

    The unique (account, Message-ID) pair is what takes each message in once
    even when UIDVALIDITY changes and a mailbox is read again from the start.
    A message with no Message-ID is known by a digest of its bytes. Mail that
    opens or joins a contact points at the message it became; auto-replies,
    list mail and bounces are kept here only, with what they were.
    """

    __tablename__ = "inbound_mail"
    __table_args__ = (UniqueConstraint("account_id", "rfc822_message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # SET NULL: removing an account keeps the record of what it took in.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="SET NULL"))
    rfc822_message_id: Mapped[str] = mapped_column(String(255), index=True)
    message_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("messages.id"), unique=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    from_address: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    in_reply_to: Mapped[str] = mapped_column(String(255), default="")
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    problems: Mapped[list[str]] = mapped_column(JSON, default=list)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MessageAttachment(Base):
    """A file that came with a message: kept, or recorded with why it was not."""

    __tablename__ = "message_attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("messages.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(BigInteger)
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    inline: Mapped[bool] = mapped_column(Boolean, default=False)
    content_id: Mapped[str] = mapped_column(String(255), default="")
    # Why the bytes are not kept (over the size limit), or a note on what they are
    # (the original bytes of text no character set explains). None: kept as sent.
    note: Mapped[str | None] = mapped_column(String(300))


class ChannelEvent(Base):
    """One webhook request a gateway accepted, stored before it was acknowledged (issue 12).

    The raw body is kept as received, so processing (after the answer) can be
    retried and a provider's redelivery recognised: (account, event id) is
    unique — the provider's own id (LINE ``webhookEventId``, Twilio
    ``MessageSid``, Messenger ``mid``), else a digest of the body.
    """

    __tablename__ = "channel_events"
    __table_args__ = (UniqueConstraint("account_id", "event_id"),
                      Index("ix_channel_events_state_received", "state", "received_at"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="SET NULL"))
    event_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40), default="")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # pending (to process), done, ignored (an event the gateway does not know), failed.
    state: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_by: Mapped[str | None] = mapped_column(String(120))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    error: Mapped[str | None] = mapped_column(Text)


class CustomerIdentity(Base):
    """A customer's identity on a messaging channel: a LINE user id, a Messenger PSID, a chat.

    Phones and e-mail addresses have their own tables (customer_phones,
    customer_emails). An identity belongs to one customer; linking it to
    another moves it (audited).
    """

    __tablename__ = "customer_identities"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PhoneCall(Base):
    """A call the phone system reported (CTI events), and the contact it is."""

    __tablename__ = "phone_calls"
    __table_args__ = (UniqueConstraint("account_id", "call_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("channel_accounts.id", ondelete="SET NULL"))
    call_id: Mapped[str] = mapped_column(String(120))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    direction: Mapped[str] = mapped_column(String(4))
    caller: Mapped[str] = mapped_column(String(40), default="")
    callee: Mapped[str] = mapped_column(String(40), default="")
    # ringing, talking, ended, abandoned
    state: Mapped[str] = mapped_column(String(12))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    ringing_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cause: Mapped[str] = mapped_column(String(60), default="")
