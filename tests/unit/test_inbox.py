"""Inbox service: listing, claiming and working contacts, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from console.clock import ManualClock
from console.domain import Channel, ContactStatus, MessageKind, Priority
from console.errors import ClaimConflict, NotFound, StaleContact, ValidationError
from console.services.inbox_query import InboxFilter
from console.store.db import Database
from console.store.models import ChangeLogEntry, ContactEvent
from tests.factories import small_world


def test_list_orders_by_priority_then_arrival(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    rows = w.services.inbox.list().rows
    assert [r.subject for r in rows] == ["Lost card", "住宅ローンの相談", "Card limit"]
    assert rows[0].customer_name == "Alice Smith"
    assert rows[1].customer_name == "山田 太郎"


def test_filters_by_queue_channel_and_mine(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    inbox = w.services.inbox
    assert {r.subject for r in inbox.list(InboxFilter(queues=("Loans",))).rows} == {"住宅ローンの相談"}
    assert [r.channel for r in inbox.list(InboxFilter(channels=(Channel.CHAT,))).rows] == [
        Channel.CHAT]
    inbox.claim(w.contacts[2].id, "emma")
    assert [r.id for r in inbox.list(InboxFilter(assignee="emma")).rows] == [w.contacts[2].id]
    assert len(inbox.list(InboxFilter(unassigned=True)).rows) == 2


def test_keyset_paging_visits_every_row_once(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    for i in range(7):
        clock.advance(1)
        w.services.intake.create_contact(Channel.SMS, "Cards", f"sms {i}", "hi")
    for sort in ("waiting", "priority", "customer", "sla", "subject"):
        for descending in (False, True):
            seen: list[int] = []
            cursor = None
            while True:
                page = w.services.inbox.list(sort=sort, descending=descending, cursor=cursor,
                                             limit=3)
                seen.extend(r.id for r in page.rows)
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert sorted(seen) == sorted(set(seen)) and len(seen) == 10, (sort, descending)


def test_claim_conflict_names_the_owner(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[0].id
    row = w.services.inbox.claim(cid, "emma").value
    assert row.assignee_login == "emma" and row.status == ContactStatus.OPEN
    assert w.services.inbox.claim(cid, "emma").value.assignee_login == "emma"  # idempotent
    with pytest.raises(ClaimConflict) as info:
        w.services.inbox.claim(cid, "kenji")
    assert info.value.owner_login == "emma" and "Emma Clarke" in info.value.message


def test_claim_unknown_contact_or_agent(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    with pytest.raises(NotFound):
        w.services.inbox.claim(999_999, "emma")
    with pytest.raises(NotFound):
        w.services.inbox.claim(w.contacts[0].id, "nobody")


def test_reply_sets_first_response_and_resolve(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[1].id
    clock.advance(30)
    msg = w.services.inbox.reply(cid, "kenji", "ご連絡ありがとうございます。").value.message
    assert msg.kind == MessageKind.OUTBOUND and msg.author == "佐藤 健二"
    row = w.services.inbox.get(cid)
    assert row.first_response_at == clock.now() and row.assignee_login == "kenji"
    clock.advance(120)  # the note must sort after the reply; equal times have no order
    resolved = w.services.inbox.resolve(cid, "kenji", "solved", note="説明済み").value
    assert resolved.status == ContactStatus.RESOLVED and resolved.resolved_at == clock.now()
    detail = w.services.inbox.detail(cid)
    assert detail.disposition == "Solved"
    assert [m.kind for m in detail.messages] == [MessageKind.INBOUND, MessageKind.OUTBOUND,
                                                 MessageKind.NOTE]
    with pytest.raises(ValidationError):
        w.services.inbox.reply(cid, "kenji", "again")


def test_reply_on_someone_elses_contact_is_refused(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[0].id
    w.services.inbox.claim(cid, "emma")
    before = len(w.services.inbox.detail(cid).messages)
    with pytest.raises(ClaimConflict):
        w.services.inbox.reply(cid, "kenji", "Hello")
    assert len(w.services.inbox.detail(cid).messages) == before


def test_idempotent_reply_is_applied_once(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[0].id
    first = w.services.inbox.reply(cid, "emma", "On it", idempotency_key="k-1")
    again = w.services.inbox.reply(cid, "emma", "On it", idempotency_key="k-1")
    assert first.value.message.id == again.value.message.id
    assert first.changes and not again.changes  # the replay changed nothing
    assert sum(m.body == "On it" for m in w.services.inbox.detail(cid).messages) == 1


def test_stale_version_is_detected(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[0].id
    seen = w.services.inbox.claim(cid, "emma").value.version
    w.services.inbox.add_note(cid, "sara", "Customer called twice")
    with pytest.raises(StaleContact):
        w.services.inbox.reply(cid, "emma", "Hi", expected_version=seen)


def test_transfer_to_queue_and_agent(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[0].id
    w.services.inbox.claim(cid, "emma")
    row = w.services.inbox.transfer(cid, "emma", to_queue="Loans", note="Loan question").value
    assert row.queue_name == "Loans" and row.assignee_id is None
    row = w.services.inbox.transfer(cid, "sara", to_agent="kenji").value
    assert row.assignee_login == "kenji"
    with pytest.raises(ValidationError):
        w.services.inbox.transfer(cid, "kenji")


def test_bad_bodies_change_nothing(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    cid = w.contacts[0].id
    for body in ("", "   ", "x" * 20_001, "bell\x07"):
        with pytest.raises(ValidationError):
            w.services.inbox.reply(cid, "emma", body)
    assert w.services.inbox.get(cid).assignee_id is None


def test_next_best_takes_most_urgent(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    first = w.services.inbox.next_best("emma").value
    assert first is not None and first.subject == "Lost card" and first.assignee_login == "emma"
    second = w.services.inbox.next_best("kenji").value
    assert second is not None and second.id != first.id
    assert w.services.inbox.next_best("sara").value is None  # works no queues


def test_next_best_honours_the_queues_routing_priority(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    sv = w.services
    older = sv.intake.create_contact(Channel.CHAT, "Cards", "Older, normal queue")
    clock.advance(60)
    newer = sv.intake.create_contact(Channel.CHAT, "Loans", "Newer, urgent queue")
    for row in sv.inbox.list(InboxFilter(statuses=(ContactStatus.NEW,))).rows:
        if row.id not in (older.id, newer.id):
            sv.inbox.claim(row.id, "sara")  # out of the way: only the two compete
    assert sv.inbox.next_best("emma").value.id == older.id  # type: ignore[union-attr]
    sv.inbox.release(older.id, "emma")
    sv.sla.configure_queue("Loans", priority=int(Priority.URGENT))
    assert sv.inbox.next_best("emma").value.id == newer.id  # type: ignore[union-attr]


def test_every_write_lands_in_the_change_log(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    with db.read() as s:
        before = s.execute(select(func.max(ChangeLogEntry.seq))).scalar() or 0
    cid = w.contacts[0].id
    w.services.inbox.claim(cid, "emma")
    w.services.inbox.reply(cid, "emma", "Hello")
    w.services.inbox.resolve(cid, "emma", "solved")
    with db.read() as s:
        entries = s.execute(select(ChangeLogEntry).where(ChangeLogEntry.seq > before)
                            .order_by(ChangeLogEntry.seq)).scalars().all()
        events = s.execute(select(func.count()).select_from(ContactEvent)
                           .where(ContactEvent.contact_id == cid)).scalar()
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    assert sum(e.entity == "contact" and e.entity_id == str(cid) for e in entries) == 3
    assert any(e.entity == "message" for e in entries)
    assert events == 3  # created, claimed, resolved


def test_failed_write_records_no_change(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    with db.read() as s:
        before = s.execute(select(func.count()).select_from(ChangeLogEntry)).scalar()
    with pytest.raises(ValidationError):
        w.services.inbox.resolve(w.contacts[0].id, "emma", "no-such-code")
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(ChangeLogEntry)).scalar() == before
