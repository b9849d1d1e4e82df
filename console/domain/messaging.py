"""Frozen values for what LINE, SMS (Twilio) and Messenger webhooks bring in (issue 12).

The gateway turns a verified webhook body into ``InboundEvent`` values once
(console.channels.providers.inbound); deduplication, the customer match and
storage then work on these, never on the providers' JSON or form fields.
``SenderIdentity`` is the other way in: who wrote on a contact, for the agent.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime


class Provider(enum.StrEnum):
    """Who sent the webhook (the same names as the channel kinds)."""

    LINE = "line"
    TWILIO = "twilio"
    MESSENGER = "messenger"


class EventKind(enum.StrEnum):
    """What an inbound event is, as far as the inbox goes."""

    MESSAGE = "message"  # the customer wrote, or sent media, a sticker or a location
    POSTBACK = "postback"  # the customer tapped a button we sent
    FOLLOW = "follow"  # the customer added (or unblocked) the account
    UNFOLLOW = "unfollow"  # the customer blocked the account: nothing can reach them now
    STATUS = "status"  # a delivery or read report about a message we sent
    ECHO = "echo"  # our own message coming back (Messenger echoes what the page sends)
    UNKNOWN = "unknown"  # anything else: kept with its raw data, never an error


class MediaSource(enum.StrEnum):
    """Where the bytes of an attachment are fetched from, and with which credentials."""

    LINE_CONTENT = "line_content"  # LINE's content API by message id, with the channel token
    TWILIO = "twilio"  # a Twilio media URL, with the account's SID and auth token
    URL = "url"  # a plain URL (Messenger's CDN, LINE's "external" provider): no credentials


@dataclass(frozen=True, slots=True)
class InboundMedia:
    """An image, video, audio clip or file that came with a message.

    Attributes:
        kind: ``image``, ``video``, ``audio`` or ``file`` (Twilio: from the content type).
        ref: the LINE message id, or the URL the bytes are at.
        source: how to fetch ``ref``.
        content_type: the MIME type when the provider says it, else "".
        filename: the sender's file name (LINE files), else "".
        size: the size in bytes when the provider says it, else None.
    """

    kind: str
    ref: str
    source: MediaSource
    content_type: str = ""
    filename: str = ""
    size: int | None = None


@dataclass(frozen=True, slots=True)
class Sticker:
    """A sticker: the provider's package and sticker ids (Messenger has no package)."""

    sticker_id: str
    package_id: str = ""

    @property
    def label(self) -> str:
        """What the agent reads in its place, e.g. ``[Sticker 11537/52002734]``."""
        ids = f"{self.package_id}/{self.sticker_id}" if self.package_id else self.sticker_id
        return f"[Sticker {ids}]"


@dataclass(frozen=True, slots=True)
class Location:
    """A place the customer shared."""

    latitude: float
    longitude: float
    title: str = ""
    address: str = ""

    @property
    def label(self) -> str:
        """E.g. ``[Location: 東京都千代田区丸の内1丁目 (35.68124, 139.76712)]``.

        Five decimals are about a metre: enough to find a customer's car on a road.
        """
        words = " ".join(part for part in (self.title, self.address) if part)
        where = f"{words} " if words else ""
        return f"[Location: {where}({self.latitude:.5f}, {self.longitude:.5f})]"


@dataclass(frozen=True, slots=True)
class InboundEvent:
    """One event of a webhook, whatever the provider.

    Attributes:
        provider: who sent it.
        kind: what it is.
        event_id: unique per provider account, to deduplicate on: LINE ``webhookEventId``,
            Twilio ``MessageSid`` (with the status for status reports), Messenger ``mid``
            (a digest of the event when it has none).
        is_redelivery: the provider says it sent this event before (LINE only).
        sender_id: the customer: LINE user id, the sender's phone number, Messenger PSID.
        recipient_id: our side: LINE bot user id (``destination``), our phone number, the
            Messenger page id.
        conversation_id: where a push reply goes: the LINE group or room, else ``sender_id``.
        message_id: the provider's id of the message ("" for events without one).
        reply_token: LINE's one-time reply token ("" when there is none).
        text: what the agent reads: the text, a sticker or location label, a postback's
            title; "" for media without a caption.
        media: attachments to fetch.
        sticker: the sticker, when the message is one.
        location: the location, when the message is one.
        status: for STATUS events, the provider's word (``delivered``, ``read``, ``failed``).
        timestamp: when the provider says the event happened (None: Twilio gives none).
        raw: the provider's data for this one event (JSON object, or Twilio's form fields).
    """

    provider: Provider
    kind: EventKind
    event_id: str
    sender_id: str = ""
    recipient_id: str = ""
    conversation_id: str = ""
    message_id: str = ""
    reply_token: str = ""
    text: str = ""
    media: tuple[InboundMedia, ...] = ()
    sticker: Sticker | None = None
    location: Location | None = None
    status: str = ""
    is_redelivery: bool = False
    timestamp: datetime | None = None
    raw: Mapping[str, object] = field(default_factory=dict, compare=False, hash=False)


_SENDER_LABELS = {"line": "LINE user", "messenger": "Messenger user",
                  "webchat": "web chat visitor", "phone": "SMS number"}


@dataclass(frozen=True, slots=True)
class SenderIdentity:
    """Who wrote on a messaging contact: the identity an agent links to the right customer.

    Attributes:
        kind: ``line``, ``messenger``, ``webchat`` or ``phone`` (SMS).
        value: the sender's id on the channel; a phone number only masked ("…5678").
        display_name: the name the provider gave for the sender ("" when none).
        customer_id: the customer the identity belongs to now.
        own_record: whether that customer record holds nothing but this sender and
            their contacts (no other identity, phone, e-mail, account or contact):
            the record made for them, which unlinking would only copy.
    """

    kind: str
    value: str
    display_name: str
    customer_id: int
    own_record: bool = False

    @property
    def who(self) -> str:
        """The sender for a person to read: "LINE user 山田 花子", "SMS number …5678"."""
        label = _SENDER_LABELS.get(self.kind, self.kind)
        if self.display_name:
            return f"{label} {self.display_name}"
        shown = self.value if len(self.value) <= 14 else f"{self.value[:12]}…"
        return f"{label} {shown}"
