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
