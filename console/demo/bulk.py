"""Bulk loading: batched Core inserts, load-time tuning, sequences and statistics.

Core ``insert(table)`` with a list of dicts is one ``executemany`` per batch:
several times faster than ORM objects, and the column types still convert
every value, so rows land exactly as the services would write them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

from console.store.models import Base

BATCH_ROWS = 10_000
# 256 MiB of page cache while loading: a million random keys into the name
# indexes otherwise thrash SQLite's default 2 MiB cache.
_LOAD_CACHE_KIB = 262_144


def table_of(model: type[Base]) -> Table:
    """A model's Table, typed as one (declarative bases only promise a FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Inserts ``rows`` in batches of BATCH_ROWS; returns how many."""
    for start in range(0, len(rows), BATCH_ROWS):
        conn.execute(insert(table), rows[start : start + BATCH_ROWS])
    return len(rows)


@contextmanager
def tuned_for_load(conn: Connection, is_postgres: bool) -> Iterator[None]:
    """Backend settings for a big load on this connection, restored afterwards."""
    if is_postgres:  # its defaults suit bulk loads; COPY would be the next step
        yield
        return
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{_LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(before or -2000)}")


def advance_sequences(conn: Connection, tables: Sequence[Table]) -> None:
    """PostgreSQL: moves each id sequence past the ids we inserted explicitly.

    Without this the next contact created by intake would collide with id 1.
    """
    for table in tables:
        top = conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()
        conn.execute(
            text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v, false)"),
            {"t": table.name, "v": int(top) + 1},
        )


def analyze(conn: Connection, is_postgres: bool) -> None:
    """Refreshes the planner's statistics after the load.

    SQLite reads at most ~1000 rows per index (analysis_limit): enough for
    the planner, and seconds instead of minutes on ten million rows.
    """
    if is_postgres:
        conn.execute(text("ANALYZE"))
        return
    conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
    conn.exec_driver_sql("ANALYZE")
