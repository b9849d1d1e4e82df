"""The database handle: engine, sessions per unit of work, and error translation.

``Database.read()`` and ``Database.write()`` each give one session for one
user action; a write session on SQLite starts with ``BEGIN IMMEDIATE`` so two
writers queue on the busy timeout instead of failing half-way.

``Database.write()`` opens a *unit of work*: while it is open on a thread,
further ``read()`` and ``write()`` calls on that thread join its session
instead of opening their own, and everything commits (or rolls back) once,
when the outermost one ends. The guarded facade relies on this to commit an
action and its audit entry together (console.security.guard).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from console.errors import Unavailable, ValidationError
from console.store import changes
from console.store.db_errors import Outage, classify

log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000
_WRITE = "switchboard_write"
# SQLite's busy handler is not fair: under load one writer can lose every retry
# until its timeout. Writers in one process therefore queue on a lock per file
# (the file is shared by every Database opened on it); other processes still
# meet the busy timeout.
_sqlite_file_locks: dict[str, threading.Lock] = {}
_sqlite_file_locks_guard = threading.Lock()


def _sqlite_file_lock(url: URL) -> threading.Lock | None:
    path = url.database or ""
    if path in ("", ":memory:") or path.startswith("file:"):
        return None

    key = str(Path(path).resolve())
    with _sqlite_file_locks_guard:
        return _sqlite_file_locks.setdefault(key, threading.Lock())


def parse_url(url: str) -> URL:
    """Parses a database URL and picks our drivers (psycopg 3 for PostgreSQL).

    Raises:
        ValidationError: when the text is not a database URL we support.
    """
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise ValidationError(
            f"'{url}' is not a database URL (expected sqlite:///PATH or "
            "postgresql://USER@HOST:PORT/DB)."
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+pysqlite")
    raise ValidationError(f"Unsupported database '{backend}': use SQLite or PostgreSQL.")


class Database:
    """One database: engine, session factories and the backend's quirks.

    Args:
        url: a SQLAlchemy URL (password already filled in, see console.config).
        pool_size: connections kept open (PostgreSQL).
        pool_timeout: seconds to wait for a free connection when all are in use.
    """

    def __init__(self, url: str | URL, *, pool_size: int = 5, pool_timeout: float = 30.0) -> None:
        self.url = parse_url(url) if isinstance(url, str) else url
        self.dialect = self.url.get_backend_name()
        self.engine = self._create_engine(pool_size, pool_timeout)
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(**{_WRITE: True})
        self._write = sessionmaker(writer, expire_on_commit=False)
        changes.install(self._write, self.dialect)
        self._write_lock = _sqlite_file_lock(self.url) if self.dialect == "sqlite" else None
        # Context variables are per thread (and per asyncio task): a worker's unit of
        # work is never seen by another thread.
        self._unit: ContextVar[Session | None] = ContextVar(f"switchboard_unit_{id(self)}",
                                                             default=None)

    def _create_engine(self, pool_size: int, pool_timeout: float) -> Engine:
        if self.dialect == "sqlite":
            engine = create_engine(self.url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            _configure_sqlite(engine)
            return engine
        return create_engine(
            self.url, pool_size=pool_size, max_overflow=pool_size * 2, pool_timeout=pool_timeout,
            pool_pre_ping=True
        )

    @property
    def is_postgres(self) -> bool:
        return self.dialect == "postgresql"

    def describe(self) -> str:
        """The URL with any password hidden, for messages and logs."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; rolled back at the end (or the open unit of work's)."""
        unit = self._unit.get()
        if unit is not None:
            yield unit
            return
        with self._translate_errors(), self._read() as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session for one unit of work: committed at the end, rolled back on error.

        Inside an open unit of work this joins it: nothing commits until the
        outermost ``write()`` ends.
        """
        unit = self._unit.get()
        if unit is not None:
            yield unit
            return
        queue = self._write_lock or nullcontext()
        with queue, self._translate_errors(), self._write.begin() as session:
            token = self._unit.set(session)
            try:
                yield session
            finally:
                self._unit.reset(token)

    @property
    def in_unit_of_work(self) -> bool:
        """Whether this thread has a ``write()`` open (tests and assertions)."""
        return self._unit.get() is not None

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A plain connection (no transaction), for schema checks."""
        with self._translate_errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection in a transaction, committed at the end (migrations, bulk loads)."""
        with self._translate_errors(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def _translate_errors(self) -> Iterator[None]:
        """An outage becomes ``Unavailable``; every other database error is a bug and passes."""
        try:
            yield
        except DBAPIError as exc:
            outage = classify(exc)
            if outage is None:
                raise
            raise Unavailable(self._outage_message(outage, exc)) from exc
        except PoolTimeout as exc:  # every connection of this process is in use: busy, not a bug
            raise Unavailable("The database is busy (every connection of this workstation is in "
                              "use); try again.") from exc

    def _outage_message(self, outage: Outage, exc: DBAPIError) -> str:
        detail = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        if outage is Outage.BUSY:
            return "The database is busy (another program holds a lock); try again."
        if outage is Outage.CONFLICT:
            return "The database is busy (another change got in the way); try again."
        if outage is Outage.EXHAUSTED:
            return f"The database {self.describe()} is out of resources: {detail}"
        return f"The database {self.describe()} cannot be reached: {detail}"

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and explicit BEGIN (the recipe from SQLAlchemy's SQLite docs)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get(_WRITE, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
