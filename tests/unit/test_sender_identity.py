"""Who wrote on a messaging contact, and linking that sender to the right customer (issue 12)."""

from __future__ import annotations

from typing import Any

import pytest

from console.domain import Channel
from console.domain.audit import AuditFilter
from console.domain.messaging import SenderIdentity
from console.errors import NotFound, ValidationError
from console.security.guard import authorize
from console.security.principal import Principal
from tests.factories import LINE_USER, World, add_messaging_account, message_from


def _emma(world: World) -> Any:
    a = world.services.agents.get("emma")
    return authorize(world.services, Principal(a.id, a.login, a.name, a.role, "WS-01"))


def _channels(world: World, customer_id: int) -> set[Channel]:
    return {e.channel for e in world.services.customers.history(customer_id).entries}


def test_the_sender_of_a_line_contact_is_its_new_customers_identity(world: World) -> None:
    contact = message_from(world.services, add_messaging_account(world.services))
    found = world.services.messaging.identity(contact)
    customer = world.services.inbox.get(contact).customer_id
    assert found == SenderIdentity("line", LINE_USER, "山田 花子", customer or 0, own_record=True)
    assert found.who == "LINE user 山田 花子"


def test_an_sms_sender_is_told_by_the_end_of_their_number(world: World) -> None:
    account = add_messaging_account(world.services, "twilio", "sms", queue="Cards")
    contact = message_from(world.services, account, sender="+819011112222", display_name="")
    found = world.services.messaging.identity(contact)
    assert found is not None and (found.kind, found.value) == ("phone", "…2222")
    assert found.who == "SMS number …2222"


def test_a_nameless_sender_is_told_by_the_start_of_their_id(world: World) -> None:
    contact = message_from(world.services, add_messaging_account(world.services),
                           display_name="")
    found = world.services.messaging.identity(contact)
    assert found is not None and found.who == f"LINE user {LINE_USER[:12]}…"


def test_phone_email_and_plain_chat_contacts_have_no_sender_identity(world: World) -> None:
    assert [world.services.messaging.identity(c.id) for c in world.contacts] == [None] * 3
    with pytest.raises(NotFound):
        world.services.messaging.identity(999_999)


def test_linking_moves_the_sender_and_history_shows_every_channel(world: World) -> None:
    sv, emma = world.services, _emma(world)
    contact = message_from(sv, add_messaging_account(sv))
    new_customer = sv.inbox.get(contact).customer_id
    written = emma.messaging.link_identity(contact, world.yamada)
    assert written.value == new_customer
    assert written.changes.contact_ids == {contact}
    assert written.changes.ids("customer") == {str(new_customer), str(world.yamada)}
    assert sv.inbox.get(contact).customer_id == world.yamada
    assert _channels(world, world.yamada) == {Channel.EMAIL, Channel.LINE}
    identity = sv.messaging.identity(contact)
    assert identity is not None and identity.customer_id == world.yamada
    assert not identity.own_record  # Yamada has his e-mail contact, phone and address too
    # The next message from the same LINE user joins the linked customer's contact.
    assert message_from(sv, 1, text="もう一つ質問です") == contact
    [entry] = [e for e in sv.audit.list(AuditFilter(person="emma")) if e.action == "change"]
    assert (entry.entity, entry.entity_id, entry.detail["customer_id"]) == (
        "contact", str(contact), world.yamada)


def test_unlinking_splits_the_sender_off_to_a_record_of_its_own(world: World) -> None:
    sv, emma = world.services, _emma(world)
    contact = message_from(sv, add_messaging_account(sv))
    emma.messaging.link_identity(contact, world.yamada)
    written = emma.messaging.unlink_identity(contact)
    assert written.value not in (world.yamada, None)
    assert sv.inbox.get(contact).customer_id == written.value
    assert sv.customers.get(written.value).display_name == "山田 花子"
    assert _channels(world, world.yamada) == {Channel.EMAIL}
    assert _channels(world, written.value) == {Channel.LINE}
    entries = [e for e in sv.audit.list(AuditFilter(person="emma")) if e.action == "change"]
    assert [(e.entity, e.entity_id) for e in entries] == [("contact", str(contact))] * 2


def test_a_contact_not_from_a_messaging_channel_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="not from a messaging channel"):
        _emma(world).messaging.link_identity(world.contacts[0].id, world.yamada)


def test_linking_to_nobody_is_refused_and_changes_nothing(world: World) -> None:
    sv = world.services
    contact = message_from(sv, add_messaging_account(sv))
    before = sv.inbox.get(contact).customer_id
    with pytest.raises(NotFound, match="no customer 999999"):
        _emma(world).messaging.link_identity(contact, 999_999)
    assert sv.inbox.get(contact).customer_id == before


def test_reading_the_sender_leaves_no_audit_entry(world: World) -> None:
    contact = message_from(world.services, add_messaging_account(world.services))
    assert _emma(world).messaging.identity(contact) is not None
    assert world.services.audit.list(AuditFilter(person="emma")) == []


def test_a_sender_on_a_record_of_their_own_has_nothing_to_unlink(world: World) -> None:
    sv = world.services
    contact = message_from(sv, add_messaging_account(sv))
    customer = sv.inbox.get(contact).customer_id
    with pytest.raises(ValidationError, match="already has a customer record of their own"):
        _emma(world).messaging.unlink_identity(contact)
    assert sv.inbox.get(contact).customer_id == customer
    # A second contact of theirs on another queue is still only theirs ...
    other = message_from(sv, add_messaging_account(sv, name="line-cards", queue="Cards"))
    assert sv.inbox.get(other).customer_id == customer
    identity = sv.messaging.identity(contact)
    assert identity is not None and identity.own_record
    # ... but a phone contact of the same customer makes the record more than theirs.
    sv.intake.create_contact(Channel.PHONE, "Cards", "Call back", "", customer_id=customer)
    identity = sv.messaging.identity(contact)
    assert identity is not None and not identity.own_record
