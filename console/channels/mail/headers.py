"""Reading header values as senders write them: RFC 2047 words, raw 8-bit, RFC 2231 parameters.

A character split across two encoded words is common from Japanese mailers;
the standard library (policy.default) turns a split Shift_JIS character into
U+FFFD, so here adjacent words of one charset are joined as bytes first.
Every value comes out on one line: CR/LF in a header never reaches a field.
"""

from __future__ import annotations

import base64
import binascii
import email.utils
import logging
import quopri
import re
from collections.abc import Iterator
from email.message import Message

from console.channels.mail.charsets import decode_text, guess_text
from console.domain.channels import MailAddress

logger = logging.getLogger(__name__)

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=")
_BETWEEN_WORDS = re.compile(r"[ \t\r\n]*")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_LINE_BREAKS = re.compile(r"[\r\n]+[ \t]*")
_MSGID = re.compile(r"<([^<>\s]+)>")


def raw_header(msg: Message, name: str) -> str | None:
    """The first header called `name` exactly as stored (8-bit bytes as surrogates)."""
    lowered = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lowered:
            return str(value)
    return None


def raw_headers(msg: Message, name: str) -> Iterator[str]:
    """Every header called `name`, as stored."""
    lowered = name.lower()
    return (str(value) for key, value in msg.raw_items() if key.lower() == lowered)


def one_line(value: str) -> str:
    """Unfold and remove control characters, so no header value carries a line break."""
    value = _LINE_BREAKS.sub(" ", value)
    return _CONTROL.sub("", value.replace("\t", " ")).strip()


def decode_header_value(value: str | None, lost: list[bytes] | None = None) -> str:
    """Decode a header value to one line of text (RFC 2047 words and raw 8-bit bytes).

    Args:
        value: the stored value, 8-bit bytes as surrogate escapes; None for a missing header.
        lost: if given, receives the bytes of each piece that could not be decoded.

    Returns:
        The text; undecodable pieces are shown as their bytes in hex, never as U+FFFD.
    """
    if not value:
        return ""
    pieces: list[str] = []
    position = 0
    for charset, data, start, end in _encoded_runs(value):
        pieces.append(_decode_raw(value[position:start], lost))
        pieces.append(_decode_word_bytes(data, charset, lost))
        position = end
    pieces.append(_decode_raw(value[position:], lost))
    return one_line("".join(pieces))


def _encoded_runs(value: str) -> Iterator[tuple[str, bytes, int, int]]:
    """Yield (charset, bytes, start, end) for each run of adjacent words in one charset."""
    run: tuple[str, bytearray, int, int] | None = None
    for match in _ENCODED_WORD.finditer(value):
        charset = match.group(1).split("*", 1)[0].lower()  # RFC 2231 language suffix
        data = _word_bytes(match.group(2), match.group(3))
        adjacent = run is not None and _BETWEEN_WORDS.fullmatch(value, run[3], match.start()) is not None
        if run is not None and adjacent and run[0] == charset:
            run[1].extend(data)
            run = (run[0], run[1], run[2], match.end())
            continue
        if run is not None:
            yield run[0], bytes(run[1]), run[2], run[3]
            if adjacent:  # whitespace between encoded words is not part of the text (RFC 2047 §6.2)
                run = (charset, bytearray(data), run[3], match.end())
                continue
        run = (charset, bytearray(data), match.start(), match.end())
    if run is not None:
        yield run[0], bytes(run[1]), run[2], run[3]


def _word_bytes(encoding: str, text: str) -> bytes:
    raw = text.encode("ascii", "surrogateescape")
    if encoding in "bB":
        try:
            return base64.b64decode(raw + b"=" * (-len(raw) % 4))
        except binascii.Error:
            return raw
    return quopri.decodestring(raw.replace(b"_", b" "), header=True)


def _decode_word_bytes(data: bytes, charset: str, lost: list[bytes] | None) -> str:
    text = decode_text(data, charset)
    if text is None:
        if lost is not None:
            lost.append(data)
        logger.info("undecodable encoded word (%s, %d bytes)", charset, len(data))
        return f"[undecodable: {data.hex(' ')}]"
    return text


def _decode_raw(piece: str, lost: list[bytes] | None = None) -> str:
    """Text outside encoded words; raw 8-bit bytes there are decoded by guessing."""
    if piece.isascii() and "\x1b" not in piece:
        return piece
    data = piece.encode("utf-8", "surrogateescape")
    text = guess_text(data)
    if text is None:
        if lost is not None:
            lost.append(data)
        logger.info("undecodable 8-bit header text (%d bytes)", len(data))
        return f"[undecodable: {data.hex(' ')}]"
    return text


def addresses(values: Iterator[str] | list[str]) -> tuple[MailAddress, ...]:
    """Parse address headers; display names are decoded after splitting (they may hold commas)."""
    found = []
    for name, address in email.utils.getaddresses([one_line(v) for v in values]):
        if address or name:
            found.append(MailAddress(address=one_line(address), name=decode_header_value(name)))
    return tuple(found)


def message_ids(value: str | None) -> tuple[str, ...]:
    """The Message-IDs in a Message-ID, In-Reply-To or References value, angle brackets removed."""
    if not value:
        return ()
    found = _MSGID.findall(one_line(value))
    if not found and one_line(value):
        found = [one_line(value).split()[0].strip("<>")]  # a bare id without brackets
    return tuple(found)


def part_filename(part: Message) -> str:
    """The attachment's file name: RFC 2231 (with continuations), RFC 2047 inside quotes, or raw 8-bit."""
    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = _params_holder(part, header).get_param(param, header=header)
        if isinstance(value, tuple):  # RFC 2231: (charset, language, %-decoded latin-1 text)
            charset, _language, text = value
            data = str(text).encode("latin-1", "surrogateescape")
            decoded = decode_text(data, charset or "utf-8")
            return one_line(decoded) if decoded is not None else f"[undecodable: {data.hex(' ')}]"
        if isinstance(value, str) and value:
            return decode_header_value(email.utils.unquote(value))
    return ""


def _params_holder(part: Message, header: str) -> Message:
    """The part itself, or for a raw 8-bit header a stand-in holding its decoded value.

    The stdlib reads 8-bit parameter bytes as "unknown-8bit" and turns a CP932
    file name into mojibake, so such a header is decoded here first.
    """
    raw = raw_header(part, header)
    if raw is None or raw.isascii():
        return part
    holder = Message()
    holder[header] = one_line(_decode_raw(raw))
    return holder
