"""Presence heartbeats: others see who is viewing or replying; a dead workstation expires."""

from __future__ import annotations

import pytest

from console.clock import ManualClock
from console.domain.presence import Activity
from console.errors import NotFound
from console.services.presence import PresenceService
from console.store import changes
from console.store.db import Database
from tests.factories import World


@pytest.fixture
def presence(db: Database, clock: ManualClock) -> PresenceService:
    return PresenceService(db, clock)


def _who(presence: PresenceService, contact_id: int, me: str = "sara") -> list[tuple[str, str]]:
    return [(p.agent_login, p.activity.value) for p in presence.on_contact(contact_id, excluding=me)]


def test_others_see_viewing_then_replying(world: World, presence: PresenceService,
                                          clock: ManualClock) -> None:
    cid = world.contacts[0].id
    presence.beat(cid, "emma", Activity.VIEWING, workstation="WS-12")
    clock.advance(2)
    presence.beat(cid, "kenji", Activity.VIEWING)
    presence.beat(cid, "emma", Activity.REPLYING, workstation="WS-12")
    # since = when the current activity began: both at +2 s, then by login
    assert _who(presence, cid) == [("emma", "replying"), ("kenji", "viewing")]
    assert _who(presence, cid, me="emma") == [("kenji", "viewing")]
    emma = presence.on_contact(cid, excluding="kenji")[0]
    assert emma.agent_name == "Emma Clarke" and emma.workstation == "WS-12"


def test_a_workstation_that_stops_beating_expires(world: World, presence: PresenceService,
                                                  clock: ManualClock) -> None:
    cid = world.contacts[0].id
    presence.beat(cid, "emma", Activity.VIEWING, ttl_s=30)
    clock.advance(29)
    assert _who(presence, cid) == [("emma", "viewing")]
    clock.advance(1)
    assert _who(presence, cid) == []
    clock.advance(3601)
    assert presence.purge_expired() == 1


def test_a_beat_keeps_the_row_alive_and_since_unchanged(world: World, presence: PresenceService,
                                                        clock: ManualClock) -> None:
    cid = world.contacts[0].id
    presence.beat(cid, "emma", Activity.VIEWING, ttl_s=30)
    started = clock.now()
    for _ in range(5):
        clock.advance(20)
        presence.beat(cid, "emma", Activity.VIEWING, ttl_s=30)
    [emma] = presence.on_contact(cid)
    assert emma.since == started and emma.alive(clock.now())


def test_only_a_change_of_activity_goes_to_the_change_log(
        world: World, presence: PresenceService, db: Database, clock: ManualClock) -> None:
    cid = world.contacts[0].id

    def logged() -> int:
        with db.read() as s:
            return sum(1 for c in changes.since(s, 0, 10_000) if c.entity == "presence")

    presence.beat(cid, "emma", Activity.VIEWING)
    presence.beat(cid, "emma", Activity.VIEWING)
    presence.beat(cid, "emma", Activity.VIEWING)
    assert logged() == 1
    presence.beat(cid, "emma", Activity.REPLYING, workstation="WS-12")
    assert logged() == 2
    presence.leave(cid, "emma")
    presence.leave(cid, "emma")  # twice: nothing left to say the second time
    assert logged() == 3 and _who(presence, cid) == []


def test_unknown_contact_or_agent_is_refused(world: World, presence: PresenceService) -> None:
    with pytest.raises(NotFound, match="no contact 999999"):
        presence.beat(999_999, "emma", Activity.VIEWING)
    with pytest.raises(NotFound, match="login 'nobody'"):
        presence.beat(world.contacts[0].id, "nobody", Activity.VIEWING)


def test_a_beat_clears_the_agents_rows_left_by_a_dead_workstation(
        world: World, presence: PresenceService, clock: ManualClock) -> None:
    presence.beat(world.contacts[0].id, "emma", Activity.VIEWING, ttl_s=30)
    clock.advance(60)  # that workstation died; emma signs in elsewhere
    presence.beat(world.contacts[1].id, "emma", Activity.VIEWING, ttl_s=30)
    clock.advance(3700)
    assert presence.purge_expired() == 1  # only the newer row was left to purge
