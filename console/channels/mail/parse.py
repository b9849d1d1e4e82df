"""Parsing one raw inbound e-mail into an `InboundMail` (issue 11, "E-mail in").

Never raises for a bad message: what can be read is returned and what
cannot is described in `problems`. Only bytes that are no e-mail at all
raise `ValidationError`. Work is bounded: at most `MAX_PARTS` parts are
walked and oversized attachments are measured, not decoded.
"""

from __future__ import annotations

import email
import email.errors
import email.parser
import email.policy
import email.utils
import itertools
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message

from console.channels.mail import headers as hdr
from console.channels.mail.body import BodyReader
from console.channels.mail.classify import classify
from console.domain.channels import InboundMail, UndecodablePart
from console.errors import ValidationError

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_PARTS = 1000
# A part starts at a line beginning "--": past this many, the rest is not even parsed.
_MAX_DELIMITER_LINES = MAX_PARTS * 2
# The standard parser recurses once per nested multipart or message; real mail has a handful.
MAX_MULTIPARTS = 100
_MULTIPART_HEADER = re.compile(rb"(?im)^content-type:[ \t]*(multipart|message)/")


@dataclass
class _Envelope:
    """The header fields of `InboundMail`, read before the body."""

    subject: str
    from_address: str
    from_name: str
    date: datetime | None
    problems: list[str] = field(default_factory=list)
    undecodable: list[UndecodablePart] = field(default_factory=list)


def parse_message(raw: bytes, *, max_attachment_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES) -> InboundMail:
    """Parse a raw RFC 5322 message as received over IMAP.

    Args:
        raw: the message bytes exactly as fetched (CRLF or LF line ends).
        max_attachment_bytes: attachments larger than this are recorded but not kept.

    Returns:
        The message as an `InboundMail`; `problems` lists what could not be read.

    Raises:
        ValidationError: the bytes are not an e-mail message at all.
    """
    raw, truncated = _cap_parts(raw)
    msg = _parse_bytes(raw)
    if not msg.keys():
        raise ValidationError("These bytes are not an e-mail message: there are no header lines.")
    envelope = _read_envelope(msg)
    reader = BodyReader(max_attachment_bytes=max_attachment_bytes, max_parts=MAX_PARTS)
    text = reader.read(msg)
    problems = envelope.problems + _defects(msg) + reader.problems + _carrier_emoji(envelope.subject + text)
    if truncated or reader.parts_capped:
        problems.append(
            f"The message has too many parts; only the first ones were read (limit {MAX_PARTS:,}).",
        )
    verdict = classify(msg, envelope.from_address)
    return InboundMail(
        message_id=next(iter(hdr.message_ids(hdr.raw_header(msg, "Message-ID"))), ""),
        in_reply_to=next(iter(hdr.message_ids(hdr.raw_header(msg, "In-Reply-To"))), ""),
        references=hdr.message_ids(" ".join(hdr.raw_headers(msg, "References"))),
        subject=envelope.subject,
        from_address=envelope.from_address,
        from_name=envelope.from_name,
        to=hdr.addresses(list(hdr.raw_headers(msg, "To"))),
        cc=hdr.addresses(list(hdr.raw_headers(msg, "Cc"))),
        date=envelope.date,
        text=text,
        html_was_source=reader.html_was_source,
        attachments=tuple(reader.attachments),
        kind=verdict.kind,
        bounced_message_id=verdict.bounced_message_id,
        bounce_reason=verdict.bounce_reason,
        undecodable=tuple(envelope.undecodable + reader.undecodable),
        problems=tuple(dict.fromkeys(problems)),  # each note once, in order
    )


def _cap_parts(raw: bytes) -> tuple[bytes, bool]:
    """Cut a message with absurdly many delimiter lines so parsing stays bounded."""
    if not isinstance(raw, bytes | bytearray) or not bytes(raw).strip():
        raise ValidationError("The message is empty.")
    raw = bytes(raw)
    cut = len(raw)
    position = -1
    for _ in range(_MAX_DELIMITER_LINES):
        position = raw.find(b"\n--", position + 1)
        if position < 0:
            break
    else:
        cut = position + 1
    beyond = next(itertools.islice(_MULTIPART_HEADER.finditer(raw, 0, cut), MAX_MULTIPARTS, None), None)
    if beyond is not None:
        cut = beyond.start()
    if cut == len(raw):
        return raw, False
    logger.warning("message with too many parts cut at byte %d of %d", cut, len(raw))
    return raw[:cut], True


def _parse_bytes(raw: bytes) -> Message:
    """The stdlib parse (compat32: ten times faster than policy.default; headers are decoded here)."""
    try:
        return email.message_from_bytes(raw, policy=email.policy.compat32)
    except RecursionError:  # nesting beyond what the multipart cap anticipated
        logger.warning("message nested too deeply to parse; reading its headers only")
        msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw, headersonly=True)
        msg.set_payload("")
        msg.defects.append(email.errors.MultipartInvariantViolationDefect())
        return msg


def _read_envelope(msg: Message) -> _Envelope:
    senders = hdr.addresses(list(hdr.raw_headers(msg, "From")))
    lost: list[bytes] = []
    envelope = _Envelope(
        subject=hdr.decode_header_value(hdr.raw_header(msg, "Subject"), lost),
        from_address=senders[0].address if senders else "",
        from_name=senders[0].name if senders else "",
        date=None,
    )
    if not senders:
        envelope.problems.append("The sender (From) could not be read.")
    for data in lost:
        envelope.undecodable.append(UndecodablePart(label="header Subject", declared_charset="", raw=data))
        envelope.problems.append(
            f"Part of the subject ({len(data)} bytes) could not be decoded; it is shown in hex.",
        )
    raw_date = hdr.raw_header(msg, "Date")
    envelope.date = _parse_date(raw_date)
    if raw_date and envelope.date is None:
        envelope.problems.append(f"The date {hdr.one_line(raw_date)!r} could not be read.")
    return envelope


def _parse_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(hdr.one_line(value))
    except (TypeError, ValueError, IndexError):
        return None
    # "-0000" means "time zone unknown" (RFC 5322 §3.3): the best reading is UTC.
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _carrier_emoji(text: str) -> list[str]:
    """A note when the text holds private-use characters: Japanese carriers' emoji (docomo's
    Shift_JIS F89F.. decode to U+E63E..), kept as sent but without a standard glyph."""
    count = sum(1 for char in text if 0xE000 <= ord(char) <= 0xF8FF)
    if not count:
        return []
    return [f"The text holds {count} phone-carrier emoji (private-use characters) that may show as boxes."]


def _defects(msg: Message) -> list[str]:
    """One note when the MIME structure was damaged (missing boundary, truncated part)."""
    names = sorted({type(d).__name__ for part in _first_parts(msg) for d in part.defects})
    if not names:
        return []
    logger.info("MIME defects: %s", ", ".join(names))
    return [f"The message's MIME structure is damaged ({', '.join(names)}); what could be read is shown."]


def _first_parts(msg: Message) -> list[Message]:
    parts = []
    for index, part in enumerate(msg.walk()):
        if index >= MAX_PARTS:
            break
        parts.append(part)
    return parts
