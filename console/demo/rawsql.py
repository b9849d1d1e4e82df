"""The benchmark's yardstick: the services' queries as SQL text sent straight to the driver.

Each ``prepare_*`` turns a typed input into exactly the statements the
service would run (untimed); the matching method runs them on a plain
connection and fetches every row, with no ORM, no type processing and no
domain objects. Values always travel as bound parameters; the only text put
into the SQL is placeholders and the compiled form of our own statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam

from console import phones, text
from console.masking import digits
from console.services.customers import clean_query
from console.services.inbox_query import PAGE_SIZE, InboxFilter, build_query
from console.services.kb import fts5_query, search_groups, tsquery
from console.services.rows import contact_select
from console.store.changes import NOTIFY_CHANNEL
from console.store.db import Database
from console.store.models import Contact

LIMIT = 20
_ADVISORY_KEY = 0x5B0A2D  # console.store.changes takes this lock before appending
_SUMMARY = (
    "SELECT * FROM customers WHERE id IN ({ids})",
    "SELECT customer_id, e164 FROM customer_phones WHERE customer_id IN ({ids}) ORDER BY id",
    "SELECT customer_id, email FROM customer_emails WHERE customer_id IN ({ids}) ORDER BY id",
    "SELECT * FROM accounts WHERE customer_id IN ({ids}) ORDER BY id",
)
_CLAIM = (
    "UPDATE contacts SET assignee_id = ?, version = version + 1, updated_at = ?, "
    "status = CASE WHEN status = 'new' THEN 'open' ELSE status END "
    "WHERE id = ? AND assignee_id IS NULL AND status IN ('new', 'open', 'pending')"
)
_EVENT = ("INSERT INTO contact_events (contact_id, kind, agent_id, detail, created_at) "
          "VALUES (?, 'claimed', ?, '', ?)")
_CHANGE = "INSERT INTO change_log (entity, entity_id, op, at) VALUES ('contact', ?, 'update', ?)"
# KbService.search: FTS5 ranks inside the virtual table, then one join fetches the hits.
_KB_SQLITE = (
    "SELECT a.id, a.title, a.body, a.category, a.language, -hits.rank AS score "
    "FROM kb_articles a JOIN (SELECT kb_fts.rowid AS id, kb_fts.rank AS rank FROM kb_fts "
    "WHERE kb_fts MATCH ? AND kb_fts.rank MATCH 'bm25(10.0, 1.0)' "
    "ORDER BY kb_fts.rank LIMIT 20) AS hits ON hits.id = a.id ORDER BY hits.rank"
)
_KB_PG = (
    "SELECT id, title, body, category, language, "
    "ts_rank(search_vector, to_tsquery('english'::regconfig, %s), 1) AS score "
    "FROM kb_articles WHERE search_vector @@ to_tsquery('english'::regconfig, %s) "
    "ORDER BY score DESC, id LIMIT 20"
)


class Lookup(NamedTuple):
    """The id queries one customer search runs, as (sql, params)."""

    queries: tuple[tuple[str, tuple[Any, ...]], ...]


class RawQueries:
    """Raw-SQL twins of the measured service calls.

    Args:
        db: the database whose engine (and so connection pool) they share.
        regions: phone regions, as the customer service is configured.
    """

    def __init__(self, db: Database, regions: tuple[str, ...] = ("JP", "US", "GB")) -> None:
        self._db = db
        self._pg = db.is_postgres
        self._regions = regions
        row_sql = contact_select().where(Contact.id == bindparam("cid"))
        self._row_sql, self._row_keys = self._compiled(row_sql)

    def _q(self, sql: str) -> str:
        """Our SQL is written with qmark placeholders; psycopg wants %s."""
        return sql.replace("?", "%s") if self._pg else sql

    def _compiled(self, stmt: Select[Any]) -> tuple[str, tuple[str, ...] | None]:
        compiled = stmt.compile(dialect=self._db.engine.dialect)
        keys = compiled.positiontup
        return str(compiled), tuple(keys) if keys else None

    def _time(self, at: datetime) -> Any:
        """A UTC time as stored: naive on PostgreSQL, SQLAlchemy's text form on SQLite."""
        naive = at.astimezone(UTC).replace(tzinfo=None)
        return naive if self._pg else naive.isoformat(" ", "microseconds")

    # -- customers ---------------------------------------------------------
    def prepare_find(self, typed: str) -> Lookup:
        """The id lookups CustomerService.find(typed) runs in "auto" mode."""
        q = clean_query(typed)
        if phones.looks_like_phone(q):
            number = digits(text.fold(q))
            e164s = phones.to_e164(q, self._regions)
            by_account = ("SELECT customer_id FROM accounts WHERE number = ? "
                          "ORDER BY customer_id LIMIT ?", (number, LIMIT))
            if not e164s:
                return Lookup((by_account,))
            marks = ", ".join("?" * len(e164s))
            by_phone = (f"SELECT customer_id FROM customer_phones WHERE e164 IN ({marks}) "  # noqa: S608 - placeholders only
                        "ORDER BY customer_id LIMIT ?", (*e164s, LIMIT))
            return Lookup((by_account, by_phone))
        folded = text.fold(q)
        if text.has_cjk(folded):
            keys = [("kana_key", text.to_katakana(text.squash(folded))),
                    ("kanji_key", text.squash(folded))]
        else:
            latin = " ".join(folded.split())
            keys = [("name_key", latin), ("name_key_rev", latin)]
        return Lookup(tuple(
            (f"SELECT id FROM customers WHERE {col} >= ? AND {col} < ? "  # noqa: S608 - our column names
             f"ORDER BY {col}, id LIMIT ?", (key, text.prefix_upper_bound(key), LIMIT))
            for col, key in keys))

    def find(self, lookup: Lookup) -> Sequence[Any]:
        """Runs the id lookups, then the four summary queries, on one connection."""
        with self._db.engine.connect() as c:
            found: list[int] = []
            for sql, params in lookup.queries:
                found.extend(r[0] for r in c.exec_driver_sql(self._q(sql), params))
            ids = list(dict.fromkeys(found))[:LIMIT]
            if not ids:
                return []
            marks = ", ".join("?" * len(ids))
            return [c.exec_driver_sql(self._q(sql.format(ids=marks)), tuple(ids)).fetchall()
                    for sql in _SUMMARY]

    # -- knowledge base ----------------------------------------------------
    def prepare_kb(self, query: str) -> str:
        """KbService's full-text expression for ``query`` (its own builders, so they agree)."""
        groups = search_groups(clean_query(query))
        return tsquery(groups) if self._pg else fts5_query(groups)

    def kb_search(self, expression: str) -> Sequence[Any]:
        with self._db.engine.connect() as c:
            if self._pg:
                return c.exec_driver_sql(_KB_PG, (expression, expression)).fetchall()
            return c.exec_driver_sql(_KB_SQLITE, (expression,)).fetchall()

    # -- inbox -------------------------------------------------------------
    def prepare_inbox(self, queue: str) -> str:
        """InboxService.list's first page for one queue, compiled to SQL text."""
        stmt = build_query(InboxFilter(queues=(queue,)), "priority", False, None, PAGE_SIZE)
        return str(stmt.compile(dialect=self._db.engine.dialect,
                                compile_kwargs={"literal_binds": True}))

    def inbox_page(self, sql: str) -> Sequence[Any]:
        with self._db.engine.connect() as c:
            return c.exec_driver_sql(sql).fetchall()

    # -- claim -------------------------------------------------------------
    def agent_id(self, login: str) -> int:
        with self._db.engine.connect() as c:
            return int(c.exec_driver_sql(self._q("SELECT id FROM agents WHERE login = ?"),
                                         (login,)).scalar_one())

    def claim(self, contact_id: int, agent_id: int, now: datetime) -> Any:
        """The conditional UPDATE, its event, the change log entry and the row, committed."""
        at = self._time(now)
        with self._db.engine.connect() as c:
            c.exec_driver_sql(self._q("SELECT id, active FROM agents WHERE id = ?"),
                              (agent_id,)).fetchall()
            c.exec_driver_sql(self._q(_CLAIM), (agent_id, at, contact_id))
            c.exec_driver_sql(self._q(_EVENT), (contact_id, agent_id, at))
            if self._pg:
                c.exec_driver_sql("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_KEY,))
            c.exec_driver_sql(self._q(_CHANGE), (str(contact_id), at))
            if self._pg:
                c.exec_driver_sql("SELECT pg_notify(%s, '')", (NOTIFY_CHANNEL,))
            params = {"cid": contact_id}
            row = c.exec_driver_sql(
                self._row_sql,
                tuple(params[k] for k in self._row_keys) if self._row_keys else params).one()
            c.commit()
            return row
