"""What an e-mail account's replies carry, checked before console.services.channels stores it.

Kept in the account's settings beside its servers: ``from_name`` (the From
display name), ``signature`` (put under a "-- " line), ``charset`` (utf-8 or
iso-2022-jp, see console.channels.mail.compose) and ``reopen_days`` (how
long after resolution a customer's answer reopens the contact instead of
opening a new one).
"""

from __future__ import annotations

import re
import unicodedata

from console.channels.mail.compose import CHARSETS, UTF8
from console.errors import ValidationError

MAX_FROM_NAME = 120
MAX_SIGNATURE = 2_000
MAX_REOPEN_DAYS = 365
DEFAULT_REOPEN_DAYS = 7
# What an account added before these settings existed replies with.
DEFAULTS: dict[str, str | int] = {"signature": "", "charset": UTF8, "reopen_days": DEFAULT_REOPEN_DAYS}
_LINE_END = re.compile(r"\r\n?")


def check_from_name(value: str) -> str:
    """The From display name, stripped; "" means the queue's name."""
    name = value.strip()
    if len(name) > MAX_FROM_NAME or any(_is_control(ch) for ch in name):
        raise ValidationError(f"The From name is one line of at most {MAX_FROM_NAME} characters "
                              f"(this one has {len(name):,}).")
    return name


def check_signature(value: str) -> str:
    """The signature with LF line ends and no trailing blank lines; "" for none."""
    text = "\n".join(line.rstrip() for line in _LINE_END.sub("\n", value).split("\n")).strip("\n")
    if any(_is_control(ch) and ch not in "\t\n" for ch in text):
        raise ValidationError("The signature contains control characters; it must be plain text.")
    if len(text) > MAX_SIGNATURE:
        raise ValidationError(f"The signature is {len(text):,} characters; at most {MAX_SIGNATURE:,}.")
    return text


def check_charset(value: str) -> str:
    """``utf-8`` or ``iso-2022-jp``, whatever the case."""
    charset = value.strip().lower()
    if charset not in CHARSETS:
        raise ValidationError(f"'{value[:40]}' is not a charset replies can be sent in; "
                              f"choose {' or '.join(CHARSETS)}.")
    return charset


def check_reopen_days(value: int) -> int:
    """Whole days from 0 (a reply after resolution always opens a new contact) to 365."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_REOPEN_DAYS:
        raise ValidationError(f"The days a resolved contact reopens for are 0 to {MAX_REOPEN_DAYS}, "
                              f"not {value!r}.")
    return value


def _is_control(ch: str) -> bool:
    # Cc: C0/C1 controls, line breaks included; Cs: a lone surrogate (bytes that were not text);
    # Zl/Zp: the Unicode line and paragraph separators.
    return unicodedata.category(ch) in {"Cc", "Cs", "Zl", "Zp"}
