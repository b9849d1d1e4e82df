"""Domain vocabulary: enums and the frozen dataclasses services hand out.

Services never return ORM objects; the UI and the CLI see only these.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from console.domain.calls import CallInfo
from console.domain.channel_accounts import DeliveryState


class Channel(enum.StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    SMS = "sms"
    LINE = "line"
    SOCIAL = "social"
    WALKIN = "walkin"


class ContactStatus(enum.StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        """True while the contact still needs work."""
        return self in ACTIVE_STATUSES


ACTIVE_STATUSES = frozenset({ContactStatus.NEW, ContactStatus.OPEN, ContactStatus.PENDING})


class Priority(enum.IntEnum):
    """Lower value is more urgent, so ascending sort puts urgent first."""

    URGENT = 1
    HIGH = 2
    NORMAL = 3
    LOW = 4


class Role(enum.StrEnum):
    """What a signed-in principal may do (console.security.permissions).

    ``GATEWAY`` is no person's role: it is the channel gateway's own
    (console.channels.gateway), never stored for a member of staff.
    """

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    BRANCH = "branch"
    ADMIN = "admin"
    GATEWAY = "gateway"

    @classmethod
    def of_people(cls) -> tuple[Role, ...]:
        """The roles a member of staff can have."""
        return tuple(role for role in cls if role is not cls.GATEWAY)


class AgentState(enum.StrEnum):
    AVAILABLE = "available"
    ON_CONTACT = "on_contact"
    WRAP_UP = "wrap_up"
    BREAK = "break"
    OFFLINE = "offline"


class MessageKind(enum.StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    NOTE = "note"


class ContactEventKind(enum.StrEnum):
    CREATED = "created"
    CLAIMED = "claimed"
    RELEASED = "released"
    TRANSFERRED = "transferred"
    RESOLVED = "resolved"
    REOPENED = "reopened"
    STATUS = "status"


@dataclass(frozen=True, slots=True)
class AgentInfo:
    id: int
    login: str
    name: str
    role: Role
    team: str | None
    skills: tuple[str, ...]
    languages: tuple[str, ...]
    queues: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class QueueInfo:
    id: int
    name: str
    description: str
    language: str | None
    first_response_target_s: int
    resolution_target_s: int
    warning_ratio: float


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """A product held by a customer; ``masked_number`` is what screens show."""

    id: int
    product: str
    masked_number: str
    status: str


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    id: int
    display_name: str
    name_kana: str | None
    language: str
    segment: str
    vip: bool
    phones: tuple[str, ...]
    emails: tuple[str, ...]
    accounts: tuple[AccountInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class ContactRow:
    """One line of the inbox."""

    id: int
    channel: Channel
    status: ContactStatus
    priority: Priority
    subject: str
    preview: str
    queue_id: int
    queue_name: str
    customer_id: int | None
    customer_name: str
    assignee_id: int | None
    assignee_login: str | None
    assignee_name: str | None
    created_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    updated_at: datetime
    version: int


# How a messaging reply went out (delivery_jobs.method), in words.
DELIVERY_METHODS = {"reply": "LINE reply", "push": "LINE push", "sms": "SMS",
                    "send_api": "Messenger"}


@dataclass(frozen=True, slots=True)
class MessageDelivery:
    """Where an outgoing reply is on its way to the customer: its delivery job as shown.

    Attributes:
        job_id: the delivery job (the change feed reports it as entity ``delivery``).
        state: queued, sending, sent or failed.
        reason: why it is not delivered (failed), or why it waits for another try
            (queued after a temporary failure); None otherwise.
        attempts: how many times a gateway has taken it to send.
        next_attempt_at: while queued, when a gateway may try it (again); None otherwise.
        updated_at: when the job last moved.
        smtp_response: what the mail server said when it accepted the message.
        method: how a messaging reply went out: ``reply`` or ``push`` (LINE),
            ``sms`` (Twilio), ``send_api`` (Messenger); None for e-mail and until
            it is sent.
    """

    job_id: int
    state: DeliveryState
    reason: str | None
    attempts: int
    next_attempt_at: datetime | None
    updated_at: datetime
    smtp_response: str | None = None
    method: str | None = None

    @property
    def sent_at(self) -> datetime | None:
        """When the server accepted it (None until then)."""
        return self.updated_at if self.state == DeliveryState.SENT else None

    @property
    def way(self) -> str | None:
        """The method as people say it: "LINE reply", "LINE push", "SMS", "Messenger"."""
        if self.method is None:
            return None
        return DELIVERY_METHODS.get(self.method, self.method)

    @property
    def retrying(self) -> bool:
        """Queued again after a temporary failure (there is a reason it waits)."""
        return self.state == DeliveryState.QUEUED and self.reason is not None


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    """A file that came with a message, as a thread lists it (never its bytes).

    Attributes:
        filename: the sender's file name ("" when none), long digit runs masked.
        content_type: lower-case MIME type, e.g. ``application/pdf``.
        size: its size in bytes.
        kept: whether its bytes are stored and can be saved.
        inline: shown in the body (an inline image) rather than attached.
        note: why it is not kept (too large), or what it is; None when kept as sent.
    """

    id: int
    filename: str
    content_type: str
    size: int
    kept: bool
    inline: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AttachmentContent:
    """One attachment's bytes, fetched to be saved (console.services.inbox.InboxService.attachment)."""

    id: int
    contact_id: int
    message_id: str
    filename: str
    content_type: str
    content: bytes = field(repr=False)


@dataclass(frozen=True, slots=True)
class MessageInfo:
    """One message of a thread.

    Attributes:
        delivery: an outgoing e-mail reply's delivery (None: nobody sends it,
            e.g. an inbound message, a note or a phone contact's reply).
        attachments: the files that came with it, in the order they came.
    """

    id: str
    contact_id: int
    kind: MessageKind
    author: str | None
    body: str
    created_at: datetime
    delivery: MessageDelivery | None = None
    attachments: tuple[AttachmentInfo, ...] = ()


@dataclass(frozen=True, slots=True)
class PostedMessage:
    """A reply or note as written, with its contact as that write left it."""

    message: MessageInfo
    contact: ContactRow


@dataclass(frozen=True, slots=True)
class ContactDetail:
    """A contact as the conversation shows it, with its customer and thread.

    Attributes:
        follows_contact_id: the earlier contact this one follows (a customer who
            wrote again after it was closed), None when it follows none.
        call: a phone contact's latest call (its number, state and times), else None.
    """

    contact: ContactRow
    customer: CustomerSummary | None
    messages: tuple[MessageInfo, ...]
    disposition: str | None
    follows_contact_id: int | None = None
    call: CallInfo | None = None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event in a customer's history across channels."""

    at: datetime
    kind: str
    channel: Channel
    contact_id: int
    subject: str
    agent: str | None
    text: str
    key: str = field(default="")


@dataclass(frozen=True, slots=True)
class TimelinePage:
    entries: tuple[TimelineEntry, ...]
    next_cursor: str | None


@dataclass(frozen=True, slots=True)
class Disposition:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class TemplateInfo:
    id: int
    name: str
    language: str
    channel: Channel | None
    category: str
    body: str


@dataclass(frozen=True, slots=True)
class RenderedTemplate:
    template: TemplateInfo
    text: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class ArticleHit:
    id: int
    title: str
    snippet: str
    category: str
    language: str
    score: float


@dataclass(frozen=True, slots=True)
class Article:
    id: int
    slug: str
    title: str
    body: str
    category: str
    tags: tuple[str, ...]
    language: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change feed."""

    seq: int
    entity: str
    entity_id: str
    op: str
    at: datetime


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What one committed write changed: its entries in the change log.

    ``seq`` is the highest sequence number the write committed at (0 when it
    changed nothing, e.g. an outbox replay that was applied before).
    """

    entries: tuple[Change, ...] = ()

    @property
    def seq(self) -> int:
        return max((c.seq for c in self.entries), default=0)

    @property
    def seqs(self) -> frozenset[int]:
        return frozenset(c.seq for c in self.entries)

    def ids(self, entity: str) -> frozenset[str]:
        """The ids of ``entity`` ("contact", "message"...) this write changed."""
        return frozenset(c.entity_id for c in self.entries if c.entity == entity)

    @property
    def contact_ids(self) -> frozenset[int]:
        return frozenset(int(i) for i in self.ids("contact") if i.isdigit())

    def by_entity(self) -> Mapping[str, frozenset[str]]:
        """{entity: ids}, the shape the change feed reports."""
        return {e: self.ids(e) for e in {c.entity for c in self.entries}}

    def __bool__(self) -> bool:
        return bool(self.entries)


class PendingChanges(Protocol):
    """What a write transaction changed, complete once it has committed
    (console.store.changes.ChangeCollector)."""

    def result(self) -> ChangeSet: ...


T_co = TypeVar("T_co", covariant=True)


@dataclass(frozen=True, slots=True)
class Written(Generic[T_co]):
    """A write's result and what it changed.

    Inside an outer unit of work (the guarded facade's) the write commits when
    that unit ends, so ``changes`` is final once the call has returned to the
    caller that opened the unit: the service's own caller, or the door's.

    Attributes:
        value: what the operation returns (a ContactRow, a PostedMessage...).
        pending: the transaction's change collector, read through ``changes``.
    """

    value: T_co
    pending: PendingChanges = field(repr=False, compare=False)

    @property
    def changes(self) -> ChangeSet:
        """The change set; raises RuntimeError if asked before the write committed."""
        return self.pending.result()
