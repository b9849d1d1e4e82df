"""Walking a message's MIME tree into the agent's text and the attachments.

multipart/alternative prefers text/plain, else HTML made safe text;
forwarded messages (message/rfc822) stay readable inline; attachments over
the size limit are measured from their encoded length and never decoded.
"""

from __future__ import annotations

import logging
import re
from email.message import Message

from console.channels.mail import headers as hdr
from console.channels.mail.charsets import decode_text
from console.channels.mail.html_text import html_to_text
from console.domain.channels import MailAttachment, UndecodablePart

logger = logging.getLogger(__name__)

_MAX_DEPTH = 30
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_FORWARD_HEADERS = ("From", "Date", "Subject", "To", "Cc")
_BODY_TYPES = ("text/plain", "text/html")


class BodyReader:
    """Reads one message's body; collects text, attachments, undecodable parts and problems.

    Args:
        max_attachment_bytes: larger attachments are recorded without their content.
        max_parts: parts walked at most; the rest are skipped (`parts_capped`).
    """

    def __init__(self, *, max_attachment_bytes: int, max_parts: int) -> None:
        self._max_bytes = max_attachment_bytes
        self._max_parts = max_parts
        self._parts_seen = 0
        self.parts_capped = False
        self.html_was_source = False
        self.attachments: list[MailAttachment] = []
        self.undecodable: list[UndecodablePart] = []
        self.problems: list[str] = []

    def read(self, msg: Message) -> str:
        """The message's text for the agent (attachments and problems are collected on the way)."""
        return self._part(msg, depth=0, show=True).strip()

    def _part(self, part: Message, *, depth: int, show: bool) -> str:
        self._parts_seen += 1
        if self._parts_seen > self._max_parts:
            self.parts_capped = True
            return ""
        if depth > _MAX_DEPTH:
            self.problems.append("Parts nested too deeply were skipped.")
            return ""
        if part.get_content_type() in ("message/rfc822", "message/global") and part.is_multipart():
            return self._forwarded(part, depth=depth, show=show)
        if part.is_multipart():
            return self._multipart(part, depth=depth, show=show)
        return self._leaf(part, show=show)

    def _leaf(self, part: Message, *, show: bool) -> str:
        if part.get_content_type() in ("message/delivery-status", "text/rfc822-headers"):
            return ""  # read by the bounce classifier
        if _is_body_text(part):
            return self._text(part) if show else ""
        self._attachment(part)
        return ""

    def _multipart(self, part: Message, *, depth: int, show: bool) -> str:
        children = [c for c in part.get_payload() if isinstance(c, Message)]
        if part.get_content_type() == "multipart/alternative":
            return self._alternative(children, depth=depth, show=show)
        texts = [self._part(child, depth=depth + 1, show=show) for child in children]
        return "\n\n".join(t.strip() for t in texts if t.strip())

    def _alternative(self, children: list[Message], *, depth: int, show: bool) -> str:
        """Show the best alternative; the others give only their attachments (inline images)."""
        walked: list[Message] = []
        chosen_text = ""
        for child in sorted(children, key=_alternative_rank) if show else ():
            html_before = self.html_was_source
            walked.append(child)
            chosen_text = self._part(child, depth=depth + 1, show=True)
            if chosen_text.strip():
                break
            self.html_was_source = html_before  # an empty alternative was not the source
        for child in children:
            if not any(child is done for done in walked):  # each attachment once
                self._part(child, depth=depth + 1, show=False)
        return chosen_text

    def _forwarded(self, part: Message, *, depth: int, show: bool) -> str:
        inner = part.get_payload(0)
        if not isinstance(inner, Message):
            return ""
        body = self._part(inner, depth=depth + 1, show=show)
        if not show:
            return ""
        lines = ["---------- Forwarded message ----------"]
        for name in _FORWARD_HEADERS:
            value = hdr.decode_header_value(hdr.raw_header(inner, name))
            if value:
                lines.append(f"{name}: {value}")
        return "\n".join(lines) + "\n\n" + body.strip()

    def _text(self, part: Message) -> str:
        data = _payload_bytes(part)
        charset = _charset(part)
        text = decode_text(data, charset)
        if text is None:
            return self._undecodable(part, data, charset)
        # Control characters (a stray ESC, NUL) mean nothing to the agent and can upset a terminal.
        text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
        if part.get_content_type() == "text/html":
            self.html_was_source = True
            return html_to_text(text)
        return text

    def _undecodable(self, part: Message, data: bytes, charset: str) -> str:
        label = f"body part {self._parts_seen}"
        self.undecodable.append(UndecodablePart(label=label, declared_charset=charset, raw=data))
        named = f"charset {charset!r}" if charset else "no charset given"
        note = f"{label} ({part.get_content_type()}, {named}, {len(data):,} bytes) could not be decoded"
        self.problems.append(f"The {note}; its original bytes are kept.")
        logger.warning("undecodable %s", note)
        return f"[The {note}. The original bytes are kept.]"

    def _attachment(self, part: Message) -> None:
        filename = hdr.part_filename(part)
        ctype = part.get_content_type()
        content_id = hdr.one_line(hdr.raw_header(part, "Content-ID") or "").strip("<> ")
        inline = _disposition(part) == "inline" or (bool(content_id) and _disposition(part) != "attachment")
        estimate = _encoded_size_estimate(part)
        content: bytes | None = None
        size = estimate
        if estimate <= self._max_bytes:
            content = _payload_bytes(part)
            size = len(content)
        if size > self._max_bytes:
            content = None
            self.problems.append(
                f"Attachment {filename or ctype!r} ({_megabytes(size)}) is over the "
                f"{_megabytes(self._max_bytes)} limit and was not kept.",
            )
            logger.info("attachment %r of about %d bytes refused", filename, size)
        self.attachments.append(MailAttachment(
            filename=filename, content_type=ctype, size=size, content=content,
            inline=inline, content_id=content_id,
        ))


def _is_body_text(part: Message) -> bool:
    """A text/plain or text/html part meant to be read, not a text file sent as an attachment."""
    if part.get_content_maintype() == "multipart":
        return True  # a multipart without boundary: its content is shown as text
    if part.get_content_type() not in _BODY_TYPES:
        return False
    return _disposition(part) != "attachment" and not hdr.part_filename(part)


def _alternative_rank(part: Message) -> int:
    ctype = part.get_content_type()
    if ctype == "text/plain":
        return 0
    return 1 if part.is_multipart() or ctype == "text/html" else 2


def _disposition(part: Message) -> str:
    return hdr.one_line(hdr.raw_header(part, "Content-Disposition") or "").split(";", 1)[0].strip().lower()


def _charset(part: Message) -> str:
    value = part.get_param("charset")
    if isinstance(value, tuple):  # RFC 2231-encoded charset parameter
        value = value[2]
    return hdr.one_line(str(value)).strip('"').lower() if value else ""


def _payload_bytes(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _encoded_size_estimate(part: Message) -> int:
    """The decoded size from the encoded text, without decoding it (base64 is 4 characters to 3 bytes)."""
    payload = part.get_payload()
    if not isinstance(payload, str):
        return 0
    encoding = hdr.one_line(hdr.raw_header(part, "Content-Transfer-Encoding") or "").lower()
    if encoding == "base64":
        significant = len(payload) - payload.count("\n") - payload.count("\r") - payload.count(" ")
        return significant * 3 // 4
    return len(payload)


def _megabytes(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{round(size / (1024 * 1024))} MB"
