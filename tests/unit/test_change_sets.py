"""Writes return what they changed: the change-log entries they committed, with their seq."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console.clock import ManualClock
from console.domain import AgentState, ChangeSet
from console.errors import ValidationError
from console.security.guard import authorize
from console.security.principal import Principal
from console.store import changes
from console.store.db import Database
from console.store.models import ChangeLogEntry
from tests.factories import small_world


def _log_after(db: Database, seq: int) -> list[tuple[int, str, str]]:
    with db.read() as s:
        rows = s.execute(select(ChangeLogEntry.seq, ChangeLogEntry.entity, ChangeLogEntry.entity_id)
                         .where(ChangeLogEntry.seq > seq).order_by(ChangeLogEntry.seq)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _last(db: Database) -> int:
    with db.read() as s:
        return changes.last_seq(s)


def test_a_reply_returns_exactly_the_log_entries_it_committed(db: Database,
                                                              clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[0].id
    before = _last(db)
    posted = w.services.inbox.reply(cid, "emma", "We froze the card.")
    committed = _log_after(db, before)
    got = posted.changes
    assert [(c.seq, c.entity, c.entity_id) for c in got.entries] == committed
    assert got.seq == committed[-1][0] == _last(db)
    assert got.contact_ids == {cid}
    assert got.ids("message") == {posted.value.message.id}
    assert posted.value.contact.version == w.services.inbox.get(cid).version


def test_each_inbox_write_names_its_contact(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    inbox, cid = w.services.inbox, w.contacts[0].id
    written = [inbox.claim(cid, "emma"), inbox.add_note(cid, "emma", "called back"),
               inbox.set_status(cid, "emma", inbox.get(cid).status),
               inbox.transfer(cid, "emma", to_agent="kenji"), inbox.release(cid, "kenji"),
               inbox.resolve(cid, "sara", "solved")]
    seqs = [x.changes.seq for x in written]
    assert all(cid in x.changes.contact_ids for x in written)
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    nxt = inbox.next_best("emma")
    assert nxt.value is not None and nxt.changes.contact_ids == {nxt.value.id}


def test_nothing_to_do_is_an_empty_change_set(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    assert w.services.inbox.next_best("sara").changes == ChangeSet()  # works no queues
    assert w.services.inbox.next_best("sara").changes.seq == 0


def test_inside_an_outer_unit_the_change_set_is_known_when_the_unit_commits(
        db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[0].id
    with db.write():
        claimed = w.services.inbox.claim(cid, "emma")
        noted = w.services.inbox.add_note(cid, "emma", "in the same unit")
        with pytest.raises(RuntimeError, match="after it has committed"):
            _ = claimed.changes
    # One transaction, so one change set, complete now that the outer unit committed.
    assert claimed.changes == noted.changes
    assert claimed.changes.seq == _last(db)
    assert noted.value.message.id in claimed.changes.ids("message")


def test_a_write_through_the_door_commits_with_its_change_set(db: Database,
                                                              clock: ManualClock) -> None:
    w = small_world(db, clock)
    emma = w.services.agents.get("emma")
    door = authorize(w.services, Principal(emma.id, emma.login, emma.name, emma.role, "WS-1"))
    claimed = door.inbox.claim(w.contacts[0].id, "emma")
    assert claimed.changes.seq == _last(db)
    assert claimed.changes.contact_ids == {w.contacts[0].id}


def test_a_rolled_back_unit_has_no_change_set(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    before = _last(db)
    kept = []

    def claim_then_fail() -> None:
        with db.write():
            kept.append(w.services.inbox.claim(w.contacts[0].id, "emma"))
            w.services.inbox.resolve(w.contacts[0].id, "emma", "no-such-code")

    with pytest.raises(ValidationError):
        claim_then_fail()
    assert _last(db) == before
    with pytest.raises(RuntimeError):
        _ = kept[0].changes


def test_a_state_change_returns_its_change_set_and_a_repeat_an_empty_one(
        db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    emma = w.services.agents.get("emma")
    moved = w.services.agents.set_state("emma", AgentState.BREAK, "lunch")
    assert moved.value.state == AgentState.BREAK
    assert moved.changes.ids("agent") == {str(emma.id)} and moved.changes.seq == _last(db)
    again = w.services.agents.set_state("emma", AgentState.BREAK)
    assert again.value == moved.value and again.changes == ChangeSet()
