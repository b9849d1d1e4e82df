"""The offline outbox: kept while the database is away, replayed once, never loses what was typed."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from console.app import Services, build_services
from console.clock import ManualClock
from console.config import Settings
from console.domain import AgentState, ContactStatus
from console.errors import Unavailable
from console.store.db import Database
from console.store.models import Message
from console.sync.outbox import INTERNAL_ERROR, Outbox, apply
from tests.factories import World
from tests.tcp_proxy import TcpProxy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def outbox(tmp_path: Path, clock: ManualClock) -> Outbox:
    return Outbox(tmp_path / "outbox.db", clock)


def count_messages(db: Database, body: str) -> int:
    with db.read() as s:
        return int(s.execute(select(func.count()).where(Message.body == body)).scalar_one())


def fill(outbox: Outbox, world: World) -> None:
    cid = world.contacts[0].id
    outbox.add_note("emma", cid, "called the branch, card is frozen")
    outbox.add_reply("emma", cid, "Your card is frozen; a new one is on its way.")
    outbox.add_resolve("emma", cid, "solved", note="replacement ordered")
    outbox.add_state("emma", AgentState.BREAK, "lunch")


def test_entries_replay_once_in_the_order_they_were_made(
        world: World, outbox: Outbox, db: Database, clock: ManualClock) -> None:
    fill(outbox, world)
    assert [e.kind.value for e in outbox.pending()] == ["note", "reply", "resolve", "state"]
    clock.advance(600)  # back online ten minutes later
    assert dataclasses.astuple(outbox.replay(world.services)) == (4, 0, 0)
    detail = world.services.inbox.detail(world.contacts[0].id)
    # one replay, one clock reading: the three share a time stamp, so compare as a set
    assert {m.body for m in detail.messages} >= {
        "called the branch, card is frozen", "Your card is frozen; a new one is on its way.",
        "replacement ordered"}
    assert detail.contact.status == ContactStatus.RESOLVED
    state = world.services.agents.state("emma")
    # when she went on break, not when it synced
    assert state.state == AgentState.BREAK and state.since == clock.now() - timedelta(seconds=600)
    assert dataclasses.astuple(outbox.replay(world.services)) == (0, 0, 0)


def test_a_crash_between_commit_and_cleanup_replays_as_a_no_op(
        world: World, outbox: Outbox, db: Database) -> None:
    fill(outbox, world)
    for entry in outbox.pending():  # every write committed, no entry removed: then a crash
        apply(world.services, entry)
    assert outbox.replay(world.services).applied == 4
    assert count_messages(db, "called the branch, card is frozen") == 1
    assert count_messages(db, "Your card is frozen; a new one is on its way.") == 1
    assert count_messages(db, "replacement ordered") == 1


def test_an_entry_that_can_no_longer_apply_keeps_its_text(
        world: World, outbox: Outbox, db: Database) -> None:
    first, second = world.contacts[0].id, world.contacts[1].id
    outbox.add_reply("emma", first, "Sorry for the wait, here is what happened…")
    outbox.add_note("emma", second, "customer prefers e-mail")
    world.services.inbox.claim(first, "kenji")  # meanwhile, on another workstation
    report = outbox.replay(world.services)
    assert dataclasses.astuple(report) == (1, 1, 0)
    [failed] = outbox.failed()
    assert failed.text == "Sorry for the wait, here is what happened…"
    assert "already claimed by 佐藤 健二" in failed.problem
    assert count_messages(db, "customer prefers e-mail") == 1
    outbox.discard(failed.key)
    assert outbox.entries() == []


def test_an_unreachable_database_keeps_every_entry(world: World, outbox: Outbox,
                                                   clock: ManualClock) -> None:
    fill(outbox, world)
    gone = build_services(Database("postgresql://postgres@127.0.0.1:1/none"), clock,
                          Settings(timezone="Asia/Tokyo"))
    try:
        assert dataclasses.astuple(outbox.replay(gone)) == (0, 0, 4)
    finally:
        gone.close()
    assert [e.failed for e in outbox.entries()] == [False] * 4


class _CutAfterFirstWrite:
    """An inbox that loses the network right after its first write commits."""

    def __init__(self, inner: Any, proxy: TcpProxy) -> None:
        self._inner, self._proxy, self.calls = inner, proxy, 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            self.calls += 1
            if self.calls == 1:
                self._proxy.cut()
            return result
        return call


def test_cut_connection_mid_session_and_mid_replay_everything_arrives_once(
        world: World, db: Database, outbox: Outbox, clock: ManualClock) -> None:
    if not db.is_postgres:
        pytest.skip("a network cut needs a server")
    proxy = TcpProxy((db.url.host or "127.0.0.1", db.url.port or 5432))
    url = db.url.set(host="127.0.0.1", port=proxy.port)
    services = build_services(Database(url, pool_size=1), clock, Settings(timezone="Asia/Tokyo"))
    cid = world.contacts[0].id
    try:
        services.inbox.add_note(cid, "emma", "before the cut")
        proxy.cut()
        texts = ["typed offline 1", "typed offline 2", "reply typed offline"]
        for body in texts[:2]:
            with pytest.raises(Unavailable):
                services.inbox.add_note(cid, "emma", body)
            outbox.add_note("emma", cid, body)  # what the window does with an Unavailable
        outbox.add_reply("emma", cid, texts[2])
        proxy.restore()
        cutting: Services = dataclasses.replace(
            services, inbox=_CutAfterFirstWrite(services.inbox, proxy))  # type: ignore[arg-type]
        assert dataclasses.astuple(outbox.replay(cutting)) == (1, 0, 2)  # dropped again mid-replay
        proxy.restore()
        assert dataclasses.astuple(outbox.replay(services)) == (2, 0, 0)
    finally:
        services.close()
        proxy.close()
    assert [count_messages(db, body) for body in ["before the cut", *texts]] == [1, 1, 1, 1]


_CHILD = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from console.app import open_services
    from console.clock import SystemClock
    from console.sync import outbox as ob

    services = open_services(sys.argv[1], migrate=False)
    box = ob.Outbox(Path(sys.argv[2]), SystemClock())
    real_apply = ob.apply

    def apply_then_die(services, entry):
        real_apply(services, entry)
        os._exit(9)  # killed after the first commit, before its entry is removed

    ob.apply = apply_then_die
    box.replay(services)
""")


def test_a_process_killed_mid_replay_still_applies_each_entry_once(
        world: World, outbox: Outbox, db: Database, db_url: str) -> None:
    fill(outbox, world)
    child = subprocess.run([sys.executable, "-c", _CHILD, db_url, str(outbox.path)], cwd=ROOT,
                           capture_output=True, text=True, timeout=120, check=False)
    assert child.returncode == 9, child.stderr
    assert len(outbox.pending()) == 4  # the first entry was applied but not removed
    assert count_messages(db, "called the branch, card is frozen") == 1
    assert outbox.replay(world.services).applied == 4
    assert count_messages(db, "called the branch, card is frozen") == 1
    assert count_messages(db, "Your card is frozen; a new one is on its way.") == 1


def test_a_bug_during_replay_is_raised_and_not_kept_as_waiting(
        world: World, outbox: Outbox, db: Database) -> None:
    cid = world.contacts[0].id
    outbox.add_note("emma", cid, "typed while offline")
    outbox.add_reply("emma", cid, "Thank you for waiting.")
    # A schema this code does not expect (say, a botched downgrade): no such table.
    with db.begin() as conn:
        conn.execute(text("ALTER TABLE messages RENAME TO messages_elsewhere"))
    try:
        with pytest.raises(DBAPIError) as info:
            outbox.replay(world.services)
    finally:
        with db.begin() as conn:
            conn.execute(text("ALTER TABLE messages_elsewhere RENAME TO messages"))
    assert not isinstance(info.value, Unavailable) and "messages" in str(info.value.orig)
    [broken] = outbox.failed()
    assert broken.text == "typed while offline" and broken.problem == INTERNAL_ERROR
    assert [e.text for e in outbox.pending()] == ["Thank you for waiting."]  # not tried yet
    assert dataclasses.astuple(outbox.replay(world.services)) == (1, 0, 0)
