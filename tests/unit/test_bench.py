"""The benchmark: runs end to end, reports every figure, and compares like with like."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import TypedDict

import pytest
from sqlalchemy import select

from console import phones
from console.clock import ManualClock
from console.demo import generate, samples
from console.demo.people import CustomerFactory
from console.demo.rawsql import RawQueries
from console.domain import ContactStatus
from console.errors import ValidationError
from console.services.inbox_query import InboxFilter
from console.services.kb import KbService
from console.store.db import Database
from console.store.models import ChangeLogEntry, Contact, ContactEvent
from tests.conftest import T0
from tests.factories import services_for
from tools.bench import TARGETS_MS, format_report, percentile, run_bench, summarize

FIGURES = ("p50_ms", "p95_ms", "raw_p50_ms", "raw_p95_ms", "ratio", "target_ms")


class Scale(TypedDict):
    customers: int
    contacts: int
    articles: int


TINY: Scale = {"customers": 300, "contacts": 300, "articles": 50}


def test_runs_end_to_end_and_reports_every_figure(db_url: str) -> None:
    result = run_bench(db_url, **TINY, samples=5)
    assert set(result["results"]) == set(TARGETS_MS)
    for name, entry in result["results"].items():
        for key in FIGURES:
            assert isinstance(entry[key], int | float) and entry[key] >= 0, (name, key)
        assert entry["samples"] == 5 and isinstance(entry["ok"], bool)
    assert result["scale"] == {**TINY, "samples": 5, "seed": 42, "reused": False}
    assert result["build_seconds"] > 0
    assert {"cpu_count", "python", "sqlite", "backend"} <= set(result["machine"])
    assert "find_phone" in format_report(result)


def test_reuses_only_when_asked_and_at_scale(db_url: str) -> None:
    run_bench(db_url, **TINY, samples=2)
    with pytest.raises(ValidationError, match="already holds data"):
        run_bench(db_url, **TINY, samples=2)
    with pytest.raises(ValidationError, match="already holds data"):
        run_bench(db_url, customers=301, contacts=300, articles=50, samples=2, reuse=True)
    again = run_bench(db_url, **TINY, samples=2, reuse=True)
    assert again["scale"]["reused"] is True and again["build_seconds"] == 0.0


def test_default_database_lives_in_a_temporary_directory_that_is_removed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    result = run_bench(None, customers=50, contacts=60, articles=10, samples=2)
    assert result["machine"]["backend"] == "sqlite"
    assert list(tmp_path.iterdir()) == []


def test_rejects_zero_samples() -> None:
    with pytest.raises(ValidationError, match="at least one sample"):
        run_bench(None, customers=1, contacts=1, articles=0, samples=0)


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 201)]
    assert percentile(values, 95) == 190.0
    assert percentile(values, 50) == 100.0
    assert percentile([7.0], 95) == 7.0


def test_summarize_judges_target_and_ratio() -> None:
    fast = summarize([1.0, 1.0, 2.0], target_ms=10.0, raw_ms=[0.5, 0.5, 0.6])
    assert fast["ratio"] == 2.0 and fast["ok"] is True
    heavy = summarize([1.0, 1.0, 2.0], target_ms=10.0, raw_ms=[0.2, 0.2, 0.2])
    assert heavy["ratio"] == 5.0 and heavy["ok"] is False
    slow = summarize([20.0, 30.0], target_ms=10.0)
    assert slow["ok"] is False and slow["raw_p50_ms"] is None and slow["ratio"] is None


def test_report_shows_figures_added_by_front_ends() -> None:
    result = {
        "machine": {"backend": "sqlite", "sqlite": "3", "python": "3.11", "cpu_count": 2},
        "scale": {"customers": 1, "contacts": 1, "articles": 1, "samples": 1},
        "build_seconds": 1.0,
        "results": {"window_open": summarize([120.0], target_ms=500.0),
                    "kb_search_en": {"error": "no inputs"}},
    }
    text = format_report(result)
    assert "window_open" in text and "120.00" in text and "no inputs" in text


def test_national_formats_read_back_as_the_stored_number() -> None:
    factory = CustomerFactory(random.Random(9), T0)
    stored = [p["e164"] for b in factory.batches(300, 100) for p in b.phones]
    for e164 in stored:
        assert e164 in phones.to_e164(samples.national_format(e164), ("JP", "US", "GB"))


@pytest.fixture
def small_demo(db: Database) -> Database:
    generate(db, customers=120, contacts=200, articles=40, seed=3, now=T0)
    return db


def test_raw_queries_return_what_the_services_return(small_demo: Database) -> None:
    db, rng = small_demo, random.Random(4)
    sv = services_for(db, ManualClock(T0))
    raw = RawQueries(db)
    with db.engine.connect() as c:
        typed = (samples.phones(c, rng, 5) + samples.accounts(c, rng, 5)
                 + samples.latin_prefixes(c, rng, 5) + samples.cjk_prefixes(c, rng, 5))
        terms = samples.kb_terms(c, rng, 5, "en") + samples.kb_terms(c, rng, 5, "ja")
        queues = samples.queue_names(c, rng, 3)
    assert len(typed) == 20 and len(terms) == 10
    for x in typed:
        found = raw.find(raw.prepare_find(x))
        assert {r.id for r in found[0]} == {c.id for c in sv.customers.find(x)}, x
    kb = KbService(db, ManualClock(T0))
    for term in terms:
        assert [r.id for r in raw.kb_search(raw.prepare_kb(term))] == \
            [h.id for h in kb.search(term)], term
    for queue in queues:
        assert [r.id for r in raw.inbox_page(raw.prepare_inbox(queue))] == \
            [r.id for r in sv.inbox.list(InboxFilter(queues=(queue,))).rows]


def test_raw_claim_does_what_the_service_does(small_demo: Database) -> None:
    db = small_demo
    raw = RawQueries(db)
    with db.engine.connect() as c:
        first, second = samples.claimable(c, 2)
    agent = raw.agent_id("kenji")
    row = raw.claim(first, agent, T0)
    assert row.id == first and row.assignee_id == agent
    services_for(db, ManualClock(T0)).inbox.claim(second, "kenji")
    with db.read() as s:
        for cid in (first, second):
            contact = s.get(Contact, cid)
            assert contact is not None and contact.assignee_id == agent
            assert contact.status != ContactStatus.NEW and contact.updated_at == T0
            kinds = s.execute(select(ContactEvent.kind).where(ContactEvent.contact_id == cid)
                              .order_by(ContactEvent.id)).scalars().all()
            assert kinds[-1] == "claimed"
            assert s.execute(select(ChangeLogEntry.op).where(
                ChangeLogEntry.entity == "contact",
                ChangeLogEntry.entity_id == str(cid))).scalars().all() == ["update"]
