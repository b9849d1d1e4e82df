"""Following the change log: every change after a sequence number, in order, as soon as it commits.

The same loop serves ``switchboard watch`` and the window's live updates: wait
for a wake-up (NOTIFY on PostgreSQL, a short poll on SQLite), read
``seq > last_seen``, hand the batch on. A lost connection is retried with
backoff; nothing is skipped because the reader always resumes from the last
sequence number it handed on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import psycopg

from console.domain import Change
from console.errors import Unavailable
from console.store import changes
from console.store.db import Database
from console.sync.wakeup import MAX_QUIET_S, Wakeup, listen, open_wakeup

log = logging.getLogger(__name__)

BATCH = 1000
RETRY_FIRST_S, RETRY_MAX_S = 0.5, 15.0


def read_batch(db: Database, last_seq: int, limit: int = BATCH) -> list[Change]:
    """The changes after ``last_seq``, oldest first."""
    with db.read() as session:
        return changes.since(session, last_seq, limit)


def current_seq(db: Database) -> int:
    """The newest sequence number in the log."""
    with db.read() as session:
        return changes.last_seq(session)


class ChangeSource:
    """The change log as a front end follows it: what changed, never customer data.

    The window's change feed holds this instead of the database, so nothing in
    ``ui/`` can reach a raw session (console.security.guard.Door.changes).
    """

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def notifies(self) -> bool:
        """Whether commits are announced (PostgreSQL NOTIFY); else poll."""
        return self._db.is_postgres

    def since(self, last_seq: int, limit: int = BATCH) -> list[Change]:
        """The changes after ``last_seq``, oldest first."""
        return read_batch(self._db, last_seq, limit)

    def last_seq(self) -> int:
        """The newest sequence number in the log."""
        return current_seq(self._db)

    def listen(self, on_wake: Callable[[], None], stop: threading.Event) -> None:
        """Calls ``on_wake`` after each burst of notifications until ``stop`` is set."""
        listen(self._db, on_wake, stop)


class ChangeFollower:
    """Yields batches of new changes until stopped; survives the database going away.

    Args:
        db: the shared database.
        start_seq: hand on changes after this one (default: from now on).
        wakeup_factory: opens the wake-up source (tests pass their own).
        on_connection: called with True/False when the database comes and goes.
    """

    def __init__(self, db: Database, *, start_seq: int | None = None,
                 wakeup_factory: Callable[[Database], Wakeup] = open_wakeup,
                 on_connection: Callable[[bool], None] | None = None) -> None:
        self._db = db
        self._last = start_seq
        self._open_wakeup = wakeup_factory
        self._on_connection = on_connection or (lambda _up: None)
        self._wakeup: Wakeup | None = None
        self._stop = threading.Event()
        self._connected: bool | None = None

    @property
    def last_seq(self) -> int | None:
        return self._last

    def stop(self) -> None:
        """Ends ``batches()`` soon, from any thread."""
        self._stop.set()
        if self._wakeup is not None:
            self._wakeup.close()

    def batches(self) -> Iterator[list[Change]]:
        """Every new change, in sequence order, batch by batch, until ``stop()``."""
        delay = RETRY_FIRST_S
        while not self._stop.is_set():
            try:
                yield from self._follow()
                return
            except (Unavailable, psycopg.Error) as exc:
                self._close_wakeup()
                self._set_connected(False)
                log.info("change feed lost the database (%s); retrying in %.1f s", exc, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, RETRY_MAX_S)

    def _follow(self) -> Iterator[list[Change]]:
        self._wakeup = self._open_wakeup(self._db)
        if self._last is None:
            self._last = current_seq(self._db)
        self._set_connected(True)
        while not self._stop.is_set():
            batch = read_batch(self._db, self._last)
            if batch:
                self._last = batch[-1].seq
                yield batch
                if len(batch) == BATCH:
                    continue
            self._wakeup.wait(MAX_QUIET_S)

    def _set_connected(self, up: bool) -> None:
        if up != self._connected:
            self._connected = up
            self._on_connection(up)

    def _close_wakeup(self) -> None:
        if self._wakeup is not None:
            try:
                self._wakeup.close()
            except psycopg.Error:
                log.debug("closing a broken listener connection", exc_info=True)
            self._wakeup = None
