"""The gateway end to end, against the real Dovecot and SMTP server: mail in, replies out.

Customers write into the ``support`` mailbox; the gateway takes their mail
in, agents reply through the services (as the window does), the gateway
sends the reply, and the test reads it back from the ``customer`` mailbox
exactly as the customer's mail program would.
"""

from __future__ import annotations

import base64
import email
import email.policy
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import func, select

from console.app import Services
from console.channels.gateway import Gateway, GatewayOptions, gateway_principal
from console.clock import ManualClock
from console.domain import Channel, ContactStatus, MessageKind
from console.domain.channel_accounts import DeliveryState
from console.domain.channels import MailKind
from console.security.guard import Door, authorize
from console.store.db import Database
from console.store.models import Contact, Customer, Message
from console.store.models_channels import InboundMailRecord, MessageAttachment
from tests.factories import World, small_world
from tests.mailservers import PASSWORD, Dovecot, SmtpServer

pytestmark = pytest.mark.mail

SUPPORT = "support@example.jp"


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    return small_world(db, clock)


@pytest.fixture
def account(world: World, dovecot: Dovecot, smtp_server: SmtpServer) -> int:
    return world.services.channels.add_email(
        "support", address=SUPPORT, imap_url=f"imap://support@127.0.0.1:{dovecot.port}/INBOX",
        smtp_url=f"smtp://127.0.0.1:{smtp_server.port}", queue="Loans", password=PASSWORD,
        from_name="ローンサポート").value.id


def gateway_for(services: Services, name: str = "gw-1", **options: object) -> Gateway:
    door: Door = authorize(services, gateway_principal(name))
    return Gateway(door, GatewayOptions(name=name, timeout_s=10, **options))  # type: ignore[arg-type]


def mail(*, sender: str = "山田 太郎 <taro@example.jp>", subject: str = "住宅ローンについて",
         body: str = "金利を教えてください。", message_id: str = "q1@example.jp",
         in_reply_to: str | None = None, headers: dict[str, str] | None = None) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes(policy=email.policy.SMTP)


def contacts_of(services: Services) -> list[Contact]:
    with services.db.read() as s:
        return list(s.execute(select(Contact).where(Contact.channel == Channel.EMAIL,
                                                    Contact.queue_id == _queue_id(s))
                              .order_by(Contact.id)).scalars())


def _queue_id(s: object) -> int:
    from console.store.models import Queue

    return s.execute(select(Queue.id).where(Queue.name == "Loans")).scalar_one()  # type: ignore[attr-defined]


def new_contacts(services: Services, before: set[int]) -> list[Contact]:
    return [c for c in contacts_of(services) if c.id not in before]


def delivered(dovecot: Dovecot, user: str = "customer") -> list[email.message.Message]:
    return [email.message_from_bytes(raw, policy=email.policy.default)
            for raw in dovecot.read_all(user)]


# --- mail in --------------------------------------------------------------------------


def test_customer_mail_becomes_a_contact_of_the_known_customer_once(
        world: World, account: int, dovecot: Dovecot) -> None:
    before = {c.id for c in contacts_of(world.services)}
    dovecot.append("support", mail())
    report = gateway_for(world.services).run_once()
    assert [o.outcome for o in report.taken_in["support"]] == ["new_contact"]
    [contact] = new_contacts(world.services, before)
    assert (contact.subject, contact.customer_id, contact.status) == (
        "住宅ローンについて", world.yamada, ContactStatus.NEW)
    thread = world.services.inbox.detail(contact.id).messages
    assert [(m.kind, m.body) for m in thread] == [(MessageKind.INBOUND, "金利を教えてください。")]

    again = gateway_for(world.services).run_once()
    assert again.taken_in["support"] == []
    assert [c.id for c in new_contacts(world.services, before)] == [contact.id]
    status = world.services.channels.show("support").status
    assert status.last_poll_at is not None and status.lease_holder is None


def test_the_same_message_twice_in_the_mailbox_is_taken_in_once(
        world: World, account: int, dovecot: Dovecot) -> None:
    before = {c.id for c in contacts_of(world.services)}
    dovecot.append("support", mail())
    dovecot.append("support", mail())  # a re-sent copy: same Message-ID, new UID
    report = gateway_for(world.services).run_once()
    assert [o.outcome for o in report.taken_in["support"]] == ["new_contact", "duplicate"]
    assert len(new_contacts(world.services, before)) == 1


def test_an_unknown_sender_becomes_a_new_customer_with_their_address(
        world: World, account: int, dovecot: Dovecot) -> None:
    dovecot.append("support", mail(sender="鈴木 花子 <hanako@example.net>", message_id="h1@x"))
    [outcome] = gateway_for(world.services).run_once().taken_in["support"]
    with world.services.db.read() as s:
        contact = s.get_one(Contact, outcome.contact_id)
        customer = s.get_one(Customer, contact.customer_id)
        assert (customer.family_name_kanji, customer.given_name_kanji, customer.language) == (
            "鈴木", "花子", "ja")
    found = world.services.customers.find("hanako@example.net")
    assert [c.id for c in found] == [customer.id]


def test_attachments_are_stored_with_name_type_and_size(
        world: World, account: int, dovecot: Dovecot) -> None:
    msg = email.message_from_bytes(mail(), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    msg.add_attachment(b"%PDF-1.4 statement", maintype="application", subtype="pdf",
                       filename="明細書.pdf")
    dovecot.append("support", msg.as_bytes(policy=email.policy.SMTP))
    [outcome] = gateway_for(world.services).run_once().taken_in["support"]
    with world.services.db.read() as s:
        [attachment] = s.execute(select(MessageAttachment).where(
            MessageAttachment.message_id == outcome.message_id)).scalars()
        assert (attachment.filename, attachment.content_type, attachment.size,
                attachment.content) == ("明細書.pdf", "application/pdf", 18, b"%PDF-1.4 statement")


def test_auto_replies_and_list_mail_open_no_contact(
        world: World, account: int, dovecot: Dovecot) -> None:
    before = {c.id for c in contacts_of(world.services)}
    dovecot.append("support", mail(message_id="ooo@x", subject="不在のお知らせ",
                                   headers={"Auto-Submitted": "auto-replied"}))
    dovecot.append("support", mail(message_id="list@x", headers={"Precedence": "bulk"}))
    report = gateway_for(world.services).run_once()
    assert [o.outcome for o in report.taken_in["support"]] == ["auto_reply", "list"]
    assert new_contacts(world.services, before) == []


def test_what_is_no_e_mail_at_all_is_recorded_and_intake_goes_on(
        world: World, account: int, dovecot: Dovecot) -> None:
    dovecot.append("support", b"\r\n\r\nno headers at all\r\n")
    dovecot.append("support", mail(message_id="after@x"))
    report = gateway_for(world.services).run_once()
    assert [o.outcome for o in report.taken_in["support"]] == ["rejected", "new_contact"]
    with world.services.db.read() as s:
        kinds = dict(s.execute(select(InboundMailRecord.kind, func.count())
                               .group_by(InboundMailRecord.kind)).all())
    assert kinds == {"rejected": 1, "customer": 1}


def test_hostile_mail_gets_a_clear_outcome_and_intake_goes_on(
        world: World, account: int, dovecot: Dovecot) -> None:
    parts = "".join(f"--b\r\nContent-Type: text/plain\r\n\r\npart {n}\r\n" for n in range(10_000))
    many = (f"From: customer@example.jp\r\nTo: {SUPPORT}\r\nSubject: many parts\r\n"
            "Message-ID: <many@x>\r\nMIME-Version: 1.0\r\n"
            f'Content-Type: multipart/mixed; boundary="b"\r\n\r\n{parts}--b--\r\n').encode()
    broken = (f"From: customer@example.jp\r\nTo: {SUPPORT}\r\nSubject: broken\r\n"
              "Message-ID: <broken@x>\r\nMIME-Version: 1.0\r\n"
              "Content-Type: multipart/mixed\r\n\r\n--nowhere\r\nhello\r\n").encode()
    for raw in (many, broken, mail(message_id="fine@x")):
        dovecot.append("support", raw)
    outcomes = gateway_for(world.services).run_once().taken_in["support"]
    assert [o.outcome for o in outcomes] == ["new_contact"] * 3
    notes = [[m.body for m in world.services.inbox.detail(o.contact_id or 0).messages
              if m.kind == MessageKind.NOTE] for o in outcomes]
    assert "too many parts" in notes[0][0] and "damaged" in notes[1][0] and notes[2] == []


def test_a_50_mb_message_is_taken_in_with_its_header_and_a_polite_note(
        world: World, account: int, dovecot: Dovecot) -> None:
    msg = email.message_from_bytes(mail(message_id="huge@x"), policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    msg.add_attachment(bytes(50 * 1024 * 1024), maintype="application", subtype="zip",
                       filename="scan.zip")
    dovecot.append("support", msg.as_bytes(policy=email.policy.SMTP))
    dovecot.append("support", mail(message_id="small@x"))
    outcomes = gateway_for(world.services).run_once().taken_in["support"]
    assert [o.outcome for o in outcomes] == ["new_contact", "new_contact"]
    [text] = [m.body for m in world.services.inbox.detail(outcomes[0].contact_id or 0).messages]
    assert "over the mailbox's limit of 25.0 MB" in text and "only its header" in text


def test_a_line_break_smuggled_into_the_subject_adds_no_header_to_the_reply(
        world: World, account: int, dovecot: Dovecot, smtp_server: SmtpServer) -> None:
    sneaky = "=?utf-8?b?" + base64.b64encode(b"Hello\r\nBcc: victim@example.org").decode() + "?="
    raw = (f"From: customer@example.jp\r\nTo: {SUPPORT}\r\nSubject: {sneaky}\r\n"
           "Message-ID: <sneaky@x>\r\n\r\nhi\r\n").encode()
    dovecot.append("support", raw)
    [first] = gateway_for(world.services).run_once().taken_in["support"]
    assert first.contact_id is not None
    _reply(world, first.contact_id)
    assert len(gateway_for(world.services).run_once().sent) == 1
    [envelope] = smtp_server.handler.received
    assert envelope.rcpt_tos == ["customer@example.jp"]
    [sent] = delivered(dovecot)
    assert sent["Bcc"] is None and "victim" in str(sent["Subject"])


# --- replies out, and the customer's answer -------------------------------------------


def _reply(world: World, contact_id: int, text: str = "お問い合わせありがとうございます。") -> None:
    world.services.inbox.reply(contact_id, "kenji", text)


def test_a_reply_reaches_the_customer_threaded_and_their_answer_joins_the_contact(
        world: World, account: int, dovecot: Dovecot, clock: ManualClock) -> None:
    dovecot.append("support", mail(sender="山田 太郎 <customer@example.jp>"))
    [first] = gateway_for(world.services).run_once().taken_in["support"]
    assert first.contact_id is not None
    _reply(world, first.contact_id)

    report = gateway_for(world.services).run_once()
    assert len(report.sent) == 1 and report.failed == []
    [sent] = delivered(dovecot)
    job = world.services.deliveries.get(report.sent[0])
    assert job.state == DeliveryState.SENT and job.smtp_response.startswith("250")
    assert sent["Message-ID"] == job.rfc822_message_id
    assert sent["In-Reply-To"] == "<q1@example.jp>"
    assert str(sent["Subject"]) == f"Re: 住宅ローンについて [#{first.contact_id}]"
    assert "ローンサポート" in str(sent["From"]) and SUPPORT in str(sent["From"])
    assert "お問い合わせありがとうございます。" in sent.get_content()  # type: ignore[attr-defined]

    clock.advance(120)  # the thread is in time order: the answer comes after the reply
    dovecot.append("support", mail(sender="山田 太郎 <customer@example.jp>",
                                   subject=f"Re: 住宅ローンについて [#{first.contact_id}]",
                                   body="ありがとうございました。", message_id="q2@example.jp",
                                   in_reply_to=job.rfc822_message_id))
    [answer] = gateway_for(world.services).run_once().taken_in["support"]
    assert (answer.outcome, answer.contact_id) == ("joined", first.contact_id)
    bodies = [m.body for m in world.services.inbox.detail(first.contact_id).messages]
    assert bodies[-1] == "ありがとうございました。"


def _resolved_contact(world: World, dovecot: Dovecot, clock: ManualClock) -> tuple[int, str]:
    dovecot.append("support", mail(sender="customer@example.jp"))
    [first] = gateway_for(world.services).run_once().taken_in["support"]
    assert first.contact_id is not None
    _reply(world, first.contact_id)
    report = gateway_for(world.services).run_once()
    world.services.inbox.resolve(first.contact_id, "kenji", "solved")
    return first.contact_id, world.services.deliveries.get(report.sent[0]).rfc822_message_id


def test_a_reply_within_the_reopen_window_reopens_the_resolved_contact(
        world: World, account: int, dovecot: Dovecot, clock: ManualClock) -> None:
    contact_id, ours = _resolved_contact(world, dovecot, clock)
    clock.advance(timedelta(days=6).total_seconds())
    dovecot.append("support", mail(sender="customer@example.jp", message_id="q2@x",
                                   in_reply_to=ours, body="もう一つ質問です。"))
    [answer] = gateway_for(world.services).run_once().taken_in["support"]
    assert (answer.outcome, answer.contact_id) == ("reopened", contact_id)
    assert world.services.inbox.get(contact_id).status == ContactStatus.OPEN


def test_after_the_window_a_new_contact_follows_the_old_one(
        world: World, account: int, dovecot: Dovecot, clock: ManualClock) -> None:
    contact_id, ours = _resolved_contact(world, dovecot, clock)
    clock.advance(timedelta(days=8).total_seconds())
    dovecot.append("support", mail(sender="customer@example.jp", message_id="q2@x",
                                   in_reply_to=ours))
    [answer] = gateway_for(world.services).run_once().taken_in["support"]
    assert answer.outcome == "follow_up" and answer.contact_id != contact_id
    with world.services.db.read() as s:
        later = s.get_one(Contact, answer.contact_id)
        assert later.follows_contact_id == contact_id
        assert later.customer_id == s.get_one(Contact, contact_id).customer_id
    assert world.services.inbox.get(contact_id).status == ContactStatus.RESOLVED


def test_the_accounts_reopen_window_is_the_one_used(
        world: World, account: int, dovecot: Dovecot, clock: ManualClock) -> None:
    world.services.channels.update_settings("support", reopen_days=30)
    contact_id, ours = _resolved_contact(world, dovecot, clock)
    clock.advance(timedelta(days=8).total_seconds())
    dovecot.append("support", mail(sender="customer@example.jp", message_id="q2@x",
                                   in_reply_to=ours))
    [answer] = gateway_for(world.services).run_once().taken_in["support"]
    assert (answer.outcome, answer.contact_id) == ("reopened", contact_id)


def test_the_subject_token_threads_only_mail_from_the_contacts_customer(
        world: World, account: int, dovecot: Dovecot) -> None:
    dovecot.append("support", mail(sender="customer@example.jp"))
    [first] = gateway_for(world.services).run_once().taken_in["support"]
    token = f"Re: 住宅ローンについて [#{first.contact_id}]"
    # No In-Reply-To (a mail program that drops it): the token and the sender decide.
    dovecot.append("support", mail(sender="customer@example.jp", subject=token, message_id="t1@x"))
    dovecot.append("support", mail(sender="mallory@example.org", subject=token, message_id="t2@x"))
    report = gateway_for(world.services).run_once()
    [same, stranger] = report.taken_in["support"]
    assert (same.outcome, same.contact_id) == ("joined", first.contact_id)
    assert stranger.outcome == "new_contact" and stranger.contact_id != first.contact_id


def test_a_bounce_marks_the_reply_it_reports_on_not_delivered(
        world: World, account: int, dovecot: Dovecot) -> None:
    dovecot.append("support", mail(sender="customer@example.jp"))
    [first] = gateway_for(world.services).run_once().taken_in["support"]
    assert first.contact_id is not None
    _reply(world, first.contact_id)
    [job_id] = gateway_for(world.services).run_once().sent
    ours = world.services.deliveries.get(job_id).rfc822_message_id
    before = {c.id for c in contacts_of(world.services)}
    dovecot.append("support", _dsn(ours, "customer@example.jp"))
    [bounce] = gateway_for(world.services).run_once().taken_in["support"]
    assert (bounce.outcome, bounce.contact_id) == ("bounce", first.contact_id)
    job = world.services.deliveries.get(job_id)
    assert job.state == DeliveryState.FAILED and "5.1.1" in (job.last_error or "")
    assert new_contacts(world.services, before) == []


def _dsn(original_id: str, recipient: str) -> bytes:
    boundary = "dsn-boundary"
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.jp>\r\n"
        f"To: {SUPPORT}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <bounce-1@mx.example.jp>\r\nAuto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        f"\r\n--{boundary}\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.jp\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\r\n"
        f"\r\n--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {SUPPORT}\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\nSubject: Re: x\r\n"
        f"\r\n--{boundary}--\r\n").encode()


def test_a_refused_recipient_is_not_delivered_with_the_servers_reason(
        world: World, account: int, dovecot: Dovecot, smtp_server: SmtpServer) -> None:
    dovecot.append("support", mail(sender="customer@example.jp"))
    [first] = gateway_for(world.services).run_once().taken_in["support"]
    assert first.contact_id is not None
    smtp_server.handler.refusals["customer@example.jp"] = "550 5.1.1 No such user here"
    _reply(world, first.contact_id)
    report = gateway_for(world.services).run_once()
    job = world.services.deliveries.get(report.failed[0])
    assert job.state == DeliveryState.FAILED and "No such user here" in (job.last_error or "")
    assert delivered(dovecot) == []


def test_a_temporary_refusal_is_retried_later_and_then_sent(
        world: World, account: int, dovecot: Dovecot, smtp_server: SmtpServer,
        clock: ManualClock) -> None:
    dovecot.append("support", mail(sender="customer@example.jp"))
    [first] = gateway_for(world.services).run_once().taken_in["support"]
    assert first.contact_id is not None
    smtp_server.handler.refusals["customer@example.jp"] = "451 4.3.0 Try again later"
    _reply(world, first.contact_id)
    report = gateway_for(world.services).run_once()
    [job_id] = report.retrying
    job = world.services.deliveries.get(job_id)
    assert job.state == DeliveryState.QUEUED and "Try again later" in (job.last_error or "")
    assert gateway_for(world.services).run_once().sent == []  # not due yet
    smtp_server.handler.refusals.clear()
    clock.advance(61)
    assert gateway_for(world.services).run_once().sent == [job_id]
    assert len(delivered(dovecot)) == 1


# --- several gateways --------------------------------------------------------------------


def test_two_gateways_take_each_message_in_once_and_send_each_reply_once(
        world: World, account: int, dovecot: Dovecot, db: Database) -> None:
    for n in range(30):
        dovecot.append("support", mail(sender="customer@example.jp", subject=f"質問 {n}",
                                       message_id=f"m{n}@example.jp"))
    first = gateway_for(world.services, "gw-a").run_once()
    ids = [o.contact_id for o in first.taken_in["support"]]
    assert len(ids) == 30
    for contact_id in ids:
        assert contact_id is not None
        _reply(world, contact_id)
    for n in range(30, 50):
        dovecot.append("support", mail(sender="customer@example.jp", subject=f"質問 {n}",
                                       message_id=f"m{n}@example.jp"))
    reports = []

    def run(name: str) -> None:
        reports.append(gateway_for(world.services, name, delivery_batch=3).run_once())

    threads = [threading.Thread(target=run, args=(name,)) for name in ("gw-b", "gw-c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent = [job for report in reports for job in report.sent]
    assert sorted(sent) == sorted(set(sent)) and len(sent) == 30
    copies = Counter(m["Message-ID"] for m in delivered(dovecot))
    assert len(copies) == 30 and set(copies.values()) == {1}
    taken = [o for report in reports for o in report.taken_in.get("support", [])]
    assert len(taken) == 20  # the mailbox was read by exactly one of them
    with db.read() as s:
        assert s.execute(select(func.count()).select_from(InboundMailRecord)).scalar() == 50
        assert s.execute(select(func.count()).select_from(Message).where(
            Message.kind == MessageKind.INBOUND, Message.body == "金利を教えてください。")
        ).scalar() == 50


# --- serving: IDLE and stopping ------------------------------------------------------------


@pytest.fixture
def serving(world: World, account: int) -> Iterator[tuple[Gateway, threading.Event]]:
    gateway = gateway_for(world.services, "gw-serve", accounts_refresh_s=0.2, delivery_poll_s=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=gateway.serve, args=(stop,))
    thread.start()
    yield gateway, stop
    stop.set()
    thread.join(timeout=30)
    assert not thread.is_alive(), "the gateway did not stop"


def _until(condition: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the gateway did not get there in time")
        threading.Event().wait(0.05)  # polling what another thread writes, not waiting for time


def test_serving_takes_mail_in_as_it_arrives_and_sends_replies(
        world: World, dovecot: Dovecot, serving: tuple[Gateway, threading.Event]) -> None:
    before = {c.id for c in contacts_of(world.services)}
    dovecot.append("support", mail(sender="customer@example.jp"))
    _until(lambda: len(new_contacts(world.services, before)) == 1)
    [contact] = new_contacts(world.services, before)
    _reply(world, contact.id)
    _until(lambda: len(delivered(dovecot)) == 1)
    _until(lambda: world.services.channels.show("support").status.lease_holder == "gw-serve")


def test_stopping_releases_the_mailbox_at_once(
        world: World, dovecot: Dovecot, serving: tuple[Gateway, threading.Event]) -> None:
    _, stop = serving
    _until(lambda: world.services.channels.show("support").status.lease_holder == "gw-serve")
    stop.set()
    _until(lambda: world.services.channels.show("support").status.lease_holder is None)


# --- the corpus of real-world mail, through the real server --------------------------------


def test_every_corpus_message_is_taken_in_with_its_subject_sender_and_text(
        world: World, account: int, dovecot: Dovecot) -> None:
    from tests.unit.test_mail_parse import CASES, CORPUS

    for name, *_ in CASES:
        dovecot.append("support", (CORPUS / name).read_bytes())
    outcomes = gateway_for(world.services).run_once().taken_in["support"]
    assert len(outcomes) == len(CASES)
    for (name, subject, address, _, texts, kind), outcome in zip(CASES, outcomes, strict=True):
        if kind != MailKind.CUSTOMER:
            assert outcome.outcome == kind.value and outcome.message_id is None, name
            continue
        assert outcome.outcome == "new_contact", name
        contact = world.services.inbox.detail(outcome.contact_id or 0)
        assert contact.contact.subject == subject.removeprefix("RE: "), name
        assert contact.customer is not None and address.casefold() in (
            e.casefold() for e in contact.customer.emails), name
        inbound = next(m.body for m in contact.messages if m.kind == MessageKind.INBOUND)
        for text in texts:
            assert text in inbound, (name, text)


def test_a_bug_while_sending_is_logged_and_retried_not_called_an_outage(
        world: World, account: int, dovecot: Dovecot, caplog: pytest.LogCaptureFixture) -> None:
    dovecot.append("support", mail(sender="customer@example.jp"))
    [first] = gateway_for(world.services).run_once().taken_in["support"]
    assert first.contact_id is not None
    _reply(world, first.contact_id)

    def broken_relay(*_: object) -> object:
        raise RuntimeError("a bug in the relay")

    door = authorize(world.services, gateway_principal("gw-bug"))
    report = Gateway(door, GatewayOptions(name="gw-bug"),
                     relay_factory=broken_relay).run_once()  # type: ignore[arg-type]
    [job_id] = report.retrying
    job = world.services.deliveries.get(job_id)
    assert job.state == DeliveryState.QUEUED and "Internal error in the gateway" in (
        job.last_error or "")
    assert "a bug in the relay" in caplog.text  # the traceback is in the log


def test_a_backlog_longer_than_the_lease_is_drained_by_renewing_it(
        world: World, account: int, dovecot: Dovecot, clock: ManualClock) -> None:
    from console.channels.mail.imap import ImapMailbox

    for n in range(6):
        dovecot.append("support", mail(message_id=f"b{n}@x"))
    ttl = timedelta(seconds=90)

    class SlowMailbox(ImapMailbox):
        def fetch_new(self, uidvalidity: int | None, last_uid: int):  # type: ignore[no-untyped-def]
            clock.advance(ttl.total_seconds() * 0.8)  # each batch takes most of a lease
            return super().fetch_new(uidvalidity, last_uid)

    def slow(info: object, password: str) -> SlowMailbox:
        return SlowMailbox(f"imap://support@127.0.0.1:{dovecot.port}/INBOX", password,
                           batch_size=2, timeout_s=10)

    door = authorize(world.services, gateway_principal("gw-slow"))
    report = Gateway(door, GatewayOptions(name="gw-slow", lease_ttl=ttl),
                     mailbox_factory=slow).run_once()  # type: ignore[arg-type]
    assert [o.outcome for o in report.taken_in["support"]] == ["new_contact"] * 6
    assert report.skipped == {}
