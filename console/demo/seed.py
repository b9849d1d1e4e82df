"""Filling an empty database with the demo contact centre (``switchboard --demo``)."""

from __future__ import annotations

from console.clock import Clock
from console.demo.generator import DemoReport, DemoScale, database_scale, generate
from console.store.db import Database

# What ``switchboard --demo`` builds: a mid-sized centre, ready in a few seconds.
DEMO_SCALE: DemoScale = {"customers": 5_000, "contacts": 20_000, "articles": 2_000}


def seed_if_empty(db: Database, clock: Clock) -> DemoReport | None:
    """Fills ``db`` with the demo (DEMO_SCALE) when it has no contacts; None when it had some."""
    if database_scale(db)["contacts"]:
        return None
    return generate(db, now=clock.now(), **DEMO_SCALE)
