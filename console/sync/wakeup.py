"""Waiting for "something changed": PostgreSQL LISTEN/NOTIFY, or a polling interval on SQLite.

A wake-up carries no data. The reader always asks the change log for
``seq > last_seen``, so a notification lost while the connection was down
costs nothing: the next read catches up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Protocol

import psycopg

from console.store.changes import NOTIFY_CHANNEL
from console.store.db import Database

log = logging.getLogger(__name__)

SQLITE_POLL_S = 0.2
# How long a listener waits before reading anyway: a safety net for a
# notification lost in a reconnect.
MAX_QUIET_S = 5.0


class Wakeup(Protocol):
    """Blocks until a change may have been committed, or ``timeout`` seconds pass."""

    def wait(self, timeout: float) -> bool:
        """Returns True when woken by a change, False on a timeout."""

    def close(self) -> None:
        """Releases the connection; a waiting ``wait`` returns soon after."""


class PollingWakeup:
    """SQLite: no notifications; the follower simply reads every ``interval`` seconds."""

    def __init__(self, interval: float = SQLITE_POLL_S) -> None:
        self._interval = interval
        self._closed = threading.Event()

    def wait(self, timeout: float) -> bool:
        self._closed.wait(min(timeout, self._interval))
        return False

    def close(self) -> None:
        self._closed.set()


class NotifyWakeup:
    """PostgreSQL: a dedicated autocommit connection that LISTENs on the change channel.

    Args:
        db: the shared database (its URL, password included, opens the connection).

    Raises:
        psycopg.OperationalError: when the server cannot be reached (callers
            treat it like any other connection loss and retry).
    """

    def __init__(self, db: Database) -> None:
        url = db.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._conn = psycopg.connect(url, autocommit=True, connect_timeout=5)
        self._conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self._closed = threading.Event()

    def wait(self, timeout: float) -> bool:
        if self._closed.is_set():
            return False
        woke = False
        # Drain every notification already queued: one read answers them all.
        for _ in self._conn.notifies(timeout=timeout, stop_after=1):
            woke = True
        while woke:
            more = list(self._conn.notifies(timeout=0.0, stop_after=100))
            if not more:
                break
        return woke

    def close(self) -> None:
        self._closed.set()
        self._conn.close()


def open_wakeup(db: Database) -> Wakeup:
    """The cheapest way to learn of changes on this backend."""
    if db.is_postgres:
        return NotifyWakeup(db)
    return PollingWakeup()


def listen(db: Database, on_wake: Callable[[], None], stop: threading.Event, *,
           interval: float = 0.25) -> None:
    """Calls ``on_wake`` after each burst of notifications until ``stop`` is set.

    For a thread of its own (the window's change feed). A lost connection is
    reopened with backoff; ``on_wake`` is called after each reconnect too, since
    changes may have been missed meanwhile.
    """
    delay = 0.5
    while not stop.is_set():
        try:
            wakeup = NotifyWakeup(db)
        except psycopg.Error as exc:
            log.info("cannot listen for changes (%s); retrying in %.1f s", exc, delay)
            stop.wait(delay)
            delay = min(delay * 2, 15.0)
            continue
        delay = 0.5
        on_wake()
        try:
            while not stop.is_set():
                if wakeup.wait(interval):
                    on_wake()
        except psycopg.Error as exc:
            log.info("lost the change listener (%s); reconnecting", exc)
        finally:
            wakeup.close()
