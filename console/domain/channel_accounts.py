"""Channel accounts, mailbox intake state and delivery jobs as every layer sees them.

Frozen values returned by console.services.channels, console.services.mailboxes
and console.services.deliveries; never ORM objects.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime


class ChannelKind(enum.StrEnum):
    """What an account connects to. Only e-mail exists today; the others are reserved."""

    EMAIL = "email"
    LINE = "line"
    TWILIO = "twilio"
    MESSENGER = "messenger"
    CTI = "cti"
    WEBCHAT = "webchat"


class DeliveryState(enum.StrEnum):
    """Where an outgoing message is on its way to the customer."""

    QUEUED = "queued"  # waiting for a gateway (first try, or a retry after a temporary failure)
    SENDING = "sending"  # a gateway holds it (locked_by/locked_until)
    SENT = "sent"  # the server accepted it
    FAILED = "failed"  # not delivered: a permanent failure, or too many temporary ones


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    """What the gateway last reported for an account, and its delivery backlog.

    Attributes:
        last_poll_at: when a gateway last finished an intake pass (None: never).
        last_error: the last intake or delivery problem, for an administrator.
        last_error_at: when it happened.
        lease_holder: the gateway polling the mailbox now (None when nobody is).
        lease_expires_at: when that gateway's lease ends unless renewed.
        queued: replies waiting or being sent.
        failed: replies that could not be delivered.
    """

    last_poll_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    lease_holder: str | None
    lease_expires_at: datetime | None
    queued: int
    failed: int


@dataclass(frozen=True, slots=True)
class ChannelAccountInfo:
    """One channel account as an administrator sees it: never its secret, only where it lives.

    Attributes:
        secret: where the password is kept, in words ("OS keyring", "file /path",
            "environment variable NAME", "none").
        secret_ref: the same, as stored (``keyring:KEY``, ``file:PATH``, ``env:NAME``) or None.
        settings: kind-specific settings as text (e-mail: address, imap_url, smtp_url,
            and what replies carry: from_name, signature, charset, reopen_days).
    """

    id: int
    kind: ChannelKind
    name: str
    queue: str
    enabled: bool
    settings: dict[str, str]
    secret_ref: str | None
    secret: str
    created_at: datetime
    updated_at: datetime
    status: ChannelStatus

    @property
    def address(self) -> str:
        return self.settings.get("address", "")

    @property
    def from_name(self) -> str:
        """The display name of replies' From."""
        return self.settings.get("from_name", "")

    @property
    def signature(self) -> str:
        """Put under every reply after a "-- " line; "" for none."""
        return self.settings.get("signature", "")

    @property
    def charset(self) -> str:
        """What replies are written in: "utf-8" or "iso-2022-jp"."""
        return self.settings.get("charset", "utf-8")

    @property
    def reopen_days(self) -> int:
        """For how many days after resolution a customer's answer reopens the contact."""
        return int(self.settings.get("reopen_days", "7"))


@dataclass(frozen=True, slots=True)
class MailboxState:
    """A mailbox's intake position: every UID up to ``last_uid`` of ``uidvalidity`` is taken in."""

    account_id: int
    uidvalidity: int | None
    last_uid: int
    lease_holder: str | None
    lease_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class DeliveryJob:
    """One outgoing message's delivery (the transactional outbox row).

    Attributes:
        rfc822_message_id: the ``Message-ID`` we assigned; a resend after a crash
            reuses it, so the customer's mail client shows one message.
        smtp_response: what the server said when it accepted the message.
        method: how a messaging reply went out (LINE: "reply" or "push"), None for e-mail.
        provider_message_id: the provider's id of what it sent (its delivery reports name it).
    """

    id: int
    message_id: uuid.UUID
    contact_id: int
    channel_account_id: int | None
    state: DeliveryState
    attempts: int
    next_attempt_at: datetime
    locked_by: str | None
    locked_until: datetime | None
    last_error: str | None
    rfc822_message_id: str
    smtp_response: str | None
    created_at: datetime
    updated_at: datetime
    method: str | None = None
    provider_message_id: str | None = None
