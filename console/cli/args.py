"""Argument types for every ``switchboard`` command: hostile input stops at parse time.

Each function here is an argparse ``type=``: it returns the parsed value or
raises ``argparse.ArgumentTypeError`` with a one-line reason, so a number
too big for its column, a NUL byte or a 10,000-character login is refused
before any database is opened, and nothing is changed.
"""

from __future__ import annotations

import argparse
import math
import unicodedata
from collections.abc import Callable
from pathlib import Path

# Customers, contacts and the other tables' ids are INTEGER columns (32-bit on
# PostgreSQL); the change log's seq is BIGINT (see console/store/models*.py).
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
MAX_DIGITS = 20  # more digits than any 64-bit number: out of range without asking int()
MAX_LOGIN = 64  # console.services.admin.MAX_LOGIN
MAX_NAME = 80  # queue, calendar and template names (String(80) columns)
MAX_QUERY = 200  # console.services.customers.MAX_QUERY
MAX_PATH = 4096
MAX_SCALE = 100_000_000  # demo and benchmark sizes


def _whole_number(text: str, lowest: int, highest: int) -> int:
    digits = text.strip().replace("_", "").replace(",", "")
    unsigned = digits[1:] if digits.startswith(("+", "-")) else digits
    if not (unsigned.isascii() and unsigned.isdigit()):
        raise argparse.ArgumentTypeError(f"must be a whole number from {lowest:,} to {highest:,}")
    if len(unsigned) > MAX_DIGITS or not lowest <= int(digits) <= highest:
        raise argparse.ArgumentTypeError(f"must be from {lowest:,} to {highest:,}")
    return int(digits)


def whole_number(lowest: int, highest: int) -> Callable[[str], int]:
    """A type for a whole number in ``lowest..highest`` ("1_000" and "1,000" allowed)."""

    def parse(text: str) -> int:
        return _whole_number(text, lowest, highest)

    parse.__name__ = "whole number"
    return parse


def row_id(text: str) -> int:
    """The id of a customer, contact or other row: 1 to the INTEGER column's maximum."""
    return _whole_number(text, 1, INT32_MAX)


def change_seq(text: str) -> int:
    """A position in the change log (a BIGINT): 0 for "from the start"."""
    return _whole_number(text, 0, INT64_MAX)


def limit(highest: int) -> Callable[[str], int]:
    """A type for how many rows to show: 1 to ``highest`` (the service's own maximum)."""
    return whole_number(1, highest)


def scale(text: str) -> int:
    """A demo or benchmark size: 0 to a hundred million."""
    return _whole_number(text, 0, MAX_SCALE)


def seconds(text: str) -> int:
    """A duration in whole seconds that fits an INTEGER column: at least one."""
    return _whole_number(text, 1, INT32_MAX)


def seed(text: str) -> int:
    """A random seed: any signed 64-bit number."""
    return _whole_number(text, -INT64_MAX - 1, INT64_MAX)


def year(text: str) -> int:
    """A calendar year for public holidays."""
    return _whole_number(text, 1900, 2200)


def ratio(text: str) -> float:
    """A share such as a service-level goal: a finite number from 0 to 1."""
    try:
        value = float(text) if len(text) <= MAX_DIGITS else math.nan
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:  # also false for nan
        raise argparse.ArgumentTypeError("must be a number from 0 to 1, e.g. 0.8")
    return value


def _refuse_non_text(text: str, what: str, longest: int) -> str:
    if len(text) > longest:
        raise argparse.ArgumentTypeError(f"{what} is {len(text):,} characters; at most {longest}")
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cc":
            raise argparse.ArgumentTypeError(f"{what} contains a control character")
        if category == "Cs":  # a lone surrogate: bytes that were not UTF-8
            raise argparse.ArgumentTypeError(f"{what} contains bytes that are not text")
    return text


def text(longest: int, what: str = "the text") -> Callable[[str], str]:
    """A type for free text (a search, a name): printable, at most ``longest`` characters.

    Empty text passes: the service says what an empty search or name means.
    """

    def parse(value: str) -> str:
        return _refuse_non_text(value, what, longest)

    parse.__name__ = "text"
    return parse


def login(value: str) -> str:
    """An agent's login: letters, digits, '.' and '_' (the rule logins are created with)."""
    _refuse_non_text(value, "the login", MAX_LOGIN)
    if not value or not value.replace(".", "").replace("_", "").isalnum():
        raise argparse.ArgumentTypeError(f"'{value}' is not a login (letters, digits, '.', '_')")
    return value


def name(value: str) -> str:
    """The name of a queue, calendar or template."""
    return _refuse_non_text(value, "the name", MAX_NAME)


def query(value: str) -> str:
    """What to search for."""
    return _refuse_non_text(value, "the search", MAX_QUERY)


def path(value: str) -> Path:
    """A file or folder name (no NUL or other control characters)."""
    if not value:
        raise argparse.ArgumentTypeError("the path is empty")
    return Path(_refuse_non_text(value, "the path", MAX_PATH))
