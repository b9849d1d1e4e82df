"""The web chat's services: a visitor's messages become a chat contact; their conversation
is read after a change-log cursor; agents say they are typing. SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from console.channels.webchat.limits import Buckets, Rate, new_token, plausible_token, visitor_id
from console.clock import ManualClock
from console.domain import Channel, ContactStatus
from console.domain.channel_accounts import ChannelKind
from console.errors import NotFound, ValidationError
from console.services.webchat import MAX_TEXT
from console.store.db import Database
from console.store.models import ChangeLogEntry, Contact, Customer
from console.store.models_channels import CustomerIdentity
from tests.factories import World, small_world

VISITOR = "wc_" + "a" * 48
OTHER = "wc_" + "b" * 48


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    w = small_world(db, clock)
    w.services.channels.add_messaging(ChannelKind.WEBCHAT, "web", queue="Cards")
    return w


def account_id(world: World, name: str = "web") -> int:
    return world.services.channels.show(name).id


def test_a_first_message_opens_a_chat_contact_for_a_new_customer(world: World) -> None:
    sv = world.services
    line = sv.webchat.start(account_id(world), VISITOR, "  山田\u3000花子 ", "カードを失くしました")
    assert (line.from_agent, line.text) == (False, "カードを失くしました")
    with sv.db.read() as s:
        contact = s.get_one(Contact, line.contact_id)
        customer = s.get_one(Customer, contact.customer_id)
        identity = s.execute(select(CustomerIdentity).where(
            CustomerIdentity.value == VISITOR)).scalar_one()
    assert (contact.channel, contact.status, contact.external_ref) == (
        Channel.CHAT, ContactStatus.NEW, VISITOR)
    assert (customer.family_name_kanji, identity.kind, identity.display_name) == (
        "山田", "webchat", "山田 花子")
    assert sv.inbox.get(line.contact_id).queue_name == "Cards"
    with pytest.raises(ValidationError, match="taken"):
        sv.webchat.start(account_id(world), VISITOR, "Someone", "hello")


def test_a_known_visitor_writes_on_and_an_unknown_one_is_refused(world: World) -> None:
    sv = world.services
    first = sv.webchat.start(account_id(world), VISITOR, "Hanako", "hello")
    again = sv.webchat.send(account_id(world), VISITOR, "are you there?")
    assert again.contact_id == first.contact_id
    with pytest.raises(NotFound):
        sv.webchat.send(account_id(world), OTHER, "let me in")
    with pytest.raises(NotFound):
        sv.webchat.conversation(OTHER)


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("", "hello", "name"), ("x" * 81, "hello", "name"), ("Hanako", " \n ", "empty"),
    ("Hanako", "x" * (MAX_TEXT + 1), "limit")])
def test_bad_names_and_messages_are_refused(world: World, name: str, text: str,
                                            problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        world.services.webchat.start(account_id(world), VISITOR, name, text)


def test_only_web_chat_accounts_take_visitors(world: World) -> None:
    sv = world.services
    sv.channels.add_messaging(ChannelKind.CTI, "pbx", queue="Cards", secret_values={"token": "t"})
    with pytest.raises(ValidationError, match="not a web chat"):
        sv.webchat.start(account_id(world, "pbx"), VISITOR, "Hanako", "hello")


def test_the_conversation_has_replies_but_never_notes(world: World, clock: ManualClock) -> None:
    sv = world.services
    contact = sv.webchat.start(account_id(world), VISITOR, "Hanako", "hello").contact_id
    clock.advance(5)
    sv.inbox.add_note(contact, "kenji", "customer sounds worried")
    clock.advance(5)
    sv.inbox.reply(contact, "kenji", "How can I help?")
    view = sv.webchat.conversation(VISITOR)
    assert view.reset and view.contact_ids == (contact,)
    assert [(x.from_agent, x.text) for x in view.lines] == [(False, "hello"),
                                                           (True, "How can I help?")]


def test_after_a_cursor_come_only_new_messages_in_commit_order(world: World,
                                                              clock: ManualClock) -> None:
    sv = world.services
    contact = sv.webchat.start(account_id(world), VISITOR, "Hanako", "hello").contact_id
    cursor = sv.webchat.conversation(VISITOR).cursor
    assert sv.webchat.conversation(VISITOR, after=cursor).lines == ()
    clock.advance(-120)  # a workstation whose clock is two minutes behind the gateway's
    sv.inbox.reply(contact, "kenji", "written on a slow clock")
    clock.advance(240)
    sv.webchat.send(account_id(world), VISITOR, "thanks")
    view = sv.webchat.conversation(VISITOR, after=cursor)
    assert not view.reset and view.cursor > cursor
    assert [x.text for x in view.lines] == ["written on a slow clock", "thanks"]
    assert all(x.seq is not None and x.seq > cursor for x in view.lines)
    assert sv.webchat.conversation(VISITOR, after=view.cursor).lines == ()


def test_a_cursor_from_nowhere_reads_the_whole_conversation(world: World) -> None:
    sv = world.services
    sv.webchat.start(account_id(world), VISITOR, "Hanako", "hello")
    view = sv.webchat.conversation(VISITOR, after=10**12)
    assert view.reset and [x.text for x in view.lines] == ["hello"]


def test_writing_after_resolution_opens_a_new_contact_in_the_same_conversation(
        world: World, clock: ManualClock) -> None:
    sv = world.services
    first = sv.webchat.start(account_id(world), VISITOR, "Hanako", "hello").contact_id
    clock.advance(5)
    sv.inbox.reply(first, "kenji", "Done!")
    sv.inbox.resolve(first, "kenji", "solved")
    clock.advance(5)
    second = sv.webchat.send(account_id(world), VISITOR, "one more thing").contact_id
    assert second != first
    view = sv.webchat.conversation(VISITOR)
    assert view.contact_ids == (first, second)
    assert [x.text for x in view.lines] == ["hello", "Done!", "one more thing"]


def test_typing_is_a_change_log_entry_on_active_chats_only(world: World) -> None:
    sv = world.services
    contact = sv.webchat.start(account_id(world), VISITOR, "Hanako", "hello").contact_id
    sv.inbox.typing(contact, "kenji")
    with sv.db.read() as s:
        last = s.execute(select(ChangeLogEntry).order_by(ChangeLogEntry.seq.desc())
                         .limit(1)).scalar_one()
    assert (last.entity, last.entity_id, last.op) == ("typing", str(contact), "update")
    with pytest.raises(ValidationError, match="not a chat"):
        sv.inbox.typing(world.contacts[1].id, "kenji")  # an e-mail
    with pytest.raises(NotFound):
        sv.inbox.typing(contact, "nobody")
    sv.inbox.resolve(contact, "kenji", "solved")
    with pytest.raises(ValidationError, match="resolved"):
        sv.inbox.typing(contact, "kenji")


def test_tokens_stand_for_a_visitor_of_one_account_only() -> None:
    token = new_token()
    assert plausible_token(token) and not plausible_token("short") and not plausible_token(
        token[:-1] + "!")
    assert visitor_id(1, token) == visitor_id(1, token) != visitor_id(2, token)
    assert token not in visitor_id(1, token) and len(visitor_id(1, token)) <= 120


def test_a_bucket_allows_a_burst_then_one_per_interval() -> None:
    now = [0.0]
    bucket = Buckets(Rate(burst=3, every_s=2.0), lambda: now[0], keep=2)
    assert [bucket.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take("a") == pytest.approx(2.0)
    now[0] = 1.0
    assert bucket.take("a") == pytest.approx(1.0)
    now[0] = 2.0
    assert bucket.take("a") == 0.0 and bucket.take("a") > 0
    assert bucket.take("b") == 0.0  # another visitor has a bucket of their own
