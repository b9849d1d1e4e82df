"""What a visitor may send: their credentials, and how fast they may write.

A visitor's token is 32 random bytes the page keeps; the visitor id stored
as their identity is a digest of the token with the account's id, so the
database never holds the token, and a token is worth nothing on another
account's chat.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

TOKEN_BYTES = 32
_PREFIX = "wc_"


def new_token() -> str:
    """A fresh visitor token (URL-safe text)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def visitor_id(account_id: int, token: str) -> str:
    """The visitor id a token stands for on one account: what is stored, never the token."""
    digest = hashlib.sha256(f"{account_id}:{token}".encode()).hexdigest()
    return _PREFIX + digest[:48]


def plausible_token(token: str) -> bool:
    """Whether ``token`` has the shape ``new_token`` gives (anything else is refused unread)."""
    return 40 <= len(token) <= 64 and all(ch.isalnum() or ch in "-_" for ch in token)


@dataclass(frozen=True)
class Rate:
    """``burst`` at once, then one more every ``every_s`` seconds."""

    burst: int
    every_s: float


class Buckets:
    """Token buckets by key (a visitor, an address), the least recently used forgotten first.

    Args:
        rate: how much each key may do.
        clock: seconds, monotonic (the services' clock in tests).
        keep: how many keys are remembered.
    """

    def __init__(self, rate: Rate, clock: Callable[[], float], keep: int = 10_000) -> None:
        self._rate = rate
        self._clock = clock
        self._keep = keep
        self._levels: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Takes one for ``key``: 0.0 when allowed, else the seconds until one is free."""
        now = self._clock()
        with self._lock:
            level, at = self._levels.pop(key, (float(self._rate.burst), now))
            level = min(float(self._rate.burst), level + max(0.0, now - at) / self._rate.every_s)
            if level < 1.0:
                self._levels[key] = (level, now)
                return (1.0 - level) * self._rate.every_s
            self._levels[key] = (level - 1.0, now)
            while len(self._levels) > self._keep:
                self._levels.popitem(last=False)
            return 0.0
