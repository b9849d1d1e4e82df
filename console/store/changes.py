"""The change log: every write session appends what it changed, in the same transaction.

Services call ``record()``; the rows are inserted just before commit. On
PostgreSQL a transaction-scoped advisory lock is taken first, so sequence
numbers are handed out in commit order and a reader that asks for
``seq > last_seen`` never skips a change that commits late; a NOTIFY wakes
listening workstations when the transaction commits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import Session, sessionmaker

from console.domain import Change
from console.store.models import ChangeLogEntry

NOTIFY_CHANNEL = "switchboard_changes"
_LOCK_KEY = 0x5B0A2D  # any constant; only this application takes it
_PENDING = "switchboard_pending_changes"


def record(session: Session, entity: str, entity_id: object, op: str = "update") -> None:
    """Notes that ``entity`` ``entity_id`` changed; written when the session commits."""
    pending: dict[tuple[str, str, str], None] = session.info.setdefault(_PENDING, {})
    pending[(entity, str(entity_id), op)] = None


def install(factory: sessionmaker[Session], dialect: str) -> None:
    """Makes every session from ``factory`` flush its recorded changes at commit."""

    def _before_commit(session: Session) -> None:
        pending = session.info.pop(_PENDING, None)
        if not pending:
            return
        session.flush()
        if dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        now = datetime.now(UTC)
        rows = [{"entity": e, "entity_id": i, "op": o, "at": now} for (e, i, o) in pending]
        # Core, on the session's connection: the ORM's bulk path costs more than the insert.
        session.connection().execute(insert(ChangeLogEntry), rows)
        if dialect == "postgresql":
            session.execute(text("SELECT pg_notify(:c, '')"), {"c": NOTIFY_CHANNEL})

    def _after_rollback(session: Session) -> None:
        session.info.pop(_PENDING, None)

    event.listen(factory, "before_commit", _before_commit)
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
