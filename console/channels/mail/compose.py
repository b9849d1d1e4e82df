"""Building the e-mail that carries an agent's reply to the customer (issue 11, "E-mail out").

`compose_reply` is pure: the gateway passes what the delivery job, the
contact and the account say, and gets an `EmailMessage` for
`SmtpRelay.send`. The stdlib ``email`` package does the encoding; what is
ours is the threading headers, the subject ("Re: " once, the contact token
once), the signature and the choice of charset.
"""

from __future__ import annotations

import email.policy
import email.utils
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import Policy

from console.errors import ValidationError

logger = logging.getLogger(__name__)

UTF8, ISO2022JP = "utf-8", "iso-2022-jp"
CHARSETS = (UTF8, ISO2022JP)
# References keeps the thread's first message and the last ten (RFC 5322 §3.6.4 leaves the
# trimming to us; clients thread on the first and the last ids).
MAX_REFERENCES = 11
MAX_MESSAGE_ID = 250
SIGNATURE_SEPARATOR = "-- "  # RFC 3676 §4.3: the line before a signature
_MAX_LINE_OCTETS = 998  # RFC 5322 §2.1.1
_FOLD_AT = 78  # email.policy.SMTP.max_line_length
# With cte_type 7bit the stdlib encodes non-ASCII text as quoted-printable or base64
# instead of sending raw 8-bit bytes, which a server without 8BITMIME would mangle.
_POLICY = email.policy.SMTP.clone(cte_type="7bit")

# Reply prefixes as mail programs write them (German "Aw", Nordic "Sv", Japanese "返信",
# full-width "Ｒｅ"), each with an optional counter ("Re[2]:", "RE(3):") and a colon.
_REPLY_PREFIXES = re.compile(r"(?:[ \t]*(?:re|aw|sv|返信|ｒｅ)[ \t]*(?:\[\d+\]|\(\d+\))?[ \t]*[:：])+[ \t]*",
                             re.IGNORECASE)
# Everything str.splitlines() breaks at, and the stdlib refuses in a header value, plus tabs.
_HEADER_SPACE = re.compile(r"[\t\n\v\f\r \x1c-\x1e\x85\u2028\u2029]+")
_BODY_BREAK = re.compile(r"\r\n|[\r\x85\u2028\u2029]")
# Other control characters (ESC would start an ISO-2022 escape), and lone surrogates:
# bytes that were never text, which no charset can encode.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_ID = re.compile(r"[\x21-\x3b\x3d\x3f-\x7e]+")  # printable ASCII but the angle brackets
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"\\]{1,64}@[^@\s<>()\[\],;:\"\\]{1,253}")


def compose_reply(*, from_address: str, from_name: str, to_address: str, to_name: str,
                  subject: str, body: str, message_id: str, in_reply_to: str | None,
                  references: Sequence[str], date: datetime, charset: str = UTF8,
                  signature: str = "", token: str = "") -> EmailMessage:
    """The reply as it goes to the customer, threaded under their mail.

    Args:
        from_address: the account's own address.
        from_name: the From display name (the account's ``from_name``); empty for none.
        to_address: the customer's address.
        to_name: the customer's display name; empty for none.
        subject: the subject being answered (usually the customer's); "Re: " is put in
            front of it once, whatever reply prefixes it had.
        body: the agent's text.
        message_id: this reply's ``<id@domain>``, as the delivery queue assigned it (a resend
            must carry the same one).
        in_reply_to: the id of the message answered, with or without angle brackets.
        references: the thread's ids, oldest first (see `thread_references`).
        date: when the reply was written; must carry a time zone.
        charset: "utf-8" or "iso-2022-jp" (the account's choice). Text ISO-2022-JP cannot
            hold (①, Ⅲ, 髙, emoji, half-width kana, "～" typed on Windows) is never
            replaced: that message goes out in UTF-8 instead, and a warning is logged.
        signature: the queue's signature, put under an RFC 3676 "-- " line.
        token: the contact's token (``[#123]``), added to the subject unless it is there,
            so a reply whose mail program dropped In-Reply-To still finds its contact.

    Returns:
        The message: Date, From, To, Subject, Message-ID, In-Reply-To, References,
        MIME-Version and a text/plain body. No Auto-Submitted: a person wrote it.

    Raises:
        ValidationError: an address cannot be written in a header.
        ValueError: an unknown charset, a naive date or a malformed ``message_id`` (bugs).
    """
    if charset not in CHARSETS:
        raise ValueError(f"unknown charset {charset!r}; one of {', '.join(CHARSETS)}")
    if date.utcoffset() is None:
        raise ValueError("the date of a reply needs a time zone")
    own_id = _bracketed(message_id)
    if not own_id:
        raise ValueError(f"{message_id!r} is not a Message-ID like <id@example.com>")
    subject_line = reply_subject(subject, token)
    text = _body_text(body, signature)
    names = (one_line(from_name), one_line(to_name))
    if charset == ISO2022JP:
        charset = _iso2022jp_or_utf8(subject_line, text, *names)
    msg = EmailMessage(policy=_POLICY)
    msg["Date"] = email.utils.format_datetime(date)
    msg["From"] = _mailbox("From", names[0], _check_address(from_address, "our own"), charset)
    msg["To"] = _mailbox("To", names[1], _check_address(to_address, "the customer's"), charset)
    if charset == UTF8 or subject_line.isascii():
        msg["Subject"] = subject_line
    else:
        msg["Subject"] = _Prefolded("Subject", _encoded_words("Subject", subject_line, charset))
    msg["Message-ID"] = own_id
    parent = _bracketed(in_reply_to or "")
    if parent:
        msg["In-Reply-To"] = _Prefolded("In-Reply-To", [parent])
    chain = thread_references(in_reply_to, references, own_id=own_id)
    if chain:
        msg["References"] = _Prefolded("References", _packed("References", chain))
    msg.set_content(text, charset=charset, cte=_transfer_encoding(text, charset))
    return msg


def reply_subject(subject: str, token: str = "") -> str:
    """``subject`` on one line with a single "Re: " in front and ``token`` at the end once.

    Examples: "RE: Aw: 返信：Re[2]: Card" -> "Re: Card"; with token "[#12]",
    "Re: Card [#12]" stays as it is.
    """
    base = one_line(subject)
    prefixes = _REPLY_PREFIXES.match(base)  # only in front: "Card (Re: yesterday)" keeps its "Re:"
    base = base[prefixes.end():] if prefixes else base
    token = one_line(token)
    if token and token not in base:
        base = f"{base} {token}".strip()
    return f"Re: {base}".rstrip()


def thread_references(in_reply_to: str | None, references: Sequence[str], *,
                      own_id: str = "") -> tuple[str, ...]:
    """The References of a reply: the thread's ids, oldest first, the message answered last.

    Ids that are malformed (spaces, line breaks, empty, longer than `MAX_MESSAGE_ID`),
    repeated or the reply's own are left out. A long thread keeps its first id and
    the last ``MAX_REFERENCES - 1``.

    Args:
        in_reply_to: the id of the message answered, with or without angle brackets.
        references: the thread's ids, oldest first, each with or without angle brackets.
        own_id: the reply's own Message-ID, never listed.

    Returns:
        The ids, each in angle brackets.
    """
    parent = _bracketed(in_reply_to or "")
    leave_out = {parent, _bracketed(own_id), ""}
    chain = list(dict.fromkeys(i for i in map(_bracketed, references) if i not in leave_out))
    if parent:
        chain.append(parent)
    if len(chain) > MAX_REFERENCES:
        chain = chain[:1] + chain[-(MAX_REFERENCES - 1):]
    return tuple(chain)


def one_line(value: str) -> str:
    """``value`` for a header: every run of whitespace or line breaks one space, no control characters.

    Only ASCII whitespace and line separators are collapsed: an ideographic space
    (U+3000) in a Japanese subject is text and stays.
    """
    return _CONTROL.sub("", _HEADER_SPACE.sub(" ", value)).strip()


class _Prefolded(str):
    """A header value written exactly as folded here; the string itself is the value unfolded.

    The stdlib's folder re-encodes non-ASCII headers in UTF-8 whatever charset
    they came in, and turns an id longer than a line (Outlook's are) into an
    encoded word when it stands in In-Reply-To or References, which breaks
    threading. A value with a ``name`` and a ``fold`` method is written as it
    folds itself (email.policy.EmailPolicy).
    """

    name: str
    _lines: tuple[str, ...]

    def __new__(cls, name: str, lines: Sequence[str]) -> _Prefolded:
        value = super().__new__(cls, " ".join(lines))
        value.name = name
        value._lines = tuple(lines)
        return value

    def fold(self, *, policy: Policy) -> str:
        """The header's lines, each continuation starting with a space, ending in ``policy.linesep``."""
        return f"{self.name}: " + f"{policy.linesep} ".join(self._lines) + policy.linesep


def _mailbox(header: str, name: str, address: str, charset: str) -> _Prefolded:
    """``Name <address>``; a non-ASCII name as RFC 2047 words in ``charset``."""
    if not name:
        return _Prefolded(header, [address])
    if name.isascii():
        return _Prefolded(header, [email.utils.formataddr((name, address))])
    lines = _encoded_words(header, name, charset)
    if len(lines[-1]) + len(address) + 3 <= _room(header, lines):
        lines[-1] = f"{lines[-1]} <{address}>"
    else:
        lines.append(f"<{address}>")
    return _Prefolded(header, lines)


def _packed(header: str, items: Sequence[str]) -> list[str]:
    """``items`` joined by spaces into lines that fit after ``Header: `` (a long one alone on its line)."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 1 + len(item) <= _room(header, lines):
            lines[-1] = f"{lines[-1]} {item}"
        else:
            lines.append(item)
    return lines


def _room(header: str, lines: Sequence[str]) -> int:
    """How long the last of ``lines`` may be: the first follows ``Header: ``, the others a space."""
    return _FOLD_AT - (len(header) + 2 if len(lines) == 1 else 1)


def _encoded_words(header: str, text: str, charset: str) -> list[str]:
    """``text`` as RFC 2047 B/Q words in ``charset``, in lines that fit after ``Header: ``."""
    folded = Header(text, charset, header_name=header, maxlinelen=_FOLD_AT).encode(linesep="\n")
    return [line.strip() for line in folded.split("\n")]


def _iso2022jp_or_utf8(*texts: str) -> str:
    unfit = sorted({ch for text in texts for ch in text if not _encodes(ch, ISO2022JP)})
    if not unfit:
        return ISO2022JP
    shown = ", ".join(f"U+{ord(ch):04X}" for ch in unfit[:5])
    logger.warning("reply sent in UTF-8 instead of ISO-2022-JP: %d character(s) ISO-2022-JP "
                   "cannot hold (%s)", len(unfit), shown)
    return UTF8


def _encodes(text: str, charset: str) -> bool:
    try:
        text.encode(charset)
    except UnicodeEncodeError:
        return False
    return True


def _body_text(body: str, signature: str) -> str:
    """The text with LF line ends and the signature under its "-- " line; ends in a line break."""
    text = _clean_text(body).rstrip("\n")
    sig = _clean_text(signature).strip("\n")
    first, _, rest = sig.partition("\n")
    if first.rstrip() == SIGNATURE_SEPARATOR.rstrip():  # the signature brought its own separator
        sig = rest.strip("\n")
    if sig:
        text = f"{text}\n\n{SIGNATURE_SEPARATOR}\n{sig}" if text else f"{SIGNATURE_SEPARATOR}\n{sig}"
    return text + "\n"


def _clean_text(value: str) -> str:
    """Line ends as LF; control characters but tab and line break removed."""
    return _CONTROL.sub("", _BODY_BREAK.sub("\n", value))  # _CONTROL spares tab and LF


def _transfer_encoding(text: str, charset: str) -> str | None:
    """ISO-2022-JP goes as 7bit (it is 7-bit text), unless a line is too long for that;
    UTF-8 as the stdlib chooses (quoted-printable or base64 under the 7-bit policy)."""
    if charset != ISO2022JP:
        return None
    longest = max(len(line.encode(ISO2022JP)) for line in text.split("\n"))
    return "7bit" if longest <= _MAX_LINE_OCTETS else "base64"


def _bracketed(message_id: str) -> str:
    """``<id>`` for an id with or without its angle brackets; "" when it is malformed."""
    core = message_id.strip()
    if core.startswith("<") and core.endswith(">"):
        core = core[1:-1]
    if not _ID.fullmatch(core) or len(core) > MAX_MESSAGE_ID:
        if core:
            logger.info("a malformed Message-ID (%d characters) is left out of the reply", len(core))
        return ""
    return f"<{core}>"


def _check_address(address: str, whose: str) -> str:
    found = address.strip()
    if not _ADDRESS.fullmatch(found) or _CONTROL.search(found):
        raise ValidationError(f"The reply cannot be sent: {whose} address '{found[:80]}' is not an "
                              "e-mail address.")
    return found
