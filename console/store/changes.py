"""The change log: every write session appends what it changed, in the same transaction.

Services call ``record()``; the rows are inserted just before commit. On
PostgreSQL a transaction-scoped advisory lock is taken first, so sequence
numbers are handed out in commit order and a reader that asks for
``seq > last_seen`` never skips a change that commits late; a NOTIFY wakes
listening workstations when the transaction commits.

Each write transaction has one ``ChangeCollector`` (``collector(session)``):
``record()`` adds to it, the commit hook inserts its rows with RETURNING and,
once the transaction has committed, the collector holds the change set with
its sequence numbers. A service hands the collector back with its result
(console.domain.Written); when the service ran inside an outer unit of work,
the change set is complete when that outer unit commits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from console.domain import Change, ChangeSet
from console.store.models import ChangeLogEntry

NOTIFY_CHANNEL = "switchboard_changes"
_LOCK_KEY = 0x5B0A2D  # any constant; only this application takes it
_COLLECTOR = "switchboard_change_collector"
_T = ChangeLogEntry.__table__
_INSERT = insert(ChangeLogEntry).returning(_T.c.seq, _T.c.entity, _T.c.entity_id, _T.c.op,
                                           _T.c.at)


class ChangeCollector:
    """What one write transaction changes; its change set once it has committed."""

    def __init__(self) -> None:
        self._pending: dict[tuple[str, str, str], None] = {}  # ordered and de-duplicated
        self._written: list[Change] = []
        self._result: ChangeSet | None = None

    def add(self, entity: str, entity_id: str, op: str) -> None:
        self._pending[(entity, entity_id, op)] = None

    def result(self) -> ChangeSet:
        """The committed change set.

        Raises:
            RuntimeError: the transaction has not committed (yet, or ever).
        """
        if self._result is None:
            raise RuntimeError("The change set of a write is known only after it has committed.")
        return self._result

    def write(self, session: Session, dialect: str) -> None:
        """The commit hook: inserts what was recorded, keeping the sequence numbers it took."""
        pending, self._pending = list(self._pending), {}
        if not pending:
            return
        session.flush()
        if dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        now = datetime.now(UTC)
        rows = [{"entity": e, "entity_id": i, "op": o, "at": now} for (e, i, o) in pending]
        # Core, on the session's connection: the ORM's bulk path costs more than the insert.
        # RETURNING (PostgreSQL; SQLite >= 3.35) gives the sequence numbers this commit takes.
        returned = session.connection().execute(_INSERT, rows).all()
        self._written.extend(Change(*r) for r in returned)
        if dialect == "postgresql":
            session.execute(text("SELECT pg_notify(:c, '')"), {"c": NOTIFY_CHANNEL})

    def committed(self) -> None:
        """The commit hook: the transaction is durable, so its change set is final."""
        self._result = ChangeSet(tuple(sorted(self._written, key=lambda c: c.seq)))


def nothing() -> ChangeCollector:
    """The collector of a write that did not need a transaction: committed, empty."""
    done = ChangeCollector()
    done.committed()
    return done


def collector(session: Session) -> ChangeCollector:
    """The change collector of ``session``'s transaction (one per transaction)."""
    found = session.info.get(_COLLECTOR)
    if not isinstance(found, ChangeCollector):
        found = session.info[_COLLECTOR] = ChangeCollector()
    return found


def record(session: Session, entity: str, entity_id: object, op: str = "update") -> None:
    """Notes that ``entity`` ``entity_id`` changed; written when the session commits."""
    collector(session).add(entity, str(entity_id), op)


def install(factory: sessionmaker[Session], dialect: str) -> None:
    """Makes every session from ``factory`` write its recorded changes at commit."""

    def _before_commit(session: Session) -> None:
        found = session.info.get(_COLLECTOR)
        if isinstance(found, ChangeCollector):
            found.write(session, dialect)

    def _after_commit(session: Session) -> None:
        found = session.info.pop(_COLLECTOR, None)
        if isinstance(found, ChangeCollector):
            found.committed()

    def _after_rollback(session: Session) -> None:
        # The collector stays incomplete: whoever kept it learns that nothing committed.
        session.info.pop(_COLLECTOR, None)

    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_commit", _after_commit)
    event.listen(factory, "after_soft_rollback", lambda s, _t: _after_rollback(s))


def since(session: Session, last_seq: int, limit: int = 1000) -> list[Change]:
    """Changes after ``last_seq``, oldest first."""
    rows = session.execute(
        select(ChangeLogEntry).where(ChangeLogEntry.seq > last_seq).order_by(ChangeLogEntry.seq)
        .limit(limit)
    ).scalars()
    return [Change(r.seq, r.entity, r.entity_id, r.op, r.at) for r in rows]


def last_seq(session: Session) -> int:
    """The newest sequence number (0 for an empty log)."""
    value: Any = session.execute(text("SELECT COALESCE(MAX(seq), 0) FROM change_log")).scalar()
    return int(value or 0)
