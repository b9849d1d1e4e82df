"""An e-mail reply's way to the customer in the thread, attachments under their message, and
the agent told when a reply was not delivered. The gateway is played by a DeliveryQueue on a
database handle of its own, as another process would hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.domain import MessageDelivery, MessageKind
from console.domain.audit import AuditFilter
from console.domain.channel_accounts import DeliveryState
from console.services.deliveries import DeliveryQueue
from console.store.db import Database
from tests.factories import (
    World,
    add_attachment,
    add_loans_mailbox,
    add_messaging_account,
    message_from,
)
from tests.gui.conftest import WindowFactory
from ui.agent.main_window import MainWindow
from ui.agent.panes.thread_parts import SAVE_ATTACHMENT, delivery_label, type_label
from ui.shell import palette

pytestmark = pytest.mark.gui
TOKYO = ZoneInfo("Asia/Tokyo")
PDF = bytes(range(256)) * 4915  # 1.2 MB, every byte value


@pytest.fixture
def gateway(db: Database, clock: ManualClock) -> Iterator[DeliveryQueue]:
    """The delivery queue as the gateway holds it: its own connections to the database."""
    other = Database(db.url)
    yield DeliveryQueue(other, clock)
    other.dispose()


@pytest.fixture
def mailbox(world: World) -> World:
    """Loans takes e-mail: a reply on the world's e-mail contact (Yamada's) gets a job."""
    add_loans_mailbox(world.services)
    return world


def _open(qtbot: QtBot, window: MainWindow, contact_id: int) -> None:
    window.open_contact(contact_id)
    qtbot.waitUntil(lambda: window.conversation.detail is not None
                    and window.conversation.detail.contact.id == contact_id)


def _reply(qtbot: QtBot, window: MainWindow, contact_id: int, text: str) -> str:
    """Sends ``text`` as Emma's reply; the new message's id."""
    _open(qtbot, window, contact_id)
    window.conversation.composer.set_text(text)
    window.commands.send_reply.trigger()
    qtbot.waitUntil(lambda: window.conversation.composer.text() == "")
    detail = window.conversation.detail
    assert detail is not None
    return next(m.id for m in detail.messages if m.body == text)


def _label(window: MainWindow, message_id: str) -> str | None:
    return window.conversation.thread_view.delivery_text(message_id)


def _local(clock: ManualClock, minutes: float = 0) -> str:
    from datetime import timedelta

    return (clock.now() + timedelta(minutes=minutes)).astimezone(TOKYO).strftime("%H:%M")


def test_a_reply_shows_queued_then_sending_then_sent(qtbot: QtBot, window: MainWindow,
                                                     mailbox: World, gateway: DeliveryQueue,
                                                     clock: ManualClock) -> None:
    reply = _reply(qtbot, window, mailbox.contacts[1].id, "金利は年1.2%です。")
    assert _label(window, reply) == "Queued"
    [job] = gateway.claim_due("gw-1")
    qtbot.waitUntil(lambda: _label(window, reply) == "Sending…", timeout=5000)
    clock.advance(90)
    gateway.mark_sent(job.id, smtp_response="250 2.0.0 Ok: queued as 4F2A")
    sent = f"Sent {_local(clock)}"
    qtbot.waitUntil(lambda: _label(window, reply) == sent, timeout=5000)
    assert sent in window.conversation.thread_view.toPlainText()


def test_a_line_reply_says_whether_it_went_as_a_reply_or_a_paid_push(
        qtbot: QtBot, make_window: WindowFactory, world: World, gateway: DeliveryQueue,
        clock: ManualClock) -> None:
    contact = message_from(world.services, add_messaging_account(world.services))
    window = make_window()
    qtbot.waitUntil(lambda: window.inbox.model.row_of(contact) is not None)
    shown = []
    for method in ("reply", "push"):
        reply = _reply(qtbot, window, contact, f"Answer sent by {method}")
        assert _label(window, reply) == "Queued"
        [job] = gateway.claim_due("gw-1")
        gateway.mark_sent(job.id, smtp_response=f"LINE {method} accepted", method=method)
        shown.append((reply, f"{_local(clock)}"))
        clock.advance(60)
    (by_reply, at_reply), (by_push, at_push) = shown
    qtbot.waitUntil(lambda: _label(window, by_push) == (
        f"Sent (LINE push — counts against the monthly message quota) {at_push}"), timeout=5000)
    assert _label(window, by_reply) == f"Sent (LINE reply) {at_reply}"
    text = window.conversation.thread_view.toPlainText()
    assert "Sent (LINE reply)" in text and "counts against the monthly message quota" in text


def test_a_temporary_failure_shows_when_it_is_tried_again(qtbot: QtBot, window: MainWindow,
                                                          mailbox: World, gateway: DeliveryQueue,
                                                          clock: ManualClock) -> None:
    reply = _reply(qtbot, window, mailbox.contacts[1].id, "Your rate is 1.2%.")
    [job] = gateway.claim_due("gw-1")
    gateway.mark_temporary_failure(job.id, holder="gw-1", reason="451 4.3.0 try again later")
    expected = f"Queued — retry at {_local(clock, 1)} (451 4.3.0 try again later)"
    qtbot.waitUntil(lambda: _label(window, reply) == expected, timeout=5000)
    assert not window.banner.isVisible() or "not delivered" not in window.banner.text


def test_a_failed_reply_says_why_in_red_and_tells_its_author(
        qtbot: QtBot, make_window: WindowFactory, mailbox: World, gateway: DeliveryQueue) -> None:
    emma, kenji = make_window("emma"), make_window("kenji")
    contact = mailbox.contacts[1].id
    reply = _reply(qtbot, emma, contact, "Your rate is 1.2%.")
    _open(qtbot, kenji, contact)
    [job] = gateway.claim_due("gw-1")
    gateway.mark_permanent_failure(job.id, holder="gw-1",
                                   reason="550 5.1.1 <taro@example.jp>: mailbox unknown")
    shown = "Not delivered: 550 5.1.1 <taro@example.jp>: mailbox unknown"
    qtbot.waitUntil(lambda: _label(emma, reply) == shown, timeout=5000)
    html = emma.conversation.thread_view.toHtml()
    assert re.search(f"color:{palette.URGENT_FG}[^>]*>[^<]*(<[^>]*>)*Not delivered", html,
                     re.IGNORECASE)
    qtbot.waitUntil(lambda: emma.banner.text == (
        f"Your reply to 山田 太郎 on #{contact} was not delivered: "
        "550 5.1.1 <taro@example.jp>: mailbox unknown"), timeout=5000)
    assert emma.banner.isVisible() and emma.banner.property("tone") == "error"
    # A colleague with the thread open sees the state; the notice is the author's alone.
    qtbot.waitUntil(lambda: _label(kenji, reply) == shown, timeout=5000)
    assert "was not delivered" not in kenji.banner.text


def test_the_author_is_told_while_working_on_another_contact(
        qtbot: QtBot, window: MainWindow, mailbox: World, gateway: DeliveryQueue) -> None:
    contact = mailbox.contacts[1].id
    _reply(qtbot, window, contact, "Your rate is 1.2%.")
    _open(qtbot, window, mailbox.contacts[0].id)  # moved on to the next customer
    [job] = gateway.claim_due("gw-1")
    gateway.mark_permanent_failure(job.id, holder="gw-1", reason="554 5.7.1 rejected as spam")
    qtbot.waitUntil(lambda: window.banner.text == (
        f"Your reply to 山田 太郎 on #{contact} was not delivered: 554 5.7.1 rejected as spam"),
        timeout=5000)
    assert window.deliveries.watching == frozenset()  # told once; nothing left to follow


@pytest.mark.parametrize(("contact_index", "with_mailbox", "banner"), [
    (1, True, "Reply queued."),  # e-mail, and Loans has an account: a job waits for the gateway
    (1, False, "Reply recorded."),  # e-mail, but no account to send it through
    (0, True, "Reply recorded."),  # a phone contact: nobody sends it
])
def test_the_banner_says_queued_only_when_a_delivery_waits(
        qtbot: QtBot, make_window: WindowFactory, world: World, contact_index: int,
        with_mailbox: bool, banner: str) -> None:
    if with_mailbox:
        add_loans_mailbox(world.services)
    window = make_window()
    reply = _reply(qtbot, window, world.contacts[contact_index].id, "Thank you for waiting.")
    qtbot.waitUntil(lambda: window.banner.text == banner)
    assert (_label(window, reply) == "Queued") is (banner == "Reply queued.")


def _inbound(world: World, contact_id: int) -> str:
    return next(m.id for m in world.services.inbox.detail(contact_id).messages
                if m.kind == MessageKind.INBOUND)


def _attach_two(world: World, db: Database) -> tuple[int, int]:
    inbound = _inbound(world, world.contacts[1].id)
    kept = add_attachment(db, inbound, "report.pdf", "application/pdf", content=PDF)
    dropped = add_attachment(db, inbound, "scan.tiff", "image/tiff", content=None,
                             size=48_000_000, note="larger than the 25 MB this mailbox keeps")
    return kept, dropped


def _save_links(window: MainWindow) -> list[str]:
    return re.findall(f"href=\"({re.escape(SAVE_ATTACHMENT)}[0-9]+)\"",
                      window.conversation.thread_view.toHtml())


def test_attachments_are_listed_under_their_message(qtbot: QtBot, window: MainWindow,
                                                   world: World, db: Database) -> None:
    kept, _dropped = _attach_two(world, db)
    _open(qtbot, window, world.contacts[1].id)
    text = window.conversation.thread_view.toPlainText()
    assert "report.pdf · PDF · 1.2 MB · Save…" in text
    assert ("scan.tiff · TIFF image · 46 MB — not kept: larger than the 25 MB this mailbox "
            "keeps") in text
    assert text.index("金利について教えてください") < text.index("report.pdf")
    assert _save_links(window) == [f"{SAVE_ATTACHMENT}{kept}"]  # nothing to save of the other


def test_saving_a_kept_attachment_writes_the_same_bytes(qtbot: QtBot, window: MainWindow,
                                                        world: World, db: Database,
                                                        tmp_path: Path) -> None:
    kept, _dropped = _attach_two(world, db)
    asked: list[str] = []

    def choose(suggested: str, then: object) -> None:
        asked.append(suggested)
        then(tmp_path / "saved" / suggested)  # type: ignore[operator]

    (tmp_path / "saved").mkdir()
    window.conversation.saver.ask_path = choose
    _open(qtbot, window, world.contacts[1].id)
    [link] = _save_links(window)
    window.conversation.thread_view.anchorClicked.emit(QUrl(link))
    target = tmp_path / "saved" / "report.pdf"
    qtbot.waitUntil(lambda: window.banner.text == f"Saved report.pdf to {target.parent}.")
    assert asked == ["report.pdf"] and target.read_bytes() == PDF
    assert [p.name for p in target.parent.iterdir()] == ["report.pdf"]  # no part file left
    entry = world.services.audit.list(AuditFilter(person="emma"))[-1]
    assert (entry.action, entry.entity, entry.entity_id, entry.detail["attachment_id"]) == (
        "view", "contact", str(world.contacts[1].id), kept)


def test_a_file_that_cannot_be_written_is_a_message_not_a_crash(
        qtbot: QtBot, window: MainWindow, world: World, db: Database, tmp_path: Path) -> None:
    _attach_two(world, db)
    missing = tmp_path / "no such folder"
    window.conversation.saver.ask_path = lambda name, then: then(missing / name)
    _open(qtbot, window, world.contacts[1].id)
    [link] = _save_links(window)
    window.conversation.thread_view.anchorClicked.emit(QUrl(link))
    qtbot.waitUntil(lambda: window.banner.text.startswith("Could not save report.pdf in "))
    assert window.banner.property("tone") == "error" and not missing.exists()


def test_a_delivery_moving_keeps_the_newest_in_view_or_the_agent_where_they_read(
        qtbot: QtBot, window: MainWindow, mailbox: World, gateway: DeliveryQueue) -> None:
    contact = mailbox.contacts[1].id
    for i in range(12):  # a thread longer than the pane
        mailbox.services.inbox.add_note(contact, "kenji", f"Note {i}\nsecond line\nthird line")
    reply = _reply(qtbot, window, contact, "Your rate is 1.2%.")
    bar = window.conversation.thread_view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    [job] = gateway.claim_due("gw-1")
    qtbot.waitUntil(lambda: _label(window, reply) == "Sending…", timeout=5000)
    assert bar.value() == bar.maximum()  # following the newest: still at the bottom
    bar.setValue(0)  # the agent scrolls up to read the customer's first message
    gateway.mark_sent(job.id)
    qtbot.waitUntil(lambda: (_label(window, reply) or "").startswith("Sent"), timeout=5000)
    assert bar.value() == 0


@pytest.mark.parametrize(("content_type", "said"), [
    ("application/pdf", "PDF"), ("image/png", "PNG image"), ("image/svg+xml", "SVG image"),
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"),
    ("text/plain; charset=utf-8", "Text"), ("application/x-rar", "RAR"),
    ("application/x-7z-compressed", "application/x-7z-compressed"),
    ("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text"),
    ("", "unknown type"),
])
def test_attachment_types_read_as_people_say_them(content_type: str, said: str) -> None:
    assert type_label(content_type) == said


@pytest.mark.parametrize(("method", "said"), [
    (None, "Sent 10:42"), ("reply", "Sent (LINE reply) 10:42"),
    ("push", "Sent (LINE push — counts against the monthly message quota) 10:42"),
    ("sms", "Sent (SMS) 10:42"), ("send_api", "Sent (Messenger) 10:42"),
])
def test_a_sent_reply_says_which_way_it_went(method: str | None, said: str) -> None:
    at = datetime(2026, 11, 20, 1, 42, tzinfo=UTC)
    sent = MessageDelivery(job_id=1, state=DeliveryState.SENT, reason=None, attempts=1,
                           next_attempt_at=None, updated_at=at, method=method)
    assert delivery_label(sent, TOKYO) == said
