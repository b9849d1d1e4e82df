"""The delivery queue: a reply and its job in one transaction, gateways that never share a job,
retries with backoff, and a crashed gateway's job taken over."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from console.clock import ManualClock
from console.domain import Channel, MessageKind
from console.domain.channel_accounts import DeliveryState
from console.errors import ValidationError
from console.services.deliveries import DeliveryQueue
from console.store.db import Database
from console.store.models import ChangeLogEntry, Message
from console.store.models_channels import DeliveryJobRow
from tests.factories import World, services_for

IMAP, SMTP = "imap://loans@127.0.0.1:1143/INBOX", "smtp://127.0.0.1:1025"


@pytest.fixture
def mail_world(world: World) -> World:
    """The small world with an e-mail account on Loans, whose contact 2 came by e-mail."""
    world.services.channels.add_email("loans-mail", address="loans@bank.example.jp",
                                      imap_url=IMAP, smtp_url=SMTP, queue="Loans",
                                      password="pw")
    return world


def _email_contacts(world: World, n: int) -> list[int]:
    return [world.services.intake.create_contact(
        Channel.EMAIL, "Loans", f"質問 {i}", "教えてください", customer_id=world.yamada).id
        for i in range(n)]


def _jobs(db: Database) -> list[DeliveryJobRow]:
    with db.read() as s:
        return list(s.execute(select(DeliveryJobRow).order_by(DeliveryJobRow.id)).scalars())


def test_a_reply_on_an_email_contact_gets_one_delivery_job(mail_world: World, db: Database) -> None:
    contact = mail_world.contacts[1].id
    written = mail_world.services.inbox.reply(contact, "kenji", "金利は年1.2%です。",
                                              idempotency_key="k1")
    [job] = _jobs(db)
    message = written.value.message
    assert (str(job.message_id), job.state, job.attempts) == (message.id, DeliveryState.QUEUED, 0)
    assert job.rfc822_message_id == f"<{job.message_id.hex}@bank.example.jp>"
    assert ("delivery", str(job.id), "insert") in [(c.entity, c.entity_id, c.op)
                                                   for c in written.changes.entries]
    mail_world.services.inbox.reply(contact, "kenji", "金利は年1.2%です。", idempotency_key="k1")
    assert len(_jobs(db)) == 1  # an outbox replay is the same reply: no second job
    assert mail_world.services.deliveries.for_message(job.message_id) is not None


def test_other_replies_get_no_job(mail_world: World, db: Database) -> None:
    mail_world.services.inbox.reply(mail_world.contacts[0].id, "emma", "On the phone")  # phone
    mail_world.services.inbox.add_note(mail_world.contacts[1].id, "kenji", "internal")
    mail_world.services.channels.disable("loans-mail")
    mail_world.services.inbox.reply(mail_world.contacts[1].id, "kenji", "while paused")
    assert _jobs(db) == []


def _refuse_delivery_jobs(db: Database) -> None:
    """A trigger that makes every job insert fail, as a full disk or a bug would."""
    with db.begin() as conn:
        if db.is_postgres:
            conn.execute(text("CREATE FUNCTION refuse_job() RETURNS trigger LANGUAGE plpgsql AS "
                              "$$ BEGIN RAISE EXCEPTION 'no delivery jobs today'; END $$"))
            conn.execute(text("CREATE TRIGGER refuse_jobs BEFORE INSERT ON delivery_jobs "
                              "FOR EACH ROW EXECUTE FUNCTION refuse_job()"))
        else:
            conn.execute(text("CREATE TRIGGER refuse_jobs BEFORE INSERT ON delivery_jobs "
                              "BEGIN SELECT RAISE(ABORT, 'no delivery jobs today'); END"))


def _drop_refusal(db: Database) -> None:
    with db.begin() as conn:
        conn.execute(text("DROP TRIGGER refuse_jobs" + (" ON delivery_jobs" if db.is_postgres
                                                         else "")))
        if db.is_postgres:
            conn.execute(text("DROP FUNCTION refuse_job()"))


def test_when_the_job_cannot_be_stored_neither_is_the_reply(mail_world: World,
                                                            db: Database) -> None:
    contact = mail_world.contacts[1]
    _refuse_delivery_jobs(db)
    try:
        with pytest.raises(DBAPIError, match="no delivery jobs today"):
            mail_world.services.inbox.reply(contact.id, "kenji", "lost?")
    finally:
        _drop_refusal(db)
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(Message).where(
            Message.contact_id == contact.id, Message.kind == MessageKind.OUTBOUND)).scalar() == 0
    assert mail_world.services.inbox.get(contact.id).version == contact.version
    assert _jobs(db) == []


def test_two_gateways_never_send_the_same_job(mail_world: World, db_url: str,
                                              clock: ManualClock) -> None:
    for contact in _email_contacts(mail_world, 24):
        mail_world.services.inbox.reply(contact, "kenji", "ご連絡ありがとうございます。")
    sent: dict[str, list[int]] = {"gw-a": [], "gw-b": []}
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def gateway(holder: str) -> None:
        own = Database(db_url)  # a gateway process of its own, on the same database
        try:
            queue = services_for(own, ManualClock(clock.now())).deliveries
            start.wait()
            while jobs := queue.claim_due(holder, limit=3):
                for job in jobs:
                    queue.mark_sent(job.id, smtp_response="250 2.0.0 Ok: queued")
                    sent[holder].append(job.id)
        except BaseException as exc:  # reported below: a thread's failure must fail the test
            failures.append(exc)
        finally:
            own.dispose()

    threads = [threading.Thread(target=gateway, args=(h,)) for h in sent]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    every = sent["gw-a"] + sent["gw-b"]
    assert len(every) == len(set(every)) == 24
    assert {j.state for j in _jobs(mail_world.services.db)} == {DeliveryState.SENT}
    assert all(j.attempts == 1 for j in _jobs(mail_world.services.db))


def test_temporary_failures_back_off_and_end_as_failed(mail_world: World, db: Database,
                                                       clock: ManualClock) -> None:
    mail_world.services.inbox.reply(mail_world.contacts[1].id, "kenji", "retry me")
    queue = DeliveryQueue(db, clock, max_attempts=4, first_retry=timedelta(seconds=60),
                          longest_wait=timedelta(seconds=150))
    waits = []
    for _ in range(3):
        [job] = queue.claim_due("gw-a")
        failed = queue.mark_temporary_failure(job.id, holder="gw-a",
                                              reason="421 4.7.0 Try again\r\nlater")
        assert failed.state == DeliveryState.QUEUED and failed.last_error == "421 4.7.0 Try again later"
        waits.append((failed.next_attempt_at - clock.now()).total_seconds())
        assert queue.claim_due("gw-a") == []  # not due yet
        clock.advance(failed.next_attempt_at - clock.now())
    assert waits == [60, 120, 150]  # doubling, capped
    [job] = queue.claim_due("gw-a")
    final = queue.mark_temporary_failure(job.id, holder="gw-a", reason="connection refused")
    assert (final.state, final.attempts) == (DeliveryState.FAILED, 4)
    assert final.last_error == "gave up after 4 attempts: connection refused"
    clock.advance(timedelta(days=1))
    assert queue.claim_due("gw-a") == []
    assert mail_world.services.channels.show("loans-mail").status.failed == 1


def test_a_crashed_gateways_job_is_claimed_again(mail_world: World, db: Database,
                                                 clock: ManualClock) -> None:
    message = mail_world.services.inbox.reply(mail_world.contacts[1].id, "kenji", "hello").value
    queue = mail_world.services.deliveries
    [job] = queue.claim_due("gw-a", lock_for=timedelta(seconds=60))
    assert (job.state, job.locked_by) == (DeliveryState.SENDING, "gw-a")
    assert queue.claim_due("gw-b") == []
    clock.advance(61)  # gw-a died (kill -9) before it could report
    [again] = queue.claim_due("gw-b")
    assert (again.id, again.locked_by, again.attempts) == (job.id, "gw-b", 2)
    assert again.rfc822_message_id == job.rfc822_message_id  # a resend is the same message
    # gw-a comes back to life: its stale failure report must not undo gw-b's attempt.
    assert queue.mark_temporary_failure(job.id, holder="gw-a", reason="timeout").locked_by == "gw-b"
    assert queue.mark_sent(job.id, smtp_response="250 Ok").state == DeliveryState.SENT
    with db.read() as s:
        moved = s.execute(select(ChangeLogEntry.entity_id).where(
            ChangeLogEntry.entity == "message", ChangeLogEntry.op == "update")).scalars().all()
    assert str(message.message.id) in moved  # the window's feed sees the delivery state move


def test_a_permanent_failure_is_not_retried_and_blocks_nothing(mail_world: World,
                                                              clock: ManualClock) -> None:
    mail_world.services.inbox.reply(mail_world.contacts[1].id, "kenji", "to a bad address")
    queue, channels = mail_world.services.deliveries, mail_world.services.channels
    with pytest.raises(ValidationError, match="1 reply is still waiting"):
        channels.remove("loans-mail")
    [job] = queue.claim_due("gw-a")
    failed = queue.mark_permanent_failure(job.id, holder="gw-a",
                                          reason="550 5.1.1 <taro@example.jp>: user unknown")
    assert (failed.state, failed.last_error) == (DeliveryState.FAILED,
                                                 "550 5.1.1 <taro@example.jp>: user unknown")
    clock.advance(timedelta(days=1))
    assert queue.claim_due("gw-a") == []
    channels.remove("loans-mail")  # nothing waits any more; the record of the job stays
    assert queue.get(job.id).channel_account_id is None


def test_jobs_of_a_paused_account_wait(mail_world: World) -> None:
    mail_world.services.inbox.reply(mail_world.contacts[1].id, "kenji", "later")
    mail_world.services.channels.disable("loans-mail")
    assert mail_world.services.deliveries.claim_due("gw-a") == []
    mail_world.services.channels.enable("loans-mail")
    assert len(mail_world.services.deliveries.claim_due("gw-a")) == 1


def test_on_postgresql_a_claim_skips_jobs_another_gateway_is_locking(mail_world: World,
                                                                    db: Database) -> None:
    if not db.is_postgres:
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite serialises writers instead")
    for contact in _email_contacts(mail_world, 3):
        mail_world.services.inbox.reply(contact, "kenji", "hello")
    first = _jobs(db)[0].id
    claimed: list[int] = []
    with db.engine.connect() as other:  # another gateway, between its SELECT and its commit
        other.execute(text("SELECT id FROM delivery_jobs WHERE id = :i FOR UPDATE"), {"i": first})
        worker = threading.Thread(target=lambda: claimed.extend(
            j.id for j in mail_world.services.deliveries.claim_due("gw-b")))
        worker.start()
        worker.join(timeout=20)
        blocked = worker.is_alive()
        other.rollback()
    worker.join()
    assert not blocked, "claim_due waited for another gateway's row lock"
    assert first not in claimed and len(claimed) == 2


def test_a_gateway_stopping_cleanly_gives_back_what_it_did_not_send(mail_world: World) -> None:
    for contact in _email_contacts(mail_world, 2):
        mail_world.services.inbox.reply(contact, "kenji", "hello")
    queue = mail_world.services.deliveries
    first, second = queue.claim_due("gw-a")
    assert queue.release(second.id, holder="gw-b").locked_by == "gw-a"  # not gw-b's to give
    back = queue.release(second.id, holder="gw-a")
    assert (back.state, back.attempts, back.locked_by) == (DeliveryState.QUEUED, 0, None)
    assert [j.id for j in queue.claim_due("gw-b")] == [second.id]  # at once, no lock to wait out
    assert queue.get(first.id).locked_by == "gw-a"
