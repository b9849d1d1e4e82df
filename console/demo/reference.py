"""The set-up a demo contact centre needs: teams, queues, agents, dispositions, templates.

Rows that already exist (same name, login or code) are kept, so an admin who
created a queue before seeding the demo does not lose it; ids are read back
by name afterwards.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from argon2 import PasswordHasher
from sqlalchemy import Column, Connection, Table, insert, select

from console.demo.bulk import table_of
from console.demo.names import AGENTS
from console.services.templates import load_defaults
from console.store.models import (
    Agent,
    AgentQueue,
    Disposition,
    GreetingTemplate,
    Queue,
    Team,
)


class QueueSeed(NamedTuple):
    name: str
    description: str
    language: str | None
    first_response_s: int
    resolution_s: int


QUEUES = (
    QueueSeed("Cards", "Lost and stolen cards, limits, declined payments, fraud", None,
              300, 4 * 3600),
    QueueSeed("Loans & Mortgages", "Applications, repayments, rate switches", None,
              3600, 3 * 86400),
    QueueSeed("Online Banking", "Log-in, app, transfers", None, 900, 8 * 3600),
    QueueSeed("General", "Everything else: addresses, statements, fees", None, 1800, 86400),
    QueueSeed("日本語サポート", "日本語でのお問い合わせ全般", "ja", 600, 8 * 3600),
    QueueSeed("Branch walk-ins", "Customers waiting at the branch counter", None, 600, 2 * 3600),
)

DISPOSITIONS = (
    ("solved", "Solved"),
    ("info_given", "Information given"),
    ("callback", "Call back scheduled"),
    ("escalated", "Escalated to specialist"),
    ("card_blocked", "Card blocked and reissued"),
    ("referred_branch", "Referred to a branch"),
    ("complaint", "Complaint logged"),
    ("duplicate", "Duplicate contact"),
    ("no_response", "No response from customer"),
)
# How often each disposition closes a contact (same order as DISPOSITIONS).
DISPOSITION_WEIGHTS = (40, 22, 8, 6, 6, 4, 3, 6, 5)

_WORKING_ROLES = frozenset({"agent", "supervisor", "branch"})


@dataclass(frozen=True)
class Reference:
    """Ids and targets the contact generator needs.

    Attributes:
        queue_ids: queue id by name.
        targets: (first response, resolution) seconds by queue id.
        workers: ids of the agents who work each queue, by queue id.
        agent_ids: agent id by login.
        dispositions: (code, label) pairs.
    """

    queue_ids: dict[str, int]
    targets: dict[int, tuple[int, int]]
    workers: dict[int, tuple[int, ...]]
    agent_ids: dict[str, int]
    dispositions: tuple[tuple[str, str], ...]


# Every demo agent signs in with this password (the README says so). One
# argon2 hash serves them all: demo data, not a deployment.
DEMO_PASSWORD = "switchboard"  # noqa: S105 -- documented demo password, on purpose


def seed_reference(conn: Connection, now: datetime) -> Reference:
    """Inserts whatever of the set-up is missing and returns the ids."""
    _insert_missing(conn, table_of(Team), Team.name,
                    [{"name": n} for n in dict.fromkeys(a.team for a in AGENTS)])
    teams = _ids(conn, table_of(Team).c.name, table_of(Team).c.id)
    _insert_missing(conn, table_of(Queue), Queue.name, [_queue_row(q) for q in QUEUES])
    demo_hash = PasswordHasher().hash(DEMO_PASSWORD)
    _insert_missing(conn, table_of(Agent), Agent.login, [
        {"login": a.login, "name": a.name, "role": a.role, "team_id": teams[a.team],
         "skills": list(a.queues), "languages": list(a.languages),
         "password_hash": demo_hash,
         "active": True, "created_at": now} for a in AGENTS])
    _insert_missing(conn, table_of(Disposition), Disposition.code,
                    [{"code": c, "label": label, "active": True} for c, label in DISPOSITIONS])
    _insert_templates(conn, now)
    queue_ids = _ids(conn, table_of(Queue).c.name, table_of(Queue).c.id)
    agent_ids = _ids(conn, table_of(Agent).c.login, table_of(Agent).c.id)
    _insert_memberships(conn, queue_ids, agent_ids)
    return Reference(
        queue_ids=queue_ids,
        targets=_targets(conn),
        workers=_workers(conn),
        agent_ids=agent_ids,
        dispositions=DISPOSITIONS,
    )


def _queue_row(q: QueueSeed) -> dict[str, Any]:
    return {"name": q.name, "description": q.description, "language": q.language,
            "first_response_target_s": q.first_response_s, "resolution_target_s": q.resolution_s,
            "warning_ratio": 0.8}


def _insert_missing(conn: Connection, table: Table, key: Any,
                    rows: Sequence[dict[str, Any]]) -> None:
    column: Column[Any] = table.c[key.key]
    existing = set(conn.execute(select(column)).scalars())
    missing = [r for r in rows if r[key.key] not in existing]
    if missing:
        conn.execute(insert(table), missing)


def _ids(conn: Connection, name: Column[Any], id_: Column[Any]) -> dict[str, int]:
    return {str(n): int(i) for n, i in conn.execute(select(name, id_))}


def _insert_templates(conn: Connection, now: datetime) -> None:
    table = table_of(GreetingTemplate)
    existing = {tuple(r) for r in conn.execute(select(table.c.name, table.c.language))}
    rows = [dict(t, active=True, updated_at=now) for t in load_defaults()
            if (t["name"], t["language"]) not in existing]
    if rows:
        conn.execute(insert(table), rows)


def _insert_memberships(conn: Connection, queue_ids: dict[str, int],
                        agent_ids: dict[str, int]) -> None:
    table = table_of(AgentQueue)
    existing = {tuple(r) for r in conn.execute(select(table.c.agent_id, table.c.queue_id))}
    rows = [{"agent_id": agent_ids[a.login], "queue_id": queue_ids[q]}
            for a in AGENTS for q in a.queues
            if (agent_ids[a.login], queue_ids[q]) not in existing]
    if rows:
        conn.execute(insert(table), rows)


def _targets(conn: Connection) -> dict[int, tuple[int, int]]:
    q = table_of(Queue).c
    rows = conn.execute(select(q.id, q.first_response_target_s, q.resolution_target_s))
    return {int(i): (int(f), int(r)) for i, f, r in rows}


def _workers(conn: Connection) -> dict[int, tuple[int, ...]]:
    """Agents who handle contacts in each queue (admins do not take contacts)."""
    a, m = table_of(Agent).c, table_of(AgentQueue).c
    rows = conn.execute(select(m.queue_id, a.id, a.role).join_from(
        table_of(AgentQueue), table_of(Agent), a.id == m.agent_id).order_by(m.queue_id, a.id))
    found: dict[int, list[int]] = {}
    for queue_id, agent_id, role in rows:
        if str(role) in _WORKING_ROLES:
            found.setdefault(int(queue_id), []).append(int(agent_id))
    return {q: tuple(ids) for q, ids in found.items()}
