"""The gateway's HTTP server over real HTTP: authentication, storing before answering, refusals.

The hooks here are the phone system's (a per-channel token); the providers'
signatures have tests of their own. Requests go through ``requests`` to the
server on a free port, as a PBX or a provider would send them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from sqlalchemy import func, select

from console.channels.gateway import gateway_principal
from console.channels.registry import hooks
from console.channels.webhooks import WebhookServer
from console.clock import ManualClock
from console.domain.channel_accounts import ChannelKind
from console.security.guard import authorize
from console.store.db import Database
from console.store.models_channels import ChannelEvent
from tests.factories import World, small_world

TOKEN = "pbx-token-7f3a91"


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    w = small_world(db, clock)
    w.services.channels.add_messaging(ChannelKind.CTI, "pbx", queue="Cards",
                                      secret_values={"token": TOKEN})
    return w


@pytest.fixture
def server(world: World) -> Iterator[str]:
    door = authorize(world.services, gateway_principal("gw-http"))
    woken = threading.Event()
    http = WebhookServer(door, name="gw-http", hooks=hooks(), on_stored=woken.set)
    port = http.start("127.0.0.1", 0)
    yield f"http://127.0.0.1:{port}"
    http.stop()


def call(n: int = 1, event: str = "newCall") -> dict[str, str]:
    return {"event": event, "callId": f"call-{n}", "from": "+81 90-1234-5678", "to": "0120-000-111",
            "direction": "in"}


def stored(world: World) -> int:
    with world.services.db.read() as s:
        return int(s.execute(select(func.count()).select_from(ChannelEvent)).scalar_one())


def test_health_names_the_gateway(server: str) -> None:
    answer = requests.get(f"{server}/health", timeout=10)
    assert answer.status_code == 200 and answer.json()["gateway"] == "gw-http"


def test_an_event_with_the_token_is_stored_once_however_often_it_comes(
        world: World, server: str) -> None:
    for _ in range(3):
        answer = requests.post(f"{server}/hooks/cti/pbx", data=call(),
                               headers={"Authorization": f"Bearer {TOKEN}"}, timeout=10)
        assert (answer.status_code, answer.text) == (200, "OK")
    with world.services.db.read() as s:
        [event] = s.execute(select(ChannelEvent)).scalars()
        assert (event.event_id, event.kind, event.state) == ("call-1:newCall", "newCall", "pending")
        assert b"from=%2B81+90-1234-5678" in event.body
    answered = requests.post(f"{server}/hooks/cti/pbx?token={TOKEN}", data=call(event="answer"),
                             timeout=10)
    assert answered.status_code == 200 and stored(world) == 2


@pytest.mark.parametrize(("headers", "status"), [
    ({}, 401), ({"Authorization": "Bearer nope"}, 403), ({"X-Switchboard-Token": "nope"}, 403)])
def test_no_token_or_a_wrong_one_is_refused_and_nothing_is_stored(
        world: World, server: str, headers: dict[str, str], status: int) -> None:
    answer = requests.post(f"{server}/hooks/cti/pbx", data=call(), headers=headers, timeout=10)
    assert answer.status_code == status and "error" in answer.json()
    assert stored(world) == 0


def test_unknown_disabled_oversized_and_wrong_type_requests_get_short_refusals(
        world: World, server: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    assert requests.post(f"{server}/hooks/cti/nobody", data=call(), headers=auth,
                         timeout=10).status_code == 404
    assert requests.post(f"{server}/hooks/line/pbx", data=b"{}", headers=auth,
                         timeout=10).status_code == 404  # no such hook kind served here
    wrong_type = requests.post(f"{server}/hooks/cti/pbx", json=call(), headers=auth, timeout=10)
    assert wrong_type.status_code == 415
    huge = requests.post(f"{server}/hooks/cti/pbx", data={"event": "newCall", "callId": "x",
                                                           "pad": "x" * (2 * 1024 * 1024)},
                         headers=auth, timeout=30)
    assert huge.status_code == 413
    assert requests.post(f"{server}/hooks/cti/pbx", data={"event": "newCall"}, headers=auth,
                         timeout=10).status_code == 400
    assert stored(world) == 0
    world.services.channels.disable("pbx")
    # The server reads accounts again within a few seconds; a new server sees it at once.
    door = authorize(world.services, gateway_principal("gw-2"))
    fresh = WebhookServer(door, name="gw-2", hooks=hooks())
    port = fresh.start("127.0.0.1", 0)
    try:
        assert requests.post(f"http://127.0.0.1:{port}/hooks/cti/pbx", data=call(), headers=auth,
                             timeout=10).status_code == 404
    finally:
        fresh.stop()


def test_a_burst_of_a_thousand_events_is_stored_once_each(world: World, server: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}

    def send(n: int) -> int:
        with requests.Session() as session:
            # Every event twice: the provider's retry racing the first delivery.
            codes = [session.post(f"{server}/hooks/cti/pbx", data=call(n), headers=auth,
                                  timeout=30).status_code for _ in range(2)]
        return max(codes)

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(send, range(1000)))
    assert set(codes) == {200}
    assert stored(world) == 1000
    assert requests.get(f"{server}/health", timeout=10).status_code == 200


def test_call_events_over_http_become_a_phone_contact_given_to_the_answering_agent(
        world: World, server: str, clock: ManualClock) -> None:
    from console.channels.gateway import Gateway, GatewayOptions
    from console.domain import Channel

    auth = {"Authorization": f"Bearer {TOKEN}"}
    base = {"callId": "c-77", "from": "090-1234-5678", "to": "0120-000-111", "direction": "in"}
    for event, extra in (("newCall", {}), ("answer", {"user": "kenji"})):
        answer = requests.post(f"{server}/hooks/cti/pbx", data={**base, "event": event, **extra},
                               headers=auth, timeout=10)
        assert answer.status_code == 200
    door = authorize(world.services, gateway_principal("gw-http"))
    report = Gateway(door, GatewayOptions(name="gw-http")).run_once()
    assert len(report.events.done) == 2
    [call] = world.services.calls.live("kenji")
    contact = world.services.inbox.get(call.contact_id)
    assert (contact.channel, contact.customer_id, contact.assignee_login) == (
        Channel.PHONE, world.yamada, "kenji")
    clock.advance(95)
    requests.post(f"{server}/hooks/cti/pbx", data={**base, "event": "hangup", "cause": "normal"},
                  headers=auth, timeout=10)
    Gateway(door, GatewayOptions(name="gw-http")).run_once()
    [ended] = world.services.calls.for_contact(call.contact_id)
    assert ended.state.value == "ended" and ended.talk_s == 95
