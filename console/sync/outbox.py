"""The local outbox: writes an agent made while the shared database was unreachable.

A small SQLite file next to the user's settings holds each reply, note,
resolution and state change as an entry whose id is also its idempotency
key. ``replay`` applies the entries in the order they were made; the shared
database remembers each key, so an entry replayed twice (the connection
dropped after the commit, or the app was killed before the entry was
removed) is applied once. An entry that can no longer apply (someone else
resolved the contact) is kept, marked failed with the reason, and its text is
never lost. So is an entry that meets a bug: only ``Unavailable`` means
"wait for the database", and the bug itself goes on to the crash handler.
"""

from __future__ import annotations

import enum
import json
import logging
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.clock import Clock
from console.domain import AgentState
from console.errors import SwitchboardError, Unavailable, ValidationError

if TYPE_CHECKING:
    from console.security.guard import Door

log = logging.getLogger(__name__)

INTERNAL_ERROR = ("Switchboard could not send this because of an internal error (the details "
                  "are in its log); what was typed is kept here.")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    agent TEXT NOT NULL,
    contact_id INTEGER,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    problem TEXT NOT NULL DEFAULT ''
)"""


class EntryKind(enum.StrEnum):
    REPLY = "reply"
    NOTE = "note"
    RESOLVE = "resolve"
    STATE = "state"


@dataclass(frozen=True)
class OutboxEntry:
    """One write waiting for the shared database (or refused by it: ``problem`` says why)."""

    seq: int
    key: str
    kind: EntryKind
    agent: str
    contact_id: int | None
    payload: dict[str, Any]
    created_at: datetime
    failed: bool
    problem: str

    @property
    def text(self) -> str:
        """What the agent typed (a reply, a note, a resolution note), never lost."""
        return str(self.payload.get("body") or self.payload.get("note") or "")


@dataclass(frozen=True)
class ReplayReport:
    applied: int
    failed: int
    remaining: int


class Outbox:
    """A workstation's outbox file.

    Args:
        path: the SQLite file (created on first use).
        clock: stamps entries with the time the agent made them.
    """

    def __init__(self, path: Path, clock: Clock) -> None:
        self.path, self._clock = path, clock
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10, isolation_level=None)) as conn:
            conn.execute("PRAGMA synchronous=FULL")  # an agent's words survive a power cut
            yield conn

    # -- adding ------------------------------------------------------------
    def add_reply(self, agent: str, contact_id: int, body: str, *,
                  key: str | None = None) -> OutboxEntry:
        """Keeps a reply; ``key`` is the failed attempt's idempotency key, if it had one
        (should that attempt have committed after all, the replay is a no-op)."""
        return self._add(EntryKind.REPLY, agent, contact_id, {"body": _text(body)}, key)

    def add_note(self, agent: str, contact_id: int, body: str, *,
                 key: str | None = None) -> OutboxEntry:
        return self._add(EntryKind.NOTE, agent, contact_id, {"body": _text(body)}, key)

    def add_resolve(self, agent: str, contact_id: int, disposition: str,
                    note: str = "") -> OutboxEntry:
        return self._add(EntryKind.RESOLVE, agent, contact_id,
                         {"disposition": disposition, "note": note})

    def add_state(self, agent: str, state: AgentState, reason: str = "") -> OutboxEntry:
        return self._add(EntryKind.STATE, agent, None, {"state": state.value, "reason": reason})

    def _add(self, kind: EntryKind, agent: str, contact_id: int | None,
             payload: dict[str, Any], key: str | None = None) -> OutboxEntry:
        key = key or uuid.uuid4().hex
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO entries (key, kind, agent, contact_id, payload, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (key, kind.value, agent, contact_id, json.dumps(payload, ensure_ascii=False),
                 self._clock.now().isoformat()))
        log.info("outbox: kept %s for contact %s while offline", kind.value, contact_id)
        return next(e for e in self.entries() if e.key == key)

    # -- reading -----------------------------------------------------------
    def entries(self) -> list[OutboxEntry]:
        """Every entry, pending and failed, oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT seq, key, kind, agent, contact_id, payload, created_at, status, problem "
                "FROM entries ORDER BY seq").fetchall()
        return [OutboxEntry(seq, key, EntryKind(kind), agent, contact_id, json.loads(payload),
                            datetime.fromisoformat(created), status == "failed", problem)
                for seq, key, kind, agent, contact_id, payload, created, status, problem in rows]

    def pending(self) -> list[OutboxEntry]:
        return [e for e in self.entries() if not e.failed]

    def failed(self) -> list[OutboxEntry]:
        return [e for e in self.entries() if e.failed]

    def discard(self, key: str) -> None:
        """The agent has dealt with a failed entry (copied its text, or let it go)."""
        with self._connect() as conn:
            conn.execute("DELETE FROM entries WHERE key = ?", (key,))

    # -- replaying ---------------------------------------------------------
    def replay(self, services: Door) -> ReplayReport:
        """Applies pending entries in order until done or the database goes away again.

        Raises:
            Exception: a bug met while applying an entry, unchanged, after that
                entry was marked failed (its text kept) so it is not retried
                as if the database were merely away.
        """
        applied = failed = 0
        for entry in self.pending():
            try:
                apply(services, entry)
            except Unavailable:
                break  # still (or again) offline: the rest waits for the next try
            except SwitchboardError as exc:
                self._mark_failed(entry.key, exc.message)
                failed += 1
                continue
            except Exception:
                self._mark_failed(entry.key, INTERNAL_ERROR)
                raise  # a bug: the caller's crash handler shows it with the log
            self.discard(entry.key)  # a crash before this line replays a no-op
            applied += 1
        return ReplayReport(applied, failed, len(self.pending()))

    def _mark_failed(self, key: str, problem: str) -> None:
        with self._connect() as conn:
            conn.execute("UPDATE entries SET status = 'failed', problem = ? WHERE key = ?",
                         (problem, key))
        log.info("outbox: entry %s could not be applied: %s", key, problem)


def apply(services: Door, entry: OutboxEntry) -> None:
    """Applies one entry to the shared database with its key (applied once however often called)."""
    p, key = entry.payload, entry.key
    if entry.kind is EntryKind.STATE:
        services.agents.set_state(entry.agent, AgentState(p["state"]), p["reason"],
                                  at=entry.created_at, idempotency_key=key)
        return
    cid = entry.contact_id
    assert cid is not None  # every entry but a state change names its contact
    if entry.kind is EntryKind.REPLY:
        services.inbox.reply(cid, entry.agent, p["body"], idempotency_key=key)
    elif entry.kind is EntryKind.NOTE:
        services.inbox.add_note(cid, entry.agent, p["body"], idempotency_key=key)
    else:
        services.inbox.resolve(cid, entry.agent, p["disposition"], note=p["note"],
                               idempotency_key=key)


def _text(body: str) -> str:
    if not body.strip():
        raise ValidationError("There is nothing to send.")
    return body
