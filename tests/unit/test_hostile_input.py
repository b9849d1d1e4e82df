"""Hostile input on every search box: a clear ValidationError or a result, never a crash.

Hypothesis feeds SQL metacharacters, very long strings, control characters,
lone surrogates and mixed scripts to customers.find, kb.search, branch.lookup,
the audit filters, sign-in and the KB import; afterwards nothing in the database has changed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from console.clock import ManualClock
from console.domain import Role
from console.domain.audit import AuditFilter
from console.errors import SignInFailed, ValidationError
from console.security.principal import Principal
from console.store import changes
from console.store.db import Database
from console.store.models import Agent, AuditEvent, Customer, CustomerEmail, KbArticle
from tests.factories import World, small_world

SQL = ["'", '"', "' OR '1'='1", "'; DROP TABLE customers; --", "%", "_", "\\", "*", "\"*\"",
       "NEAR(", "a AND b", "a:*", "!", "&|", "$$", "/*", "*/", "--", ";", "(", ")", "$1", "?", ":x"]
SCRIPTS = ["Smith", "山田", "やまだ", "ヤマダ", "ﾔﾏﾀﾞ", "Ωμέγα", "Привет", "مرحبا", "שלום",
           "\u202egnp.exe", "e\u0301", "😀", "＠", "０９０", "İ", "ß", "\ufeff", "\u200b"]
hostile = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(SQL + SCRIPTS), min_size=1, max_size=12).map("".join),
    st.lists(st.sampled_from(SQL + SCRIPTS), max_size=8).map(" ".join),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=10),
    st.text(st.characters(categories=["Cs"]), min_size=1, max_size=3),
    st.integers(200, 20_000).map(lambda n: "a" * n),
    st.text(min_size=1, max_size=20).map(lambda t: t * 50),
    st.just("\x00"), st.just("smith\x00"), st.just("1984-02-30"),
)
HYPOTHESIS = settings(max_examples=60, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture,
                                             HealthCheck.too_slow])


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    w = small_world(db, clock)
    w.services.admin.create_agent("bea", "Bea Branch", role=Role.BRANCH)
    w.services.kb.upsert("reset-pin", "Reset a card PIN", "How to reset a PIN at the branch.")
    return w


def _state(db: Database) -> tuple[Any, ...]:
    with db.read() as s:
        counts = tuple(s.execute(select(func.count()).select_from(t)).scalar()
                       for t in (Customer, CustomerEmail, Agent, KbArticle))
        return (*counts, changes.last_seq(s))


def _survives(call: Callable[[], Any]) -> None:
    try:
        result = call()
    except ValidationError as exc:
        message = exc.message
        assert message and "Traceback" not in message
    else:
        assert isinstance(result, list)


def _check(db: Database, call: Callable[[], Any]) -> None:
    before = _state(db)
    _survives(call)
    assert _state(db) == before


@HYPOTHESIS
@given(query=hostile, by=st.sampled_from(["auto", "name", "phone", "email", "account"]))
def test_customers_find(world: World, db: Database, query: str, by: str) -> None:
    _check(db, lambda: world.services.customers.find(query, by=by))


@HYPOTHESIS
@given(query=hostile, language=st.sampled_from([None, "en", "ja"]))
def test_kb_search(world: World, db: Database, query: str, language: str | None) -> None:
    _check(db, lambda: world.services.kb.search(query, language=language))


@HYPOTHESIS
@given(query=hostile, by=st.sampled_from(["auto", "name", "phone", "account", "dob"]))
def test_branch_lookup(world: World, db: Database, query: str, by: str) -> None:
    bea = world.services.agents.get("bea")
    who = Principal(bea.id, bea.login, bea.name, bea.role, "BR-1")
    with db.read() as s:
        audited = s.execute(select(func.count()).select_from(AuditEvent)).scalar()
    _check(db, lambda: world.services.branch.lookup(who, query, by=by))
    with db.read() as s:  # a search that ran is audited; a rejected one leaves nothing
        assert s.execute(select(func.count()).select_from(AuditEvent)).scalar() in (
            audited, (audited or 0) + 1)


@HYPOTHESIS
@given(person=hostile)
def test_audit_filters(world: World, db: Database, person: str) -> None:
    _check(db, lambda: world.services.audit.list(AuditFilter(person=person)))


@HYPOTHESIS
@given(login=hostile, password=hostile)
def test_sign_in(world: World, db: Database, login: str, password: str) -> None:
    before = _state(db)
    with pytest.raises(SignInFailed, match=r"^Wrong login or password"):
        world.services.auth.sign_in(login, password)
    assert _state(db) == before


@HYPOTHESIS
@given(title=hostile, body=hostile, raw=st.binary(max_size=200))
def test_kb_import(world: World, db: Database, tmp_path: Path, title: str, body: str,
                   raw: bytes) -> None:
    folder = tmp_path / uuid.uuid4().hex
    folder.mkdir()
    text = f"# {title}\n\n{body}\n"
    (folder / "hostile.md").write_bytes(text.encode("utf-8", errors="surrogatepass"))
    (folder / "raw.txt").write_bytes(raw)
    before = _state(db)
    try:
        report = world.services.kb.import_path(folder)
    except ValidationError as exc:
        message = exc.message
        assert message and "Traceback" not in message
        assert _state(db) == before  # a rejected import changes nothing
    else:
        assert report.added + report.updated + report.unchanged + len(report.problems) == 2
