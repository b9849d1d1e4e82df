"""Masking of customer identifiers: what every screen, log and export shows."""

from __future__ import annotations

MASK = "*"


def digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def mask_number(number: str, visible: int = 4) -> str:
    """Keeps the last ``visible`` digits: "1234567890" -> "******7890"."""
    clean = digits(number) or number
    if len(clean) <= visible:
        return MASK * len(clean)
    return MASK * (len(clean) - visible) + clean[-visible:]
