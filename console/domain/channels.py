"""Frozen dataclasses for what the channel layer takes in (issue 11): inbound e-mail so far.

The gateway parses a raw message into an `InboundMail` once; threading, the
customer match and storage then work on these values, never on `email.message`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class MailKind(enum.StrEnum):
    """What an inbound message is, as far as opening a contact goes."""

    CUSTOMER = "customer"  # a person wrote: may open or join a contact
    AUTO_REPLY = "auto_reply"  # out-of-office, vacation, auto-generated: never answered
    BOUNCE = "bounce"  # a delivery status report about mail we sent
    LIST = "list"  # mailing-list or bulk traffic: never answered


@dataclass(frozen=True, slots=True)
class MailAddress:
    """One mailbox from an address header.

    Attributes:
        address: the addr-spec as sent (``user@example.jp``), no angle brackets.
        name: the decoded display name, "" when there is none.
    """

    address: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class MailAttachment:
    """An attachment or inline image of an inbound message.

    Attributes:
        filename: decoded file name ("" when the sender gave none).
        content_type: lower-case MIME type, e.g. ``application/pdf``.
        size: decoded size in bytes (estimated from the encoded length when refused).
        content: the decoded bytes, or None when refused for size.
        inline: shown in the body (Content-Disposition inline or a Content-ID image).
        content_id: the Content-ID without angle brackets, "" when none.
    """

    filename: str
    content_type: str
    size: int
    content: bytes | None
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True, slots=True)
class UndecodablePart:
    """A text part whose bytes no character set explains: kept as sent.

    Attributes:
        label: where it was ("body part 2", "header Subject").
        declared_charset: the charset the sender named, "" when none.
        raw: the original bytes (after transfer decoding).
    """

    label: str
    declared_charset: str
    raw: bytes


@dataclass(frozen=True, slots=True)
class InboundMail:
    """A parsed inbound e-mail, ready for threading and storage.

    Attributes:
        message_id: Message-ID without angle brackets ("" when missing).
        in_reply_to: the first Message-ID of In-Reply-To, "" when none.
        references: Message-IDs of References, oldest first.
        subject: decoded subject on one line.
        from_address: sender's address ("" when unreadable).
        from_name: sender's display name.
        to: To recipients.
        cc: Cc recipients.
        date: the Date header as an aware UTC datetime, None when missing or unreadable.
        text: the body as plain text for the agent (forwarded messages included).
        html_was_source: the text was made from HTML because there was no text/plain.
        attachments: attachments and inline images, in message order.
        kind: customer mail, auto-reply, bounce or list traffic.
        bounced_message_id: for a bounce, the Message-ID of the message it reports on.
        bounce_reason: for a bounce, the status and diagnostic, e.g. "5.1.1 (smtp; 550 ...)".
        undecodable: parts kept as raw bytes; the text shows a placeholder for each.
        problems: notes for a person about what could not be read or kept.
    """

    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    subject: str
    from_address: str
    from_name: str
    to: tuple[MailAddress, ...]
    cc: tuple[MailAddress, ...]
    date: datetime | None
    text: str
    html_was_source: bool
    attachments: tuple[MailAttachment, ...]
    kind: MailKind
    bounced_message_id: str = ""
    bounce_reason: str = ""
    undecodable: tuple[UndecodablePart, ...] = ()
    problems: tuple[str, ...] = ()
