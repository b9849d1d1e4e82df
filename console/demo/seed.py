"""Filling an empty database with the demo contact centre (``switchboard --demo``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from console.clock import Clock
from console.demo.generator import DemoReport, generate
from console.store.db import Database
from console.store.models import Contact, Customer, KbArticle

# What ``switchboard --demo`` builds: a mid-sized centre, ready in a few seconds.
DEMO_SCALE = {"customers": 5_000, "contacts": 20_000, "articles": 2_000}


def database_scale(db: Database) -> dict[str, int]:
    """How many customers, contacts and articles the database holds."""
    with db.read() as s:
        def count(model: Any) -> int:
            return int(s.execute(select(func.count()).select_from(model)).scalar_one())

        return {"customers": count(Customer), "contacts": count(Contact),
                "articles": count(KbArticle)}


def seed_if_empty(db: Database, clock: Clock) -> DemoReport | None:
    """Fills ``db`` with the demo (DEMO_SCALE) when it has no contacts; None when it had some."""
    if database_scale(db)["contacts"]:
        return None
    return generate(db, now=clock.now(), customers=DEMO_SCALE["customers"],
                    contacts=DEMO_SCALE["contacts"], articles=DEMO_SCALE["articles"])
