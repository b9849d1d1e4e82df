"""A thread's messages carry their delivery and attachments; an attachment's bytes are fetched
through the door, audited as a view of the contact."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from console.clock import ManualClock
from console.domain import MessageDelivery, MessageKind, Role
from console.domain.audit import AuditFilter
from console.domain.channel_accounts import DeliveryState
from console.errors import NotFound, NotPermitted, ValidationError
from console.security.guard import Door, authorize
from console.security.principal import Principal
from console.services.deliveries import DeliveryQueue
from console.store.db import Database
from tests.factories import (
    World,
    add_attachment,
    add_loans_mailbox,
    add_messaging_account,
    message_from,
)
from tools.statements import counting

PDF = b"%PDF-1.7 statement of account\x00\xff" * 40


@pytest.fixture
def mail_world(world: World) -> World:
    add_loans_mailbox(world.services)
    return world


def _door(world: World, login: str) -> Door:
    a = world.services.agents.get(login)
    return authorize(world.services, Principal(a.id, a.login, a.name, a.role, "WS-01"))


def _inbound_id(world: World, contact_id: int) -> str:
    return next(m.id for m in world.services.inbox.detail(contact_id).messages
                if m.kind == MessageKind.INBOUND)


def test_a_reply_carries_its_delivery_as_it_moves(mail_world: World, db: Database,
                                                  clock: ManualClock) -> None:
    contact = mail_world.contacts[1].id
    posted = mail_world.services.inbox.reply(contact, "kenji", "金利は年1.2%です。").value.message
    assert posted.delivery is not None and posted.delivery.state == DeliveryState.QUEUED
    assert (posted.delivery.reason, posted.delivery.attempts) == (None, 0)
    queue = DeliveryQueue(db, clock)
    [job] = queue.claim_due("gw-1")
    assert posted.delivery.job_id == job.id

    def shown() -> MessageDelivery:
        [reply] = [m for m in mail_world.services.inbox.detail(contact).messages
                   if m.id == posted.id]
        assert reply.delivery is not None
        return reply.delivery

    sending = shown()
    assert (sending.state, sending.attempts, sending.reason, sending.next_attempt_at) == (
        DeliveryState.SENDING, 1, None, None)
    queue.mark_temporary_failure(job.id, holder="gw-1", reason="451 4.3.0 try again later")
    waiting = shown()
    assert waiting.retrying and waiting.reason == "451 4.3.0 try again later"
    assert waiting.next_attempt_at == clock.now() + timedelta(minutes=1)
    clock.advance(timedelta(minutes=1))
    [again] = queue.claim_due("gw-1")
    assert shown().reason is None  # sending again: the last try's reason is not shown
    clock.advance(5)
    queue.mark_sent(again.id, smtp_response="250 2.0.0 Ok: queued as 4F2A")
    sent = shown()
    assert (sent.state, sent.sent_at, sent.smtp_response, sent.attempts) == (
        DeliveryState.SENT, clock.now(), "250 2.0.0 Ok: queued as 4F2A", 2)


def test_a_failed_reply_says_why_and_other_messages_have_no_delivery(
        mail_world: World, db: Database, clock: ManualClock) -> None:
    contact = mail_world.contacts[1].id
    inbox = mail_world.services.inbox
    reply = inbox.reply(contact, "kenji", "Reply one").value.message
    inbox.add_note(contact, "kenji", "internal")
    queue = DeliveryQueue(db, clock)
    [job] = queue.claim_due("gw-1")
    queue.mark_permanent_failure(job.id, holder="gw-1", reason="550 5.1.1 mailbox unknown")
    by_id = {m.id: m for m in inbox.detail(contact).messages}
    failed = by_id[reply.id].delivery
    assert failed is not None and (failed.state, failed.reason) == (
        DeliveryState.FAILED, "550 5.1.1 mailbox unknown")
    assert [m.delivery for m in by_id.values() if m.id != reply.id] == [None, None]
    phone = inbox.reply(mail_world.contacts[0].id, "emma", "On the phone").value.message
    assert phone.delivery is None  # nobody delivers a phone contact's reply


def test_attachments_are_listed_without_their_bytes(mail_world: World, db: Database) -> None:
    contact = mail_world.contacts[1].id
    inbound = _inbound_id(mail_world, contact)
    pdf = add_attachment(db, inbound, "statement 1234567890.pdf", "application/pdf", content=PDF)
    big = add_attachment(db, inbound, "scan.tiff", "image/tiff", content=None, size=48_000_000,
                         note="larger than the 25 MB this mailbox keeps")
    with counting(db) as tally:
        [message] = [m for m in mail_world.services.inbox.detail(contact).messages
                     if m.id == inbound]
    assert [(a.id, a.filename, a.content_type, a.size, a.kept, a.note)
            for a in message.attachments] == [
        (pdf, "statement ******7890.pdf", "application/pdf", len(PDF), True, None),
        (big, "scan.tiff", "image/tiff", 48_000_000, False,
         "larger than the 25 MB this mailbox keeps")]
    # The bytes stay in the database: the only mention of the column asks whether it is empty.
    listed = [s.split("FROM")[0] for s in tally.selects if "message_attachments" in s]
    assert listed and all(re.findall(r"message_attachments\.content\b(?! IS NOT NULL)", s) == []
                          for s in listed)


def test_a_thread_costs_the_same_queries_however_long(mail_world: World, db: Database) -> None:
    contact = mail_world.contacts[1].id
    inbox = mail_world.services.inbox

    def reads() -> int:
        with counting(db) as tally:
            inbox.detail(contact)
        return len(tally.selects)

    add_attachment(db, _inbound_id(mail_world, contact), "a.txt", "text/plain", content=b"a")
    short = reads()
    for i in range(5):
        message = inbox.reply(contact, "kenji", f"reply {i}").value.message
        add_attachment(db, message.id, f"{i}.txt", "text/plain", content=b"x")
    assert reads() == short


def test_an_attachment_is_fetched_and_audited_as_a_view_of_its_contact(
        mail_world: World, db: Database) -> None:
    contact = mail_world.contacts[1].id
    inbound = _inbound_id(mail_world, contact)
    pdf = add_attachment(db, inbound, "report.pdf", "application/pdf", content=PDF)
    got = _door(mail_world, "kenji").inbox.attachment(contact, pdf)
    assert (got.content, got.filename, got.content_type, got.message_id) == (
        PDF, "report.pdf", "application/pdf", inbound)
    entry = mail_world.services.audit.list(AuditFilter(person="kenji"))[-1]
    assert (entry.action, entry.entity, entry.entity_id) == ("view", "contact", str(contact))
    assert entry.detail["attachment_id"] == pdf
    assert entry.detail["operation"] == "inbox.attachment"


def test_an_attachment_not_kept_or_of_another_contact_is_refused(mail_world: World,
                                                                  db: Database) -> None:
    contact = mail_world.contacts[1].id
    big = add_attachment(db, _inbound_id(mail_world, contact), "scan.tiff", "image/tiff",
                         content=None, size=48_000_000, note="over the 25 MB limit")
    inbox = mail_world.services.inbox
    with pytest.raises(ValidationError, match=r"'scan\.tiff' was not kept: over the 25 MB limit"):
        inbox.attachment(contact, big)
    with pytest.raises(NotFound, match=f"Contact {mail_world.contacts[0].id} has no attachment"):
        inbox.attachment(mail_world.contacts[0].id, big)
    with pytest.raises(NotFound):
        inbox.attachment(contact, big + 1000)


def test_branch_staff_may_not_fetch_attachments(mail_world: World, db: Database) -> None:
    mail_world.services.admin.create_agent("bea", "Bea Branch", role=Role.BRANCH)
    contact = mail_world.contacts[1].id
    pdf = add_attachment(db, _inbound_id(mail_world, contact), "r.pdf", "application/pdf",
                         content=PDF)
    with pytest.raises(NotPermitted, match=r"may not use 'inbox\.attachment'"):
        _door(mail_world, "bea").inbox.attachment(contact, pdf)


def test_reply_deliveries_are_the_agents_own_only(mail_world: World, db: Database) -> None:
    contact = mail_world.contacts[1].id
    inbox = mail_world.services.inbox
    kenjis = inbox.reply(contact, "kenji", "from kenji").value.message
    saras = inbox.reply(contact, "sara", "from sara").value.message  # a supervisor steps in
    note = inbox.add_note(contact, "kenji", "a note").value.message
    found = inbox.reply_deliveries("kenji", [kenjis.id, saras.id, note.id, str(uuid.uuid4())])
    assert list(found) == [kenjis.id] and found[kenjis.id].state == DeliveryState.QUEUED
    with pytest.raises(NotPermitted, match="only as themself"):
        _door(mail_world, "emma").inbox.reply_deliveries("kenji", [kenjis.id])
    with pytest.raises(ValidationError, match="not a message id"):
        inbox.reply_deliveries("kenji", ["'; DROP TABLE messages"])


@pytest.mark.parametrize(("kind", "sender", "method", "way"), [
    ("line", "U4af4980629f1e2d3c4b5a69788776655", "reply", "LINE reply"),
    ("line", "U4af4980629f1e2d3c4b5a69788776655", "push", "LINE push"),
    ("twilio", "+819011112222", "sms", "SMS"),
    ("messenger", "6543210987654321", "send_api", "Messenger"),
])
def test_a_messaging_reply_says_how_it_went_once_sent(
        world: World, db: Database, clock: ManualClock, kind: str, sender: str, method: str,
        way: str) -> None:
    account = add_messaging_account(world.services, kind, kind, queue="Loans")
    contact = message_from(world.services, account, sender=sender)
    posted = world.services.inbox.reply(contact, "kenji", "ご連絡ありがとうございます。").value
    delivery = posted.message.delivery
    assert delivery is not None and (delivery.method, delivery.way) == (None, None)  # queued
    queue = DeliveryQueue(db, clock)
    [job] = queue.claim_due("gw-1")
    queue.mark_sent(job.id, smtp_response=f"{way} accepted", method=method,
                    provider_message_id="m-1")
    [reply] = [m for m in world.services.inbox.detail(contact).messages if m.id == posted.message.id]
    assert reply.delivery is not None
    assert (reply.delivery.state, reply.delivery.method, reply.delivery.way) == (
        DeliveryState.SENT, method, way)
    mine = _door(world, "kenji").inbox.reply_deliveries("kenji", [reply.id])  # the window's watch
    assert mine[reply.id].method == method


def test_an_email_reply_has_no_method(mail_world: World, db: Database,
                                      clock: ManualClock) -> None:
    contact = mail_world.contacts[1].id
    posted = mail_world.services.inbox.reply(contact, "kenji", "Sent by mail").value.message
    queue = DeliveryQueue(db, clock)
    [job] = queue.claim_due("gw-1")
    queue.mark_sent(job.id, smtp_response="250 2.0.0 Ok")
    [reply] = [m for m in mail_world.services.inbox.detail(contact).messages if m.id == posted.id]
    assert reply.delivery is not None and (reply.delivery.method, reply.delivery.way) == (None,
                                                                                           None)
