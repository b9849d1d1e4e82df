"""Phone numbers in any common format, normalised to E.164 with phonenumbers."""

from __future__ import annotations

import re

import phonenumbers

_PHONEISH = re.compile(r"^[\d\s+\-().\u2010-\u2015\uff10-\uff19\uff0b\uff0d]+$")


def looks_like_phone(text: str) -> bool:
    """Digits with the punctuation people type in phone numbers, and at least 6 digits."""
    return bool(_PHONEISH.match(text)) and sum(ch.isdigit() for ch in text) >= 6


def to_e164(text: str, regions: tuple[str, ...]) -> list[str]:
    """Every E.164 reading of ``text``: international, or national in one of ``regions``.

    Valid numbers come first; merely possible ones (right length) are kept as a
    fallback so an unusual but real number is still found.
    """
    raw = text.strip()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    attempts: tuple[str | None, ...] = (None,) if raw.startswith(("+", "＋")) else regions
    valid: list[str] = []
    possible: list[str] = []
    for region in attempts:
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            continue
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number):
            valid.append(e164)
        elif phonenumbers.is_possible_number(number):
            possible.append(e164)
    return list(dict.fromkeys(valid + possible))


def display(e164: str) -> str:
    """The international format people read: +81 90-1234-5678."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def readable(e164: str, home_region: str | None) -> str:
    """How an agent reads a number: national ("090-1234-5678") when it is in ``home_region``,
    international ("+1 415-555-2671") otherwise; the text itself when it is no number."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if home_region and phonenumbers.region_code_for_number(number) == home_region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
