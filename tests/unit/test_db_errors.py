"""Outage or bug: real SQLite and PostgreSQL errors, provoked, then classified.

An outage (busy, locked, unreachable, connection lost) becomes ``Unavailable``
and may send work to the outbox; a bug (a missing column, a syntax error)
leaves ``Database.read()/write()`` as the driver's own error.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from console.errors import Unavailable
from console.store import db as db_module
from console.store.db import Database
from console.store.db_errors import Outage, classify, is_outage
from tests.conftest import PG_ENV


def raised(action: Callable[[], Any]) -> BaseException:
    """The exception ``action`` raises (the test fails if it raises none)."""
    try:
        action()
    except Exception as exc:  # the point is to look at whatever it is
        return exc
    pytest.fail("expected an error")


# -- SQLite ------------------------------------------------------------------

@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "plain.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    return path


def test_sqlite_bugs_are_not_outages(sqlite_file: Path) -> None:
    with closing(sqlite3.connect(sqlite_file)) as conn:
        for sql in ("SELECT no_such_column FROM notes", "SELECT * FROM no_such_table",
                    "SELEC 1", "INSERT INTO notes (body) VALUES (NULL)"):
            exc = raised(lambda sql=sql: conn.execute(sql))  # type: ignore[misc]
            assert isinstance(exc, sqlite3.Error) and not is_outage(exc), sql


def test_sqlite_busy_writer_is_an_outage(sqlite_file: Path) -> None:
    with closing(sqlite3.connect(sqlite_file, isolation_level=None)) as holder, \
            closing(sqlite3.connect(sqlite_file, timeout=0, isolation_level=None)) as other:
        holder.execute("BEGIN IMMEDIATE")
        exc = raised(lambda: other.execute("BEGIN IMMEDIATE"))
        assert isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorname == "SQLITE_BUSY"
        assert classify(exc) is Outage.BUSY


def test_sqlite_file_that_cannot_be_opened_is_an_outage(tmp_path: Path) -> None:
    exc = raised(lambda: sqlite3.connect(tmp_path / "share-gone" / "switchboard.db"))
    assert isinstance(exc, sqlite3.OperationalError)
    assert exc.sqlite_errorname == "SQLITE_CANTOPEN" and classify(exc) is Outage.UNREACHABLE


def test_sqlite_busy_through_the_database_says_try_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db_module, "SQLITE_BUSY_TIMEOUT_MS", 0)  # fail at once, do not wait
    path = tmp_path / "busy.db"
    db = Database(f"sqlite:///{path}")
    try:
        with db.begin() as conn:
            conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
        with closing(sqlite3.connect(path, isolation_level=None)) as holder:
            holder.execute("BEGIN IMMEDIATE")
            with pytest.raises(Unavailable, match=r"busy .*try again"), db.write() as s:
                s.execute(text("INSERT INTO notes DEFAULT VALUES"))
    finally:
        db.dispose()


def test_sqlite_missing_directory_through_the_database_cannot_be_reached(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'share-gone' / 'switchboard.db'}")
    try:
        with pytest.raises(Unavailable, match="cannot be reached: unable to open"), db.read() as s:
            s.execute(text("SELECT 1"))
    finally:
        db.dispose()


# -- both backends, through Database ---------------------------------------------

def test_a_missing_column_is_a_bug_not_an_outage(db: Database) -> None:
    def read() -> None:
        with db.read() as s:
            s.execute(text("SELECT no_such_column FROM agents"))

    exc = raised(read)
    assert isinstance(exc, DBAPIError) and not isinstance(exc, Unavailable)
    assert "no_such_column" in str(exc.orig)


def test_a_write_to_a_missing_table_is_a_bug_not_an_outage(db: Database) -> None:
    def write() -> None:
        with db.write() as s:
            s.execute(text("INSERT INTO no_such_table (id) VALUES (1)"))

    exc = raised(write)
    assert isinstance(exc, DBAPIError) and "no_such_table" in str(exc.orig)


# -- PostgreSQL --------------------------------------------------------------------

@pytest.fixture
def pg(_pg_url: str) -> Iterator[Database]:
    """A migrated PostgreSQL database (the session's shared test database)."""
    database = Database(_pg_url)
    yield database
    database.dispose()


def pg_connect(db: Database) -> psycopg.Connection[Any]:
    url = db.url.set(drivername="postgresql")
    return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)


@pytest.mark.pg
def test_pg_bugs_are_not_outages(pg: Database) -> None:
    with pg_connect(pg) as conn:
        for sql in ("SELECT no_such_column FROM agents", "SELEC 1",
                    "SELECT pg_cancel_backend(pg_backend_pid())"):  # a cancel, not a timeout
            exc = raised(lambda sql=sql: conn.execute(sql))  # type: ignore[misc]
            assert isinstance(exc, psycopg.Error) and classify(exc) is None, sql


@pytest.mark.pg
def test_pg_lock_timeout_is_busy(pg: Database) -> None:
    with pg_connect(pg) as holder:
        holder.execute("BEGIN")
        holder.execute("LOCK TABLE agents IN ACCESS EXCLUSIVE MODE")

        def read() -> None:
            with pg.read() as s:
                s.execute(text("SET LOCAL lock_timeout = '20ms'"))
                s.execute(text("SELECT count(*) FROM agents"))

        exc = raised(read)
        holder.execute("ROLLBACK")
    assert isinstance(exc, Unavailable) and "busy" in exc.message
    assert isinstance(exc.__cause__, DBAPIError) and classify(exc.__cause__) is Outage.BUSY


@pytest.mark.pg
def test_pg_statement_timeout_is_busy(pg: Database) -> None:
    with pg_connect(pg) as conn:
        conn.execute("SET statement_timeout = '10ms'")
        exc = raised(lambda: conn.execute("SELECT pg_sleep(5)"))
    assert isinstance(exc, psycopg.errors.QueryCanceled) and classify(exc) is Outage.BUSY


@pytest.mark.pg
def test_pg_serialization_failure_is_a_conflict(pg: Database) -> None:
    with pg_connect(pg) as first, pg_connect(pg) as second:
        first.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
        first.execute("SELECT count(*) FROM alembic_version")  # takes the snapshot
        second.execute("UPDATE alembic_version SET version_num = version_num")
        exc = raised(lambda: first.execute("UPDATE alembic_version SET version_num = version_num"))
        first.execute("ROLLBACK")
    assert isinstance(exc, psycopg.errors.SerializationFailure)
    assert classify(exc) is Outage.CONFLICT


@pytest.mark.pg
def test_pg_deadlock_is_a_conflict(pg: Database) -> None:
    errors: list[BaseException] = []
    with pg_connect(pg) as first, pg_connect(pg) as second:
        def lock(conn: psycopg.Connection[Any], key: int) -> None:
            try:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            except psycopg.Error as exc:
                errors.append(exc)
            conn.execute("ROLLBACK")  # frees the other side, whichever PostgreSQL chose

        for conn, key in ((first, 1), (second, 2)):
            conn.execute("BEGIN")
            conn.execute("SET LOCAL deadlock_timeout = '10ms'")
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
        crosswise = threading.Thread(target=lock, args=(first, 2))
        crosswise.start()
        lock(second, 1)
        crosswise.join()
    assert len(errors) == 1 and isinstance(errors[0], psycopg.errors.DeadlockDetected)
    assert classify(errors[0]) is Outage.CONFLICT


@pytest.mark.pg
def test_pg_out_of_resources_is_an_outage(pg: Database) -> None:
    with pg_connect(pg) as conn:
        conn.execute("SET temp_file_limit = '64kB'")
        conn.execute("SET work_mem = '64kB'")  # the sort spills to a temporary file
        exc = raised(lambda: conn.execute(
            "SELECT count(*) FROM (SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC) s"))
    assert isinstance(exc, psycopg.Error) and exc.sqlstate == "53400"
    assert classify(exc) is Outage.EXHAUSTED


@pytest.mark.pg
def test_pg_closed_port_cannot_be_reached_and_hides_the_password() -> None:
    if not os.environ.get(PG_ENV):
        pytest.skip(f"{PG_ENV} is not set")
    exc = raised(lambda: psycopg.connect("postgresql://postgres@127.0.0.1:1/postgres"))
    assert isinstance(exc, psycopg.OperationalError) and exc.sqlstate is None
    assert classify(exc) is Outage.UNREACHABLE
    db = Database("postgresql://agent:s3cret@127.0.0.1:1/switchboard")
    try:
        with pytest.raises(Unavailable) as info, db.read() as s:
            s.execute(text("SELECT 1"))
    finally:
        db.dispose()
    assert "cannot be reached" in info.value.message and "127.0.0.1:1" in info.value.message
    assert "s3cret" not in info.value.message


@pytest.mark.pg
def test_pg_too_many_connections_cannot_be_reached(pg: Database) -> None:
    role = f"sb_full_{uuid.uuid4().hex[:8]}"
    with pg_connect(pg) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
        try:
            exc = raised(lambda: psycopg.connect(
                pg.url.set(drivername="postgresql", username=role, password=None)
                .render_as_string(hide_password=False)))
        finally:
            admin.execute(f'DROP ROLE "{role}"')
    assert "too many connections" in str(exc) and classify(exc) is Outage.UNREACHABLE


@pytest.mark.pg
def test_pg_connection_lost_mid_session_is_an_outage(pg: Database) -> None:
    with pg_connect(pg) as killer:
        def read() -> None:
            with pg.read() as s:
                pid = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
                killer.execute("SELECT pg_terminate_backend(%s, 10000)", (pid,))  # waits until gone
                s.execute(text("SELECT 1"))

        exc = raised(read)
    assert isinstance(exc, Unavailable) and "cannot be reached" in exc.message
    assert isinstance(exc.__cause__, DBAPIError) and is_outage(exc.__cause__)
    with pg.read() as s:  # the pool dropped the dead connection: the next call works
        assert s.execute(text("SELECT 1")).scalar_one() == 1


def test_a_workstation_with_every_connection_in_use_is_busy_not_broken(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite opens a connection per use; only a pooled server connection runs out")
    db = Database(db_url, pool_size=1, pool_timeout=0)  # 1 + 2 overflow, and no waiting
    held = [db.engine.connect() for _ in range(3)]
    try:
        with (pytest.raises(Unavailable, match="every connection of this workstation is in use"),
              db.read() as s):
            s.execute(text("SELECT 1"))
    finally:
        for conn in held:
            conn.close()
        db.dispose()
    with db.read() as s:  # a connection back in the pool: working again
        assert s.execute(text("SELECT 1")).scalar() == 1
    db.dispose()
