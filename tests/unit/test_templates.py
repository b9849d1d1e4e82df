"""Greeting templates: rendering, time-of-day greetings and refusing unsafe templates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from console.clock import ManualClock
from console.domain import Channel
from console.errors import NotFound, ValidationError
from console.services import templates
from console.store.db import Database
from tests.factories import World, small_world


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    w = small_world(db, clock)
    for t in templates.load_defaults():
        w.services.templates.save(str(t["name"]), str(t["language"]), str(t["body"]),
                                  channel=Channel(t["channel"]) if t["channel"] else None,
                                  category=str(t["category"]))
    return w


@pytest.mark.parametrize(("utc_hour", "lang", "expected"), [
    (0, "en", "Good morning"),      # 09:00 Tokyo
    (4, "en", "Good afternoon"),    # 13:00
    (10, "en", "Good evening"),     # 19:00
    (18, "en", "Good evening"),     # 03:00 the next night
    (0, "ja", "おはようございます"),
    (3, "ja", "こんにちは"),         # 12:00
    (11, "ja", "こんばんは"),         # 20:00
])
def test_greeting_by_local_time(utc_hour: int, lang: str, expected: str) -> None:
    local = datetime(2026, 11, 20, utc_hour, tzinfo=UTC).astimezone(ZoneInfo("Asia/Tokyo"))
    assert templates.greeting(local, lang) == expected


def test_render_english_phone_greeting(world: World) -> None:
    out = world.services.templates.render("Phone greeting", world.contacts[0].id, "emma")
    assert out.error is None
    # The clock stands at 10:32 in Tokyo (conftest.T0 plus two minutes).
    assert out.text == ("Good morning, thank you for calling Switchboard Bank. My name is Emma. "
                        "Am I speaking with Alice Smith?")


def test_render_japanese_uses_kanji_and_family_name(world: World) -> None:
    out = world.services.templates.render("Email reply", world.contacts[1].id, "kenji")
    assert out.text is not None
    assert out.text.startswith("山田 太郎 様") and "担当の佐藤でございます" in out.text


def test_render_for_contact_fits_channel_and_language(world: World) -> None:
    rendered = world.services.templates.render_for_contact(world.contacts[1].id, "kenji")
    names = [(r.template.name, r.template.language) for r in rendered]
    assert ("Email reply", "ja") in names and ("Closing", "ja") in names
    assert all(lang == "ja" for _, lang in names)
    assert ("Phone greeting", "ja") not in names


@pytest.mark.parametrize(("body", "needle"), [
    ("Hello {customer.password}", "customer.password"),
    ("Hello {customer.__class__}", "customer.__class__"),
    ("Hello {0}", "{0}"),
    ("Hello {}", "{}"),
    ("Hello {customer.first_name!r}", "format or conversion"),
    ("Hello {customer.first_name:>10}", "format or conversion"),
    ("Hello {customer.first_name", "syntax"),
    ("Hello }", "syntax"),
])
def test_bad_templates_are_refused_with_the_reason(world: World, body: str, needle: str) -> None:
    with pytest.raises(ValidationError) as info:
        world.services.templates.save("Bad", "en", body)
    assert needle in info.value.message


def test_a_broken_stored_template_shows_its_problem(world: World, db: Database) -> None:
    from sqlalchemy import update

    from console.store.models import GreetingTemplate

    with db.write() as s:
        s.execute(update(GreetingTemplate).where(GreetingTemplate.name == "Chat welcome")
                  .values(body="Hi {customer.secret}"))
    out = world.services.templates.render("Chat welcome", world.contacts[2].id, "emma")
    assert out.text is None and out.error is not None and "customer.secret" in out.error


def test_escaped_braces_and_unknown_template(world: World) -> None:
    world.services.templates.save("Braces", "en", "Use {{code}} for {customer.first_name}")
    out = world.services.templates.render("Braces", world.contacts[0].id, "emma")
    assert out.text == "Use {code} for Alice"
    with pytest.raises(NotFound):
        world.services.templates.render("Nope", world.contacts[0].id, "emma")
