"""Demo data: deterministic, realistic, searchable, and only ever put into an empty database."""

from __future__ import annotations

import random
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any, TypedDict

import phonenumbers
import pytest
from sqlalchemy import func, select

from console.clock import ManualClock
from console.demo import DemoReport, generate
from console.demo.contacts import LIVE_HOURS, active_count
from console.demo.people import CustomerFactory, luhn_complete
from console.demo.samples import national_format
from console.domain import ACTIVE_STATUSES, Channel, ContactStatus, Role
from console.errors import ValidationError
from console.services.customers import NewCustomer
from console.services.kb import KbService
from console.services.templates import load_defaults
from console.store.db import Database
from console.store.models import (
    Account,
    Agent,
    ChangeLogEntry,
    Contact,
    ContactEvent,
    Customer,
    CustomerPhone,
    GreetingTemplate,
    KbArticle,
    Message,
    Queue,
)
from tests.conftest import T0
from tests.factories import services_for


class Scale(TypedDict):
    customers: int
    contacts: int
    articles: int


SCALE: Scale = {"customers": 200, "contacts": 300, "articles": 60}


@pytest.fixture
def demo(db: Database) -> DemoReport:
    return generate(db, **SCALE, seed=7, now=T0)


def _none_last(row: tuple[Any, ...]) -> tuple[tuple[int, Any], ...]:
    return tuple((1, 0) if v is None else (0, v) for v in row)


def _all(db: Database, *columns: Any) -> list[tuple[Any, ...]]:
    """Every row of these columns, sorted (NULLs last, so any column may hold them)."""
    with db.read() as s:
        return sorted((tuple(r) for r in s.execute(select(*columns))), key=_none_last)


def _snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    models = (Customer, CustomerPhone, Account, Contact, Message, ContactEvent, KbArticle)
    return {m.__tablename__: _all(db, *(c for c in m.__table__.columns if c.key != "id"
                                        or m in (Customer, Contact, Message)))
            for m in models}


def _fresh_sqlite(template: Path, tmp_path: Path, name: str) -> Database:
    path = tmp_path / name
    shutil.copy(template, path)
    return Database(f"sqlite:///{path}")


def test_same_seed_and_now_give_identical_rows(demo: DemoReport, db: Database, tmp_path: Path,
                                               request: pytest.FixtureRequest) -> None:
    template: Path = request.getfixturevalue("_sqlite_template")  # a migrated empty SQLite file
    twin = _fresh_sqlite(template, tmp_path, "twin.db")
    other = _fresh_sqlite(template, tmp_path, "other.db")
    try:
        generate(twin, **SCALE, seed=7, now=T0)
        generate(other, **SCALE, seed=8, now=T0)
        mine, theirs = _snapshot(db), _snapshot(twin)
        assert mine == theirs
        assert _snapshot(other)["contacts"] != mine["contacts"]
    finally:
        twin.dispose()
        other.dispose()


def test_report_matches_what_was_written(demo: DemoReport, db: Database) -> None:
    with db.read() as s:
        def count(model: Any) -> int:
            return int(s.execute(select(func.count()).select_from(model)).scalar_one())

        assert (demo.customers, demo.contacts, demo.articles) == (200, 300, 60)
        assert count(CustomerPhone) == demo.phones >= 200
        assert count(Account) == demo.accounts >= 200
        assert count(Message) == demo.messages > 300
        assert count(ContactEvent) == demo.contact_events > 300
        assert count(Queue) == demo.queues == 6
        assert count(Agent) == demo.agents == 12
        assert count(GreetingTemplate) == len(load_defaults())
        log = s.execute(select(ChangeLogEntry.entity, ChangeLogEntry.entity_id,
                               ChangeLogEntry.op).order_by(ChangeLogEntry.seq)).all()
    demo_entries = [tuple(r) for r in log if r[0] == "demo"]
    assert demo_entries == [("demo", "bulk", "insert")] and tuple(log[-1]) == demo_entries[0]
    assert demo.seconds >= 0


def test_agents_have_the_expected_roles(demo: DemoReport, db: Database) -> None:
    roles = [r[0] for r in _all(db, Agent.role)]
    assert roles.count(Role.SUPERVISOR) == 2 and roles.count(Role.BRANCH) == 1
    assert roles.count(Role.ADMIN) == 1 and roles.count(Role.AGENT) == 8


def test_every_channel_both_languages_and_line_mostly_japanese(demo: DemoReport,
                                                              db: Database) -> None:
    with db.read() as s:
        rows = [tuple(r) for r in s.execute(
            select(Contact.channel, Customer.language).join(Customer,
                                                            Customer.id == Contact.customer_id))]
    assert {ch for ch, _ in rows} == set(Channel)
    languages = [lang for (lang,) in _all(db, Customer.language)]
    assert 0.35 < languages.count("ja") / len(languages) < 0.65
    line = [lang for ch, lang in rows if ch == Channel.LINE]
    assert line.count("ja") > 0.8 * len(line)


def test_japanese_customers_have_kanji_and_kana(demo: DemoReport, db: Database) -> None:
    for kanji, kana, latin, key in _all(db, Customer.family_name_kanji, Customer.family_name_kana,
                                        Customer.family_name, Customer.kana_key):
        if kanji is not None:
            assert kana and key and key.startswith(kana) and latin.isascii()


def test_history_is_resolved_and_live_contacts_are_recent(demo: DemoReport,
                                                         db: Database) -> None:
    rows = _all(db, Contact.id, Contact.created_at, Contact.status, Contact.disposition_code,
                Contact.resolved_at, Contact.first_response_at, Contact.first_response_due)
    assert [r[1] for r in rows] == sorted(r[1] for r in rows)  # ids follow arrival
    live = [r for r in rows if r[2] in ACTIVE_STATUSES]
    assert len(live) == active_count(300) == demo.active_contacts == 40
    assert all(T0 - timedelta(hours=LIVE_HOURS) <= r[1] < T0 for r in live)
    assert any(r[6] < T0 and r[5] is None for r in live), "some should be past their SLA"
    assert {r[2] for r in live} == {ContactStatus.NEW, ContactStatus.OPEN, ContactStatus.PENDING}
    for _, created, status, code, resolved, answered, _due in rows:
        if status not in ACTIVE_STATUSES:
            assert code and created <= answered <= resolved < T0
    assert min(r[1] for r in rows) > T0 - timedelta(days=181)


def test_every_contact_has_messages_and_events(demo: DemoReport, db: Database) -> None:
    with db.read() as s:
        no_message = s.execute(select(func.count()).select_from(Contact).where(
            ~select(Message.id).where(Message.contact_id == Contact.id).exists())).scalar_one()
        resolved_events = s.execute(select(ContactEvent.detail).where(
            ContactEvent.kind == "resolved")).scalars().all()
    assert no_message == 0
    assert len(resolved_events) == 260 and all(resolved_events)


def test_generated_numbers_are_valid_and_accounts_unique() -> None:
    factory = CustomerFactory(random.Random(3), T0)
    phones: list[str] = []
    numbers: list[str] = []
    for batch in factory.batches(3000, 1000):
        phones += [p["e164"] for p in batch.phones]
        numbers += [a["number"] for a in batch.accounts]
        assert all(a["last4"] == a["number"][-4:] for a in batch.accounts)
    sample = random.Random(1).sample(phones, 500)
    invalid = [p for p in sample if not phonenumbers.is_valid_number(phonenumbers.parse(p))]
    assert invalid == []
    for country in ("+81", "+1", "+44"):
        assert sum(p.startswith(country) for p in sample) > 25, country
    assert len(set(numbers)) == len(numbers) and all(n.isdigit() for n in numbers)
    cards = [n for n in numbers if n.startswith("4")]
    assert cards and all(len(n) == 16 and luhn_complete(n[:-1]) == n for n in cards)


def test_customers_are_findable_by_phone_name_and_kana(demo: DemoReport, db: Database) -> None:
    finder = services_for(db, ManualClock(T0)).customers
    with db.read() as s:
        ja = s.execute(select(Customer).where(Customer.language == "ja").limit(1)).scalar_one()
        en = s.execute(select(Customer).where(Customer.language == "en").limit(1)).scalar_one()
        phone = s.execute(select(CustomerPhone.e164).where(CustomerPhone.customer_id == en.id)
                          ).scalars().first()
    assert phone is not None
    assert en.id in [c.id for c in finder.find(national_format(phone))]
    assert en.id in [c.id for c in finder.find(f"{en.family_name} {en.given_name}", limit=50)]
    assert ja.id in [c.id for c in finder.find(f"{ja.family_name_kana}{ja.given_name_kana}")]
    assert ja.id in [c.id for c in finder.find(f"{ja.family_name_kanji} {ja.given_name_kanji}")]


def test_kb_search_finds_english_and_japanese_articles(demo: DemoReport, db: Database) -> None:
    kb = KbService(db, ManualClock(T0))
    with db.read() as s:
        for language in ("en", "ja"):
            article = s.execute(select(KbArticle).where(KbArticle.language == language,
                                                        KbArticle.tags != "")
                                .order_by(KbArticle.id).limit(1)).scalar_one()
            product = article.tags.split(",")[0]
            hits = kb.search(product, limit=60)
            assert article.id in [h.id for h in hits], (language, product)


def test_refuses_a_database_that_has_contacts_or_customers(demo: DemoReport,
                                                           db: Database) -> None:
    with pytest.raises(ValidationError, match="not empty"):
        generate(db, **SCALE, now=T0)


def test_refuses_a_single_customer_but_keeps_existing_set_up(db: Database) -> None:
    sv = services_for(db, ManualClock(T0))
    sv.admin.create_queue("Cards", first_response_target_s=120)
    sv.customers.create(NewCustomer("Ann", "Lee"))
    with pytest.raises(ValidationError, match="not empty"):
        generate(db, customers=5, contacts=5, articles=0, now=T0)


def test_existing_queue_is_kept_and_new_contacts_get_fresh_ids(db: Database) -> None:
    sv = services_for(db, ManualClock(T0))
    sv.admin.create_queue("Cards", first_response_target_s=120)
    generate(db, customers=20, contacts=50, articles=0, now=T0)
    names = [n for (n,) in _all(db, Queue.name)]
    assert names.count("Cards") == 1 and len(names) == 6
    with db.read() as s:
        cards = s.execute(select(Contact.created_at, Contact.first_response_due).join(
            Queue, Queue.id == Contact.queue_id).where(Queue.name == "Cards")).all()
    assert all(due is not None and due - created == timedelta(seconds=120)
               for created, due in cards)
    row = sv.intake.create_contact(Channel.SMS, "General", "After the demo")
    assert row.id == 51  # PostgreSQL sequences were moved past the demo's ids


def test_rejects_negative_counts(db: Database) -> None:
    with pytest.raises(ValidationError, match="negative"):
        generate(db, customers=-1, contacts=0, articles=0, now=T0)


def test_shipped_sample_articles_are_imported_first(db: Database, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "lost-card.md").write_text(
        "# Reporting a lost card\n\nBlock the card at once, then order a replacement.\n",
        encoding="utf-8")
    (tmp_path / "README").write_text("not an article", encoding="utf-8")
    monkeypatch.setattr("console.demo.articles.sample_folder", lambda: tmp_path)
    report = generate(db, customers=5, contacts=5, articles=12, now=T0)
    assert (report.articles_imported, report.articles) == (1, 12)
    hits = KbService(db, ManualClock(T0)).search("replacement lost")
    assert [h.title for h in hits] == ["Reporting a lost card"]
