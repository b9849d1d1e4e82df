"""Masking of customer identifiers: what every screen, log and export shows."""

from __future__ import annotations

import re

MASK = "*"


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def mask_number(number: str, visible: int = 4) -> str:
    """Keeps the last ``visible`` digits: "1234567890" -> "******7890"."""
    clean = digits(number) or number
    if len(clean) <= visible:
        return MASK * len(clean)
    return MASK * (len(clean) - visible) + clean[-visible:]


_DIGIT_RUN = re.compile(r"\d(?:[\s\-]?\d){5,}")


def mask_digit_runs(text: str, visible: int = 4) -> str:
    """Masks every run of six or more digits (spaces and dashes allowed between them).

    For free text that may hold a number somebody typed: a search box's query
    before it goes to the audit log, a message before it goes to a log file.
    """
    return _DIGIT_RUN.sub(lambda m: mask_number(m.group(0), visible), text)


def phone_hint(number: str, visible: int = 4) -> str:
    """The end of a phone number, as the branch desk shows it: "+819012345678" -> "…5678"."""
    clean = digits(number)
    return f"…{clean[-visible:]}" if clean else ""


def mask_email(address: str) -> str:
    """Keeps the first character and the domain: "taro@example.jp" -> "t…@example.jp".

    Enough to tell two customers apart on screen without showing the address.
    """
    local, at, domain = address.partition("@")
    if not at:
        return "…"
    return f"{local[:1]}…@{domain}"
