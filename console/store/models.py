"""SQLAlchemy 2.x typed models: one schema for SQLite and PostgreSQL.

Full-text search structures (FTS5 on SQLite, a tsvector column on PostgreSQL)
live in the migrations only, because they differ per backend.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from console.domain import (
    AgentState,
    Channel,
    ContactEventKind,
    ContactStatus,
    MessageKind,
    Role,
)
from console.store.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements an INTEGER PRIMARY KEY, not a BIGINT one.
BigId = BigInteger().with_variant(Integer(), "sqlite")


def _enum(cls: type[Any], name: str) -> Enum:
    """A portable enum column storing the values (not the names) as VARCHAR."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Sign-in lockout (console.services.auth): failures since the last success.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    team: Mapped[Team | None] = relationship()


class Queue(Base):
    __tablename__ = "queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    language: Mapped[str | None] = mapped_column(String(8))
    first_response_target_s: Mapped[int] = mapped_column(Integer, default=3600)
    resolution_target_s: Mapped[int] = mapped_column(Integer, default=86400)
    warning_ratio: Mapped[float] = mapped_column(Float, default=0.8)


class AgentQueue(Base):
    """Which queues an agent works ("my queues")."""

    __tablename__ = "agent_queues"

    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), primary_key=True, index=True)


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str] = mapped_column(String(80))
    family_name: Mapped[str] = mapped_column(String(80))
    given_name_kanji: Mapped[str | None] = mapped_column(String(40))
    family_name_kanji: Mapped[str | None] = mapped_column(String(40))
    given_name_kana: Mapped[str | None] = mapped_column(String(60))
    family_name_kana: Mapped[str | None] = mapped_column(String(60))
    language: Mapped[str] = mapped_column(String(8), default="en")
    segment: Mapped[str] = mapped_column(String(16), default="retail")
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    national_id: Mapped[str | None] = mapped_column(String(32))
    # Normalised search keys (see console.text): lower-case Latin
    # "family given" and "given family", katakana reading and kanji, no spaces.
    name_key: Mapped[str] = mapped_column(String(170), index=True)
    name_key_rev: Mapped[str] = mapped_column(String(170), index=True)
    kana_key: Mapped[str | None] = mapped_column(String(120), index=True)
    kanji_key: Mapped[str | None] = mapped_column(String(80), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)


class CustomerPhone(Base):
    __tablename__ = "customer_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    e164: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="mobile")


class CustomerEmail(Base):
    __tablename__ = "customer_emails"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)


class Account(Base):
    """A bank product held by a customer; ``number`` is digits only."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    product: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(32), unique=True)
    last4: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(16), default="active")
    opened_at: Mapped[date | None] = mapped_column(Date)


class Disposition(Base):
    __tablename__ = "dispositions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Contact(Base):
    """An inbox item: one customer interaction on one channel."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_queue_status_created", "queue_id", "status", "created_at"),
        Index("ix_contacts_assignee_status", "assignee_id", "status"),
        Index("ix_contacts_customer_created", "customer_id", "created_at"),
        Index("ix_contacts_status_created", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "channel"))
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    subject: Mapped[str] = mapped_column(String(200))
    preview: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[ContactStatus] = mapped_column(_enum(ContactStatus, "contact_status"))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    disposition_code: Mapped[str | None] = mapped_column(ForeignKey("dispositions.code"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)
    external_ref: Mapped[str | None] = mapped_column(String(120))
    # A customer's reply after the reopen window opens a new contact that follows the old.
    follows_contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"))
    # SLA pause bookkeeping (issue 5): business seconds spent pending on the
    # customer so far, and since when the clock is stopped (None: running).
    sla_paused_s: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sla_paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Message(Base):
    """A message in a contact's thread, or an internal note (kind=note)."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_contact_created", "contact_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    kind: Mapped[MessageKind] = mapped_column(_enum(MessageKind, "message_kind"))
    author_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    idempotency_key: Mapped[str | None] = mapped_column(String(64), unique=True)


class ContactEvent(Base):
    """Who did what to a contact: claims, transfers, resolutions."""

    __tablename__ = "contact_events"
    __table_args__ = (Index("ix_contact_events_contact_created", "contact_id", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    kind: Mapped[ContactEventKind] = mapped_column(_enum(ContactEventKind, "contact_event_kind"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GreetingTemplate(Base):
    __tablename__ = "greeting_templates"
    __table_args__ = (UniqueConstraint("name", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    language: Mapped[str] = mapped_column(String(8))
    channel: Mapped[Channel | None] = mapped_column(_enum(Channel, "channel"))
    category: Mapped[str] = mapped_column(String(40), default="greeting")
    body: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KbArticle(Base):
    """A knowledge-base article; ``search_*`` hold the tokenised text indexed for search."""

    __tablename__ = "kb_articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(80), default="")
    tags: Mapped[str] = mapped_column(String(300), default="")
    language: Mapped[str] = mapped_column(String(8), default="en")
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    search_title: Mapped[str] = mapped_column(Text, default="")
    search_body: Mapped[str] = mapped_column(Text, default="")


class AgentStateEvent(Base):
    __tablename__ = "agent_state_events"
    __table_args__ = (Index("ix_agent_state_events_agent_started", "agent_id", "started_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"))
    state: Mapped[AgentState] = mapped_column(_enum(AgentState, "agent_state"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reason: Mapped[str] = mapped_column(String(120), default="")


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    workstation: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The tamper-evident chain (console.services.audit): sha256 hex digests.
    prev_hash: Mapped[str] = mapped_column(String(64), default="", server_default="")
    hash: Mapped[str] = mapped_column(String(64), default="", server_default="")


class ChangeLogEntry(Base):
    """The change feed: one row per changed entity, in commit order."""

    __tablename__ = "change_log"
    __table_args__ = {"sqlite_autoincrement": True}  # noqa: RUF012  # SQLAlchemy reads it as is

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(64))
    op: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class AppliedRequest(Base):
    """Idempotency keys of writes already applied (outbox replays apply once)."""

    __tablename__ = "applied_requests"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())


# Feature tables live in their own modules; importing them registers them on Base.
from console.store import models_channels, models_security, models_sla, models_sync  # noqa: E402, F401
