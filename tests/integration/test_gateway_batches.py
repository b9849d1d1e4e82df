"""A backlog is stored several messages to a transaction (``intake_batch``), still each exactly once.

Within one batch a later message must see what an earlier one stored (a
reply joins the contact its original opened, a re-sent copy is a duplicate),
and a batch whose lease has gone stores none of its messages.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from console.channels.mail.parse import parse_message
from console.clock import ManualClock
from console.services.mail import FetchedInbound, LeaseLost
from console.store.db import Database
from console.store.models import Contact
from console.store.models_channels import InboundMailRecord
from tests.factories import World, small_world
from tests.integration.test_gateway import SUPPORT, gateway_for, mail
from tests.mailservers import PASSWORD, Dovecot, SmtpServer


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    return small_world(db, clock)


@pytest.fixture
def account(world: World, dovecot: Dovecot, smtp_server: SmtpServer) -> int:
    return world.services.channels.add_email(
        "support", address=SUPPORT, imap_url=f"imap://support@127.0.0.1:{dovecot.port}/INBOX",
        smtp_url=f"smtp://127.0.0.1:{smtp_server.port}", queue="Loans", password=PASSWORD).value.id


def _count(world: World, table: type) -> int:
    with world.services.db.read() as s:
        return int(s.execute(select(func.count()).select_from(table)).scalar_one())


def _last_uid(dovecot: Dovecot) -> int:
    client = dovecot.client("support")
    try:
        client.select_folder("INBOX", readonly=True)
        return max(client.search("ALL"))
    finally:
        client.logout()


@pytest.mark.mail
def test_a_backlog_goes_in_batch_by_batch_each_message_once(
        world: World, account: int, dovecot: Dovecot) -> None:
    for n in range(10):  # stored in batches of 4: messages 0-3, 4-7, 8-9
        answers = "<m1@example.jp>" if n == 3 else None  # answers a message of its own batch
        message_id = "m5@example.jp" if n == 6 else f"m{n}@example.jp"  # so is this re-sent copy
        dovecot.append("support", mail(sender="customer@example.jp", subject=f"質問 {n}",
                                       message_id=message_id, in_reply_to=answers))
    contacts_before = _count(world, Contact)
    report = gateway_for(world.services, intake_batch=4).run_once()
    outcomes = report.taken_in["support"]
    assert [o.outcome for o in outcomes] == ["new_contact"] * 3 + ["joined"] + [
        "new_contact"] * 2 + ["duplicate"] + ["new_contact"] * 3
    assert outcomes[3].contact_id == outcomes[1].contact_id
    assert outcomes[6].contact_id == outcomes[5].contact_id
    assert _count(world, InboundMailRecord) == 9
    assert _count(world, Contact) == contacts_before + 8
    assert world.services.mailboxes.state(account).last_uid == _last_uid(dovecot)
    assert gateway_for(world.services, intake_batch=4).run_once().taken_in["support"] == []


def test_a_batch_whose_lease_has_gone_stores_none_of_its_messages(world: World) -> None:
    services = world.services
    account = services.channels.add_email(
        "support", address=SUPPORT, imap_url="imap://support@127.0.0.1:1/INBOX",
        smtp_url="smtp://127.0.0.1:1", queue="Loans", password_env="UNUSED").value.id
    assert services.mailboxes.acquire_lease(account, "gw-a", ttl=timedelta(minutes=1))
    batch = [FetchedInbound(uid, parse_message(mail(message_id=f"b{uid}@example.jp")),
                            f"{uid:064x}", 100) for uid in (1, 2, 3)]
    with pytest.raises(LeaseLost):
        services.mail.take_in_many(account, "gw-b", uidvalidity=7, fetched=batch)
    assert _count(world, InboundMailRecord) == 0
    assert services.mailboxes.state(account).last_uid == 0
    outcomes = services.mail.take_in_many(account, "gw-a", uidvalidity=7, fetched=batch)
    assert [o.outcome for o in outcomes] == ["new_contact"] * 3
    assert services.mailboxes.state(account).last_uid == 3
