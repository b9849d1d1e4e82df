"""``generate()``: fills an empty database with a realistic, reproducible contact centre.

The same seed and the same ``now`` give byte-identical rows: every random
choice comes from ``random.Random`` streams derived from the seed (one per
phase, so changing the number of articles does not reshuffle the contacts),
and message UUIDs are drawn from those streams too.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict

from sqlalchemy import Connection, func, select

from console.demo import articles as kb
from console.demo import sla_seed
from console.demo.bulk import BATCH_ROWS, advance_sequences, analyze, insert_rows, table_of, tuned_for_load
from console.demo.contacts import ContactFactory, active_count
from console.demo.people import CustomerFactory, Population
from console.demo.reference import Reference, seed_reference
from console.errors import ValidationError
from console.store import changes
from console.store.db import Database
from console.store.models import (
    Account,
    Contact,
    ContactEvent,
    Customer,
    CustomerEmail,
    CustomerPhone,
    KbArticle,
    Message,
)

Progress = Callable[[str], None]
_REPORT_EVERY = 100_000


class DemoScale(TypedDict):
    """How big a demo to build: ``generate(db, now=..., **scale)``."""

    customers: int
    contacts: int
    articles: int


def database_scale(db: Database) -> DemoScale:
    """How many customers, contacts and articles the database holds (0 contacts: empty)."""
    with db.read() as session:
        def count(model: type[Customer | Contact | KbArticle]) -> int:
            return int(session.execute(select(func.count()).select_from(model)).scalar_one())

        return {"customers": count(Customer), "contacts": count(Contact),
                "articles": count(KbArticle)}


@dataclass(frozen=True)
class DemoReport:
    """What ``generate()`` wrote, and how long it took."""

    customers: int
    phones: int
    emails: int
    accounts: int
    contacts: int
    active_contacts: int
    messages: int
    contact_events: int
    articles: int
    articles_imported: int
    queues: int
    agents: int
    seconds: float


def generate(db: Database, *, customers: int, contacts: int, articles: int, seed: int = 42,
             now: datetime, progress: Progress | None = None) -> DemoReport:
    """Fills an empty database with demo data.

    Args:
        db: the database (schema already at head).
        customers: how many customers, each with phones, e-mail and accounts.
        contacts: how many contacts; ~2.5% (at least 40) are still active.
        articles: how many KB articles in total, shipped samples included.
        seed: same seed and ``now``, same data.
        now: the moment the data is built around (naive means UTC).
        progress: called with a short message as each phase advances.

    Raises:
        ValidationError: the database already has customers or contacts, or a
            count is negative.
    """
    if min(customers, contacts, articles) < 0:
        raise ValidationError("Customer, contact and article counts must not be negative.")
    now = (now if now.tzinfo else now.replace(tzinfo=UTC)).astimezone(UTC)
    say = progress or _quiet
    started = time.perf_counter()
    with db.write() as s:
        conn = s.connection()
        _refuse_if_not_empty(conn, db)
        ref = seed_reference(conn, now)
    say(f"set-up: {len(ref.queue_ids)} queues, {len(ref.agent_ids)} agents")
    people, population = _load_customers(db, random.Random(f"{seed}:customers"), customers,
                                         now, say)
    sizes = _load_contacts(db, random.Random(f"{seed}:contacts"), contacts, now, ref,
                           population, say)
    with db.write() as s:
        sla_seed.seed_sla(s.connection(), random.Random(f"{seed}:sla"), now)
    imported = kb.import_samples(db, now)
    made = kb.insert_synthetic(db, random.Random(f"{seed}:kb"), max(0, articles - imported), now,
                               lambda n: say(f"articles: {n:,}") if _due(n, articles) else None)
    _finish(db, say)
    return DemoReport(
        customers=customers, phones=people["phones"], emails=people["emails"],
        accounts=people["accounts"], contacts=contacts,
        active_contacts=active_count(contacts), messages=sizes["messages"],
        contact_events=sizes["events"], articles=imported + made, articles_imported=imported,
        queues=len(ref.queue_ids), agents=len(ref.agent_ids),
        seconds=round(time.perf_counter() - started, 2),
    )


def _quiet(_message: str) -> None:
    """The default progress callback: says nothing."""


def _due(done: int, total: int) -> bool:
    """Report progress every 100k rows and at the end."""
    return done % _REPORT_EVERY < BATCH_ROWS or done == total


def _refuse_if_not_empty(conn: Connection, db: Database) -> None:
    n_customers = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    n_contacts = conn.execute(select(func.count()).select_from(Contact)).scalar_one()
    if n_customers or n_contacts:
        raise ValidationError(
            f"{db.describe()} is not empty ({n_customers:,} customers, {n_contacts:,} "
            "contacts). Demo data only goes into an empty database: point --db at a new file.")


def _load_customers(db: Database, rng: random.Random, count: int, now: datetime,
                    say: Progress) -> tuple[dict[str, int], Population]:
    factory = CustomerFactory(rng, now)
    sizes = {"phones": 0, "emails": 0, "accounts": 0}
    with db.write() as s:
        conn = s.connection()
        with tuned_for_load(conn, db.is_postgres):
            for batch in factory.batches(count, BATCH_ROWS):
                done = batch.customers[-1]["id"]
                insert_rows(conn, table_of(Customer), batch.customers)
                sizes["phones"] += insert_rows(conn, table_of(CustomerPhone), batch.phones)
                sizes["emails"] += insert_rows(conn, table_of(CustomerEmail), batch.emails)
                sizes["accounts"] += insert_rows(conn, table_of(Account), batch.accounts)
                if _due(done, count):
                    say(f"customers: {done:,} of {count:,}")
    return sizes, factory.population


def _load_contacts(db: Database, rng: random.Random, count: int, now: datetime,
                   ref: Reference, population: Population, say: Progress) -> dict[str, int]:
    factory = ContactFactory(rng, now, ref, population)
    sizes = {"messages": 0, "events": 0}
    with db.write() as s:
        conn = s.connection()
        with tuned_for_load(conn, db.is_postgres):
            for batch in factory.batches(count, BATCH_ROWS):
                done = batch.contacts[-1]["id"]
                insert_rows(conn, table_of(Contact), batch.contacts)
                sizes["messages"] += insert_rows(conn, table_of(Message), batch.messages)
                sizes["events"] += insert_rows(conn, table_of(ContactEvent), batch.events)
                if _due(done, count):
                    say(f"contacts: {done:,} of {count:,}")
    return sizes


def _finish(db: Database, say: Progress) -> None:
    """Sequences, planner statistics, and one change-log entry so watchers reload."""
    say("analyzing")
    with db.write() as s:
        conn = s.connection()
        if db.is_postgres:
            advance_sequences(conn, [table_of(Customer), table_of(Contact)])
        analyze(conn, db.is_postgres)
        changes.record(s, "demo", "bulk", "insert")
    say("done")
