"""Tells a database outage (a known problem: try again later) from a bug in our SQL.

Only an outage may become ``Unavailable`` and send an agent's work to the
offline outbox; anything else (a missing column, a syntax error, a
constraint nobody expected) is a bug and must reach the crash dialog with
its traceback, however the driver happens to classify it.
"""

from __future__ import annotations

import enum
import sqlite3

import psycopg
from sqlalchemy.exc import DBAPIError


class Outage(enum.Enum):
    """Why the database cannot do the work right now; each asks for a different message."""

    UNREACHABLE = "unreachable"  # no connection, or it was lost
    BUSY = "busy"  # a lock or a timeout: the same work may succeed in a moment
    CONFLICT = "conflict"  # deadlock or serialization failure: retrying is the cure
    EXHAUSTED = "exhausted"  # the server ran out of connections, memory or disk


# SQLite result codes (https://www.sqlite.org/rescode.html). Extended codes
# carry the primary code in their low byte, so SQLITE_BUSY_SNAPSHOT (517) is BUSY.
_SQLITE_OUTAGES = {
    5: Outage.BUSY,  # SQLITE_BUSY: another connection holds the write lock
    6: Outage.BUSY,  # SQLITE_LOCKED: a conflict inside one shared cache
    10: Outage.UNREACHABLE,  # SQLITE_IOERR: the disk or network share failed mid-way
    13: Outage.EXHAUSTED,  # SQLITE_FULL: the disk is full
    14: Outage.UNREACHABLE,  # SQLITE_CANTOPEN: the file or its folder is gone or unreadable
}

# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_PG_OUTAGES = {
    "57P01": Outage.UNREACHABLE,  # admin_shutdown (also pg_terminate_backend)
    "57P02": Outage.UNREACHABLE,  # crash_shutdown
    "57P03": Outage.UNREACHABLE,  # cannot_connect_now (starting up, in recovery)
    "57P05": Outage.UNREACHABLE,  # idle_session_timeout: the server closed an idle session
    "55P03": Outage.BUSY,  # lock_not_available (lock_timeout, NOWAIT)
    "40P01": Outage.CONFLICT,  # deadlock_detected: PostgreSQL rolled us back
    "40001": Outage.CONFLICT,  # serialization_failure
}
_PG_OUTAGE_CLASSES = {
    "08": Outage.UNREACHABLE,  # connection exceptions
    "53": Outage.EXHAUSTED,  # insufficient resources: too many connections, disk full, memory
}
_PG_QUERY_CANCELED = "57014"


def classify(exc: BaseException | None) -> Outage | None:
    """The kind of outage ``exc`` reports, or None when it is a bug.

    Args:
        exc: a SQLAlchemy ``DBAPIError`` or the driver's own exception
            (sqlite3 or psycopg 3).
    """
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return Outage.UNREACHABLE
        exc = exc.orig
    if isinstance(exc, sqlite3.Error):
        return _sqlite_outage(exc)
    if isinstance(exc, psycopg.Error):
        return _postgres_outage(exc)
    return None


def is_outage(exc: BaseException | None) -> bool:
    """True when ``exc`` means "the database cannot do this now", False for a bug."""
    return classify(exc) is not None


def _sqlite_outage(exc: sqlite3.Error) -> Outage | None:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None  # raised by the sqlite3 module itself (misuse), not by SQLite
    return _SQLITE_OUTAGES.get(code & 0xFF)


def _postgres_outage(exc: psycopg.Error) -> Outage | None:
    state = exc.sqlstate
    if state is None:
        # psycopg raises OperationalError without a SQLSTATE when the server never
        # answered: connection refused, DNS failure, the socket dropped mid-query.
        # Its other errors without one (wrong parameter count...) are our bugs.
        return Outage.UNREACHABLE if isinstance(exc, psycopg.OperationalError) else None
    if state == _PG_QUERY_CANCELED:
        # statement_timeout is a busy server; a cancel by request is not an outage.
        return Outage.BUSY if "timeout" in (exc.diag.message_primary or "") else None
    return _PG_OUTAGES.get(state) or _PG_OUTAGE_CLASSES.get(state[:2])
