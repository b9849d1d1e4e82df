"""The web chat's page and API over real HTTP, on SQLite and PostgreSQL.

The gateway's HTTP server runs on a free port with the web chat site; the
test is the visitor's page (``requests``) and the agent (the services, as the
window calls them). Long-polls run on a thread of the test while the agent
acts; what they wait for is a reply or the typing indicator, never a time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

import pytest
import requests
from sqlalchemy import select

from console.channels.gateway import Gateway, GatewayOptions, gateway_principal
from console.channels.registry import hooks
from console.channels.webchat.limits import Rate
from console.channels.webchat.site import ChatLimits, WebChat
from console.channels.webhooks import WebhookServer
from console.clock import ManualClock
from console.domain import Channel
from console.domain.channel_accounts import ChannelKind
from console.security.guard import authorize
from console.services.inbox_query import InboxFilter
from console.store.db import Database
from console.store.models import Contact
from tests.factories import World, small_world

Server = tuple[str, WebChat]


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    w = small_world(db, clock)
    w.services.channels.add_messaging(ChannelKind.WEBCHAT, "web", queue="Cards")
    return w


@pytest.fixture
def serve(world: World) -> Iterator[Callable[..., Server]]:
    """Starts the server with the web chat (limits as given); stopped after the test."""
    running: list[WebhookServer] = []

    def start(**limits: Any) -> Server:
        door = authorize(world.services, gateway_principal("gw-chat"))
        site = WebChat(door, limits=replace(ChatLimits(), **limits))
        http = WebhookServer(door, name="gw-chat", hooks=hooks(), sites=[site])
        running.append(http)
        return f"http://127.0.0.1:{http.start('127.0.0.1', 0)}/chat/web/", site

    yield start
    for http in running:
        http.stop()


@pytest.fixture
def chat(serve: Callable[..., Server]) -> Server:
    return serve()


@pytest.fixture
def pool() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=4) as executor:
        yield executor


def start(base: str, name: str = "山田 花子", text: str = "カードを失くしました") -> dict[str, Any]:
    answer = requests.post(base + "api/start", json={"name": name, "text": text}, timeout=10)
    assert answer.status_code == 201, answer.text
    body: dict[str, Any] = answer.json()
    return body


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def events(base: str, token: str, after: int = 0, typing: bool = False) -> requests.Response:
    return requests.get(base + "api/events", params={"after": after, "typing": int(typing)},
                        headers=auth(token), timeout=40)


def contact_of(world: World, visit: dict[str, Any]) -> int:
    """The visitor's newest chat contact."""
    with world.services.db.read() as s:
        return int(s.execute(select(Contact.id).where(Contact.external_ref == visit["visitor"])
                             .order_by(Contact.id.desc()).limit(1)).scalar_one())


def until(condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition was not met in time")
        threading.Event().wait(0.01)  # polling what the server's thread does, not time


def waiting(site: WebChat, visitor: str, count: int = 1) -> None:
    """Returns once the server holds ``count`` long-polls of ``visitor`` waiting."""
    until(lambda: site.feed.waiting(visitor) == count)


# -- the page --------------------------------------------------------------------------


def test_the_page_is_served_with_a_strict_policy_and_nothing_from_elsewhere(chat: Server) -> None:
    base, _ = chat
    page = requests.get(base, timeout=10)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert 'name="viewport"' in page.text and 'src="chat.js"' in page.text
    for name, kind in (("chat.js", "text/javascript"), ("chat.css", "text/css")):
        asset = requests.get(base + name, timeout=10)
        assert asset.status_code == 200 and asset.headers["Content-Type"].startswith(kind)
        assert "http://" not in asset.text and "https://" not in asset.text
        assert "innerHTML" not in asset.text and "@import" not in asset.text
    assert "style=" not in page.text and "<script>" not in page.text  # nothing inline
    folder = requests.get(base[:-1], timeout=10, allow_redirects=False)
    assert folder.status_code == 308 and folder.headers["Location"] == "web/"


def test_only_an_enabled_web_chat_account_has_a_page(world: World,
                                                     serve: Callable[..., Server]) -> None:
    base, _ = serve()
    assert requests.get(base.replace("/web/", "/nobody/"), timeout=10).status_code == 404
    world.services.channels.disable("web")
    fresh, _ = serve()  # a new server reads the accounts at once
    assert requests.get(fresh, timeout=10).status_code == 404
    assert requests.post(fresh + "api/start", json={"name": "A", "text": "b"},
                         timeout=10).status_code == 404


# -- a conversation --------------------------------------------------------------------


def test_a_visitor_starts_writes_and_resumes_after_a_reload(world: World, chat: Server) -> None:
    base, _ = chat
    started = start(base)
    assert started["message"]["from"] == "customer" and len(started["token"]) >= 40
    token = started["token"]
    contact = contact_of(world, started)
    assert world.services.inbox.get(contact).customer_name == "山田 花子"
    sent = requests.post(base + "api/messages", json={"text": "至急お願いします"},
                         headers=auth(token), timeout=10)
    assert sent.status_code == 201 and sent.json()["message"]["text"] == "至急お願いします"
    assert [m.body for m in world.services.inbox.detail(contact).messages] == [
        "カードを失くしました", "至急お願いします"]
    reloaded = events(base, token)  # the page loaded again: everything, at once
    assert reloaded.status_code == 200 and reloaded.headers["Cache-Control"] == "no-store"
    body = reloaded.json()
    assert body["reset"] is True and body["typing"] is False
    assert [(m["from"], m["text"]) for m in body["messages"]] == [
        ("customer", "カードを失くしました"), ("customer", "至急お願いします")]
    assert body["messages"][0]["id"] == started["message"]["id"]


def test_an_agent_reply_reaches_a_waiting_page_within_a_second(
        world: World, chat: Server, pool: ThreadPoolExecutor) -> None:
    base, site = chat
    visit = start(base)
    cursor = events(base, visit["token"]).json()["cursor"]
    contact = contact_of(world, visit)
    world.services.inbox.add_note(contact, "kenji", "internal: check the card first")
    poll: Future[requests.Response] = pool.submit(events, base, visit["token"], cursor)
    waiting(site, visit["visitor"])
    replied = time.monotonic()
    world.services.inbox.reply(contact, "kenji", "カードを停止しました。")
    answer = poll.result(timeout=30)
    latency = time.monotonic() - replied
    body = answer.json()
    assert [(m["from"], m["text"]) for m in body["messages"]] == [("agent", "カードを停止しました。")]
    assert body["reset"] is False and body["cursor"] > cursor
    assert latency < 1.0, f"the reply took {latency:.3f} s to reach the page"
    # Nothing new after the new cursor: the note never reaches the customer.
    again = events(base, visit["token"]).json()
    assert "internal: check the card first" not in [m["text"] for m in again["messages"]]


def test_typing_shows_until_the_reply_and_goes_when_the_agent_stops(
        world: World, serve: Callable[..., Server], pool: ThreadPoolExecutor) -> None:
    base, site = serve(typing_s=2.0)  # long enough for the reply to come while it shows
    visit = start(base)
    token = visit["token"]
    cursor = events(base, token).json()["cursor"]
    contact = contact_of(world, visit)
    poll = pool.submit(events, base, token, cursor)
    waiting(site, visit["visitor"])
    world.services.inbox.typing(contact, "kenji")
    typing = poll.result(timeout=30).json()
    assert typing["typing"] is True and typing["messages"] == []
    poll = pool.submit(events, base, token, typing["cursor"], True)
    waiting(site, visit["visitor"])
    world.services.inbox.reply(contact, "kenji", "お待たせしました")
    replied = poll.result(timeout=30).json()
    assert replied["typing"] is False and [m["text"] for m in replied["messages"]] == [
        "お待たせしました"]
    # Typing again, then nothing: the indicator goes by itself a moment later.
    world.services.inbox.typing(contact, "kenji")
    shown = events(base, token, replied["cursor"]).json()
    assert shown["typing"] is True
    gone = events(base, token, shown["cursor"], typing=True).json()
    assert gone["typing"] is False and gone["messages"] == []


def test_a_reload_while_the_agent_types_shows_typing(world: World, chat: Server) -> None:
    base, _ = chat
    visit = start(base)
    events(base, visit["token"])
    world.services.inbox.typing(contact_of(world, visit), "kenji")
    until(lambda: events(base, visit["token"]).json()["typing"])


def test_a_page_waits_and_answers_nothing_new_with_the_same_cursor(
        serve: Callable[..., Server]) -> None:
    base, _ = serve(wait_s=0.3)
    visit = start(base)
    cursor = events(base, visit["token"]).json()["cursor"]
    quiet = events(base, visit["token"], cursor).json()
    assert quiet == {"cursor": cursor, "reset": False, "typing": False, "messages": []}


def test_another_visitors_token_sees_only_their_own_conversation(
        world: World, chat: Server) -> None:
    base, _ = chat
    hanako = start(base, "Hanako", "my card is lost")
    taro = start(base, "Taro", "about my loan")
    assert hanako["visitor"] != taro["visitor"]
    mine = events(base, taro["token"]).json()
    assert [m["text"] for m in mine["messages"]] == ["about my loan"]
    assert len(world.services.inbox.list(InboxFilter(channels=(Channel.CHAT,))).rows) == 3


@pytest.mark.parametrize(("headers", "status", "code"), [
    ({}, 401, "no_token"), ({"Authorization": "Basic eDp5"}, 401, "no_token"),
    ({"Authorization": "Bearer short"}, 403, "unknown_visitor"),
    ({"Authorization": "Bearer " + "A" * 43}, 403, "unknown_visitor")])
def test_requests_without_a_visitors_token_are_refused(
        chat: Server, headers: dict[str, str], status: int, code: str) -> None:
    base, _ = chat
    start(base)
    for answer in (requests.get(base + "api/events", headers=headers, timeout=10),
                   requests.post(base + "api/messages", json={"text": "hi"}, headers=headers,
                                 timeout=10)):
        assert (answer.status_code, answer.json()["code"]) == (status, code)


def test_a_token_of_another_chat_is_no_visitors_there(world: World, chat: Server) -> None:
    base, _ = chat
    world.services.channels.add_messaging(ChannelKind.WEBCHAT, "loans", queue="Loans")
    visit = start(base)
    other = base.replace("/web/", "/loans/")
    assert events(other, visit["token"]).status_code == 403


# -- limits ----------------------------------------------------------------------------


def test_oversized_and_malformed_requests_get_clear_refusals(chat: Server) -> None:
    base, _ = chat
    token = start(base)["token"]
    send = base + "api/messages"
    too_long = requests.post(send, json={"text": "あ" * 2001}, headers=auth(token), timeout=10)
    assert (too_long.status_code, too_long.json()["code"]) == (413, "too_long")
    huge = requests.post(send, data=b'{"text": "' + b"x" * 20_000 + b'"}', timeout=10,
                         headers={**auth(token), "Content-Type": "application/json"})
    assert (huge.status_code, huge.json()["code"]) == (413, "too_large")
    form = requests.post(send, data={"text": "hi"}, headers=auth(token), timeout=10)
    assert form.status_code == 415
    for bad in ([1, 2], {"text": 5}, {"text": "   "}):
        answer = requests.post(send, json=bad, headers=auth(token), timeout=10)
        assert (answer.status_code, answer.json()["code"]) == (400, "invalid")
    cursor = requests.get(base + "api/events", params={"after": "-1"}, headers=auth(token),
                          timeout=10)
    assert cursor.status_code == 400


def test_a_visitor_writing_too_fast_is_told_to_wait(
        serve: Callable[..., Server], clock: ManualClock) -> None:
    base, _ = serve(messages=Rate(burst=3, every_s=2.0))
    token = start(base)["token"]

    def send(n: int) -> requests.Response:
        return requests.post(base + "api/messages", json={"text": f"message {n}"},
                             headers=auth(token), timeout=10)

    assert [send(n).status_code for n in range(3)] == [201, 201, 201]
    refused = send(3)
    assert (refused.status_code, refused.json()["code"]) == (429, "too_many")
    assert refused.headers["Retry-After"] == "2"
    clock.advance(2)
    assert send(4).status_code == 201


def test_one_address_opening_many_conversations_is_told_to_wait(
        serve: Callable[..., Server], clock: ManualClock) -> None:
    base, _ = serve(starts=Rate(burst=2, every_s=60.0))
    for _ in range(2):
        start(base)
    refused = requests.post(base + "api/start", json={"name": "A", "text": "b"}, timeout=10)
    assert (refused.status_code, refused.json()["code"]) == (429, "too_many")
    clock.advance(60)
    start(base)


def test_too_many_open_windows_of_one_visitor_are_refused(
        serve: Callable[..., Server], pool: ThreadPoolExecutor) -> None:
    base, site = serve(waiting=1)
    visit = start(base)
    cursor = events(base, visit["token"]).json()["cursor"]
    first = pool.submit(events, base, visit["token"], cursor)
    waiting(site, visit["visitor"])
    second = events(base, visit["token"], cursor)
    assert (second.status_code, second.json()["code"]) == (429, "too_many")
    requests.post(base + "api/messages", json={"text": "still here"},
                  headers=auth(visit["token"]), timeout=10)
    assert [m["text"] for m in first.result(timeout=30).json()["messages"]] == ["still here"]


# -- the gateway -----------------------------------------------------------------------


def test_the_gateway_serves_the_chat_and_stops_with_pages_waiting(
        world: World, pool: ThreadPoolExecutor) -> None:
    door = authorize(world.services, gateway_principal("gw-serve"))
    gateway = Gateway(door, GatewayOptions(name="gw-serve", http=("127.0.0.1", 0),
                                           accounts_refresh_s=0.2))
    stop = threading.Event()
    thread = threading.Thread(target=gateway.serve, args=(stop,))
    thread.start()
    try:
        until(lambda: gateway.server is not None and gateway.server.port != 0)
        assert gateway.server is not None
        base = f"http://127.0.0.1:{gateway.server.port}/chat/web/"
        visit = start(base)
        cursor = events(base, visit["token"]).json()["cursor"]
        poll = pool.submit(events, base, visit["token"], cursor)
        world.services.inbox.reply(contact_of(world, visit), "kenji", "Hello from the gateway")
        answer = poll.result(timeout=30).json()
        assert [m["text"] for m in answer["messages"]] == ["Hello from the gateway"]
        [site] = gateway.server.sites
        assert isinstance(site, WebChat)
        poll = pool.submit(events, base, visit["token"], answer["cursor"])
        waiting(site, visit["visitor"])
    finally:
        stopped = time.monotonic()
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    # The waiting page was answered as the server shut down, not after its wait ran out.
    assert poll.result(timeout=30).status_code == 200 and time.monotonic() - stopped < 5
