"""Many agents pressing "Get next" and resolving at once: none doubled, none lost."""

from __future__ import annotations

import pytest

from console.errors import ValidationError
from console.store.db import Database
from tools.bench_load import run_load


def test_agents_racing_for_contacts_never_double_or_lose_one(db: Database, db_url: str) -> None:
    report = run_load(db_url, agents=12, contacts=400)
    assert report.claims == 400 and report.ok
    assert report.double_assignments == 0 and report.lost_updates == 0
    assert report.claims_per_second > 0


def test_load_refuses_a_database_that_already_has_its_queue(db: Database, db_url: str) -> None:
    run_load(db_url, agents=1, contacts=1)
    with pytest.raises(ValidationError, match="use an empty database"):
        run_load(db_url, agents=1, contacts=1)
