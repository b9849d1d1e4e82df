"""``switchboard contact show``: a contact, its customer and its thread with deliveries and
attachments, as JSON and as text; audited as a view of the contact."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from console.clock import ManualClock
from console.domain import MessageKind
from console.domain.audit import AuditFilter
from console.services.deliveries import DeliveryQueue
from console.store.db import Database
from tests.factories import (
    World,
    add_attachment,
    add_loans_mailbox,
    add_messaging_account,
    message_from,
)
from tests.factories import run_cli as run

SignIn = Callable[[str], str]


@pytest.fixture
def thread(world: World, db: Database, clock: ManualClock) -> World:
    """Yamada's e-mail contact: his message with two attachments, a sent and a failed reply."""
    add_loans_mailbox(world.services)
    contact = world.contacts[1].id
    inbox = world.services.inbox
    inbound = next(m.id for m in inbox.detail(contact).messages if m.kind == MessageKind.INBOUND)
    add_attachment(db, inbound, "明細 4111111111111111.pdf", "application/pdf",
                   content=b"%PDF-1.7 secret bytes")
    add_attachment(db, inbound, "scan.tiff", "image/tiff", content=None, size=48_000_000,
                   note="larger than the 25 MB this mailbox keeps")
    queue = DeliveryQueue(db, clock)
    clock.advance(60)
    inbox.reply(contact, "kenji", "Your card 4111 1111 1111 1111 is frozen.")
    [first] = queue.claim_due("gw-1")
    queue.mark_sent(first.id, smtp_response="250 2.0.0 Ok: queued as 4F2A")
    clock.advance(60)
    inbox.reply(contact, "kenji", "And the rate is 1.2%.")
    [second] = queue.claim_due("gw-1")
    queue.mark_permanent_failure(second.id, holder="gw-1", reason="550 5.1.1 mailbox unknown")
    clock.advance(60)
    inbox.add_note(contact, "kenji", "Customer prefers e-mail.")
    return world


def test_json_has_the_contact_customer_and_every_message_in_order(
        thread: World, db_url: str, cli_signin: SignIn,
        capsys: pytest.CaptureFixture[str]) -> None:
    contact = thread.contacts[1]
    cli_signin("emma")
    code, out, err = run(capsys, db_url, "contact", "show", str(contact.id), "--json")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    c = shown["contact"]
    assert (c["id"], c["channel"], c["queue"], c["status"], c["subject"]) == (
        contact.id, "email", "Loans", "open", "住宅ローンの相談")
    assert c["assignee"] == {"login": "kenji", "name": "佐藤 健二"}
    assert c["follows_contact_id"] is None and c["created_at"].startswith("2026-11-20T01:31")
    assert shown["customer"] == {"id": thread.yamada, "name": "山田 太郎",
                                 "emails": ["taro@example.jp"]}
    inbound, sent, failed, note = shown["messages"]
    assert [m["direction"] for m in shown["messages"]] == ["inbound", "outbound", "outbound",
                                                           "note"]
    assert (inbound["author"], inbound["text"], inbound["delivery"]) == (
        None, "金利について教えてください", None)
    assert inbound["attachments"] == [
        {"name": "明細 ************1111.pdf", "type": "application/pdf", "size": 21,
         "kept": True, "note": None},
        {"name": "scan.tiff", "type": "image/tiff", "size": 48_000_000, "kept": False,
         "note": "larger than the 25 MB this mailbox keeps"}]
    assert sent["author"] == "佐藤 健二"
    assert sent["text"] == "Your card ************1111 is frozen."  # masked as on screen
    assert {k: sent["delivery"][k] for k in ("state", "reason", "attempts", "smtp_response")} == {
        "state": "sent", "reason": None, "attempts": 1,
        "smtp_response": "250 2.0.0 Ok: queued as 4F2A"}
    assert (failed["delivery"]["state"], failed["delivery"]["reason"]) == (
        "failed", "550 5.1.1 mailbox unknown")
    assert (note["delivery"], note["attachments"]) == (None, [])
    assert "secret bytes" not in out and "content" not in out  # never the bytes


def test_the_text_version_reads_for_a_person(thread: World, db_url: str, cli_signin: SignIn,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    code, out, _ = run(capsys, db_url, "contact", "show", str(thread.contacts[1].id))
    assert code == 0
    assert out.startswith(f"Contact:     {thread.contacts[1].id} · email · Loans · open\n")
    assert "\nSubject:     住宅ローンの相談\n" in out
    assert "Customer:    山田 太郎 (customer " in out and "taro@example.jp" in out
    assert "inbound  山田 太郎" in out and "    金利について教えてください" in out
    assert "attachment: 明細 ************1111.pdf · application/pdf · 21 bytes" in out
    assert "attachment: scan.tiff · image/tiff · 46 MB · not kept: larger than the 25 MB" in out
    assert "outbound  佐藤 健二  [sent 2026-11-20 " in out
    assert "outbound  佐藤 健二  [failed: 550 5.1.1 mailbox unknown]" in out
    assert out.index("[sent") < out.index("[failed") < out.index("Customer prefers e-mail.")


def test_showing_a_contact_is_audited_as_a_view(thread: World, db_url: str, cli_signin: SignIn,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    assert run(capsys, db_url, "contact", "show", str(thread.contacts[1].id), "--json")[0] == 0
    entry = thread.services.audit.list(AuditFilter(person="emma"))[-1]
    assert (entry.action, entry.entity, entry.entity_id, entry.detail["operation"]) == (
        "view", "contact", str(thread.contacts[1].id), "inbox.detail")


def test_unknown_and_malformed_contacts_are_one_line(world: World, db_url: str,
                                                    cli_signin: SignIn,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    assert run(capsys, db_url, "contact", "show", "999999", "--json") == (
        2, "", "switchboard: There is no contact 999999.\n")
    code, out, err = run(capsys, db_url, "contact", "show", "twelve")
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert "argument CONTACT_ID: must be a whole number" in err


def test_a_contact_by_phone_has_no_deliveries(world: World, db_url: str, cli_signin: SignIn,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    world.services.inbox.reply(world.contacts[0].id, "emma", "We have frozen your card.")
    cli_signin("emma")
    code, out, _ = run(capsys, db_url, "contact", "show", str(world.contacts[0].id), "--json")
    assert code == 0
    assert [m["delivery"] for m in json.loads(out)["messages"]] == [None, None]


def test_a_line_reply_says_whether_it_went_as_a_reply_or_a_push(
        world: World, db: Database, clock: ManualClock, db_url: str, cli_signin: SignIn,
        capsys: pytest.CaptureFixture[str]) -> None:
    contact = message_from(world.services, add_messaging_account(world.services))
    queue = DeliveryQueue(db, clock)
    for method in ("reply", "push"):
        world.services.inbox.reply(contact, "kenji", f"Sent by {method}")
        [job] = queue.claim_due("gw-1")
        queue.mark_sent(job.id, smtp_response=f"LINE {method} accepted", method=method)
        clock.advance(60)
    cli_signin("emma")
    code, out, _ = run(capsys, db_url, "contact", "show", str(contact), "--json")
    assert code == 0
    replies = [m for m in json.loads(out)["messages"] if m["direction"] == "outbound"]
    assert [(m["text"], m["delivery"]["method"]) for m in replies] == [
        ("Sent by reply", "reply"), ("Sent by push", "push")]
    code, out, _ = run(capsys, db_url, "contact", "show", str(contact))
    assert code == 0 and out.count(" by LINE reply]") == 1 and out.count(" by LINE push]") == 1
