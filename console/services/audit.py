"""The append-only audit log, chained by hash so that tampering is evident.

Each entry stores ``prev_hash`` (the previous entry's hash) and ``hash``, the
sha256 of a canonical JSON serialisation of the entry and ``prev_hash``.
Altering an entry breaks its hash; removing one breaks the next entry's
``prev_hash``. Appends are serialised (PostgreSQL: a transaction-scoped
advisory lock; SQLite: write sessions start with BEGIN IMMEDIATE) so two
writers can never fork the chain.
"""

from __future__ import annotations

import builtins
import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, insert, select, text
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain.audit import AuditEntry, AuditFilter, ChainReport
from console.errors import ValidationError
from console.security.principal import Principal
from console.store.db import Database
from console.store.models import Agent, AuditEvent

GENESIS = "0" * 64
MAX_LIMIT = 10_000
_LOCK_KEY = 0x5B0A2F  # distinct from the change-log and migration locks
_MAX_FILTER = 64
# What a workstation exports to a file (besides the audit log itself).
EXPORTS = frozenset({"wallboard-queues", "wallboard-agents"})


def canonical(prev_hash: str, at: datetime, actor_id: int | None, workstation: str, action: str,
              entity: str, entity_id: str, detail: dict[str, Any]) -> bytes:
    """The exact bytes an entry's hash covers (stable across backends and versions)."""
    stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    fields = {"prev": prev_hash, "at": stamp, "actor": actor_id, "workstation": workstation,
              "action": action, "entity": entity, "entity_id": entity_id, "detail": detail}
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(prev_hash: str, at: datetime, actor_id: int | None, workstation: str, action: str,
               entity: str, entity_id: str, detail: dict[str, Any]) -> str:
    payload = canonical(prev_hash, at, actor_id, workstation, action, entity, entity_id, detail)
    return hashlib.sha256(payload).hexdigest()


def append(session: Session, *, at: datetime, actor: Principal | None, action: str, entity: str,
           entity_id: object, detail: dict[str, Any] | None = None) -> None:
    """Appends one entry in the session's transaction (it commits or rolls back with it).

    Args:
        session: a write session.
        at: when it happened (from the service's clock).
        actor: who did it; None for the system or the command line.
        action: view, search, unmask, change, export, sign_in...
        entity: what kind of record ("customer", "account", "agent"...).
        entity_id: which record.
        detail: JSON-safe facts; never a full account, card or national-ID number.
            The actor's OS user is added as ``os_user`` when the actor has one.
    """
    detail = dict(detail or {})
    if actor is not None and actor.os_user:
        # In the hashed detail, not a new column: entries written before the
        # OS user was recorded keep their hashes, so old chains still verify.
        detail.setdefault("os_user", actor.os_user)
    # Round-trip through JSON so the stored detail is exactly what was hashed.
    clean = json.loads(json.dumps(detail, default=str, ensure_ascii=False))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    conn = session.connection()
    prev = conn.execute(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    prev = prev or GENESIS
    # The gateway is no member of staff (id 0): its entries name it by workstation only.
    actor_id = actor.id if actor and actor.id else None
    workstation = actor.workstation if actor else ""
    digest = entry_hash(prev, at, actor_id, workstation, action, entity, str(entity_id), clean)
    conn.execute(insert(AuditEvent), {
        "at": at, "actor_id": actor_id, "workstation": workstation, "action": action,
        "entity": entity, "entity_id": str(entity_id), "detail": clean,
        "prev_hash": prev, "hash": digest,
    })


class AuditService:
    """Reading, exporting and verifying the audit log (supervisors and admins).

    Args:
        db: the database.
        clock: where "now" comes from.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def list(self, f: AuditFilter | None = None, *, limit: int = 500) -> builtins.list[AuditEntry]:
        """Entries matching ``f``, oldest first."""
        if not 0 < limit <= MAX_LIMIT:
            raise ValidationError(f"The limit is a number from 1 to {MAX_LIMIT}.")
        stmt = _filtered(f or AuditFilter()).limit(limit)
        with self._db.read() as s:
            return [AuditEntry(r.id, r.at, r.login, r.workstation, r.action, r.entity,
                               r.entity_id, dict(r.detail or {})) for r in s.execute(stmt)]

    def export(self, f: AuditFilter | None = None, *, fmt: str = "json",
               limit: int = MAX_LIMIT) -> str:
        """The matching entries as a JSON array or CSV text."""
        if fmt not in ("json", "csv"):
            raise ValidationError("Export as 'json' or 'csv'.")
        entries = self.list(f, limit=limit)
        return _to_csv(entries) if fmt == "csv" else _to_json(entries)

    def record_export(self, what: str, rows: int) -> None:
        """Checks an export made on a workstation (a wallboard CSV) before it is written.

        The door writes the audit entry for it; the file is written only once the
        entry is in (an export that cannot be audited does not happen).

        Raises:
            ValidationError: an unknown kind of export or a negative row count.
        """
        if what not in EXPORTS or rows < 0:
            raise ValidationError(f"'{what[:40]}' is not an export Switchboard makes.")

    def verify(self, *, expect_head: str | None = None) -> ChainReport:
        """Walks the whole chain; reports the first entry that does not fit.

        Args:
            expect_head: a head hash recorded outside the database earlier; the
                chain must still contain it (this catches entries cut off the end).
        """
        if expect_head is not None and not re.fullmatch(r"[0-9a-f]{64}", expect_head):
            raise ValidationError("The expected head is a 64-character sha256 hex digest.")
        stmt = select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=1000)
        with self._db.read() as s:
            result = s.execute(stmt).scalars()
            try:
                return _walk(result, expect_head)
            finally:
                result.close()  # a server-side cursor on PostgreSQL


def _walk(entries: Iterable[AuditEvent], expect_head: str | None) -> ChainReport:
    prev, checked, seen = GENESIS, 0, expect_head is None
    for e in entries:
        if e.prev_hash != prev:
            return ChainReport(False, checked, e.id, "the entry before it was removed or "
                               "altered (its link does not match)", prev)
        if entry_hash(e.prev_hash, e.at, e.actor_id, e.workstation, e.action, e.entity,
                      e.entity_id, dict(e.detail or {})) != e.hash:
            return ChainReport(False, checked, e.id, "its content was altered", prev)
        prev, checked = e.hash, checked + 1
        seen = seen or e.hash == expect_head
    if not seen:
        return ChainReport(False, checked, None, f"the entry with hash {expect_head} is missing: "
                           "entries were removed from the end", prev)
    return ChainReport(True, checked, None, "", prev)


def check_filter(f: AuditFilter) -> AuditFilter:
    """Rejects filters no search could mean (overlong or control characters)."""
    if f.person is not None:
        person = f.person.strip()
        if not person or len(person) > _MAX_FILTER or not person.isprintable():
            raise ValidationError("The person filter is a login (letters, digits, . and _).")
    if f.customer_id is not None and not 0 < f.customer_id < 2**31:
        raise ValidationError("The customer filter is a customer number.")
    for value in (f.since, f.until):
        if value is not None and value.tzinfo is None:
            raise ValidationError("Times in the audit filter need a time zone.")
    if f.since and f.until and f.since > f.until:
        raise ValidationError("The start of the period is after its end.")
    return f


def _filtered(f: AuditFilter) -> Select[Any]:
    f = check_filter(f)
    stmt = (select(AuditEvent.id, AuditEvent.at, Agent.login, AuditEvent.workstation,
                   AuditEvent.action, AuditEvent.entity, AuditEvent.entity_id, AuditEvent.detail)
            .outerjoin(Agent, Agent.id == AuditEvent.actor_id).order_by(AuditEvent.id))
    if f.person is not None:
        stmt = stmt.where(Agent.login == f.person.strip())
    if f.customer_id is not None:
        stmt = stmt.where(AuditEvent.entity == "customer",
                          AuditEvent.entity_id == str(f.customer_id))
    if f.since is not None:
        stmt = stmt.where(AuditEvent.at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditEvent.at < f.until)
    return stmt


def _as_dict(e: AuditEntry) -> dict[str, Any]:
    return {"id": e.id, "at": e.at.isoformat(), "person": e.actor_login, "workstation": e.workstation,
            "action": e.action, "entity": e.entity, "entity_id": e.entity_id, "detail": e.detail}


def _to_json(entries: list[AuditEntry]) -> str:
    return json.dumps([_as_dict(e) for e in entries], ensure_ascii=False, indent=2)


def _to_csv(entries: list[AuditEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "at", "person", "workstation", "action", "entity", "entity_id", "detail"])
    for e in entries:
        row = _as_dict(e)
        row["detail"] = json.dumps(e.detail, ensure_ascii=False, sort_keys=True)
        writer.writerow([_csv_safe(row[k]) for k in row])
    return out.getvalue()


def _csv_safe(value: object) -> str:
    """Defuses spreadsheet formulas (CSV injection) in exported text."""
    cell = "" if value is None else str(value)
    risky = len(cell) > 1 and cell[0] in ("=", "+", "-", "@", "\t", "\r")
    return "'" + cell if risky else cell
