"""LINE, SMS and Messenger end to end: signed webhooks in, contacts and replies out.

The gateway's HTTP server runs on a free port and is sent webhooks exactly
as the providers send them (signed by the test with the channel's secret);
their APIs are the stand-in of tests/providers.py, reached at the account's
``--api-base``; the agent replies through the services as the window does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from sqlalchemy import select

from console.channels.gateway import Gateway, GatewayOptions, gateway_principal
from console.channels.providers.signatures import (
    line_signature,
    messenger_signature,
    twilio_signature,
)
from console.channels.registry import hooks
from console.channels.webhooks import WebhookServer
from console.clock import ManualClock
from console.domain import Channel, MessageKind
from console.domain.channel_accounts import ChannelKind, DeliveryState
from console.security.guard import authorize
from console.store.db import Database
from console.store.models import Contact, Customer
from console.store.models_channels import ChannelEvent, MessageAttachment
from tests.factories import World, small_world
from tests.providers import LINE_TOKEN, PAGE_TOKEN, TWILIO_SID, TWILIO_TOKEN, StandInProviders

LINE_SECRET = "line-channel-secret-for-tests"
APP_SECRET = "meta-app-secret-for-tests"
VERIFY_TOKEN = "verify-me-please"
OUR_NUMBER = "+815012345678"


@pytest.fixture
def world(db: Database, clock: ManualClock, providers: StandInProviders) -> World:
    w = small_world(db, clock)
    channels = w.services.channels
    channels.add_messaging(ChannelKind.LINE, "line-oa", queue="Loans", api_base=providers.base_url,
                           secret_values={"channel_secret": LINE_SECRET,
                                          "access_token": LINE_TOKEN})
    channels.add_messaging(ChannelKind.TWILIO, "sms", queue="Cards", api_base=providers.base_url,
                           secret_values={"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN,
                                          "from": OUR_NUMBER})
    channels.add_messaging(ChannelKind.MESSENGER, "page", queue="Cards",
                           api_base=providers.base_url,
                           secret_values={"app_secret": APP_SECRET, "page_token": PAGE_TOKEN,
                                          "verify_token": VERIFY_TOKEN})
    return w


@pytest.fixture
def server(world: World) -> Iterator[str]:
    door = authorize(world.services, gateway_principal("gw-msg"))
    http = WebhookServer(door, name="gw-msg", hooks=hooks())
    port = http.start("127.0.0.1", 0)
    yield f"http://127.0.0.1:{port}"
    http.stop()


def gateway(world: World) -> Gateway:
    return Gateway(authorize(world.services, gateway_principal("gw-msg")),
                   GatewayOptions(name="gw-msg", timeout_s=10))


def line_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "Uourbot", "events": list(events)}).encode()


def line_text(n: int, text: str, *, user: str = "U1234567890abcdef", redelivery: bool = False,
              when_ms: int = 1_764_900_000_000) -> dict[str, Any]:
    return {"type": "message", "mode": "active", "timestamp": when_ms,
            "webhookEventId": f"01HEVENT{n:04d}", "replyToken": f"reply-token-{n}",
            "deliveryContext": {"isRedelivery": redelivery},
            "source": {"type": "user", "userId": user},
            "message": {"type": "text", "id": f"4700{n}", "quoteToken": "q", "text": text}}


def post_line(server: str, body: bytes, signature: str | None = None) -> requests.Response:
    return requests.post(f"{server}/hooks/line/line-oa", data=body, timeout=10, headers={
        "Content-Type": "application/json",
        "X-Line-Signature": signature if signature is not None else line_signature(LINE_SECRET,
                                                                                   body)})


def contact_of(world: World, channel: Channel) -> Contact:
    with world.services.db.read() as s:
        return s.execute(select(Contact).where(Contact.channel == channel)
                         .order_by(Contact.id.desc()).limit(1)).scalar_one()


# --- LINE -------------------------------------------------------------------------------


def test_a_line_message_becomes_a_contact_of_a_new_customer_named_from_their_profile(
        world: World, server: str, providers: StandInProviders) -> None:
    providers.line_profiles["U1234567890abcdef"] = {"userId": "U1234567890abcdef",
                                                    "displayName": "山田 花子"}
    providers.line_content["47002"] = (b"\x89PNG fake image", "image/png")
    image = {**line_text(2, ""), "message": {"type": "image", "id": "47002",
                                              "contentProvider": {"type": "line"}}}
    sticker = {**line_text(3, ""), "message": {"type": "sticker", "id": "47003",
                                                "packageId": "11537", "stickerId": "52002734"}}
    answer = post_line(server, line_body(line_text(1, "口座の残高を知りたいです"), image, sticker))
    assert answer.status_code == 200
    report = gateway(world).run_once()
    assert len(report.events.done) == 3
    contact = contact_of(world, Channel.LINE)
    detail = world.services.inbox.detail(contact.id)
    assert contact.subject == "口座の残高を知りたいです" and detail.customer is not None
    with world.services.db.read() as s:
        customer = s.get_one(Customer, contact.customer_id)
        assert (customer.family_name_kanji, customer.given_name_kanji) == ("山田", "花子")
        [png] = s.execute(select(MessageAttachment)).scalars()
        assert (png.content, png.content_type) == (b"\x89PNG fake image", "image/png")
    bodies = [m.body for m in detail.messages if m.kind == MessageKind.INBOUND]
    assert bodies[0] == "口座の残高を知りたいです" and "Sticker" in bodies[2]


def test_a_redelivered_line_event_is_applied_once(world: World, server: str) -> None:
    body = line_body(line_text(1, "こんにちは"))
    assert post_line(server, body).status_code == 200
    again = line_body(line_text(1, "こんにちは", redelivery=True))
    assert post_line(server, again).status_code == 200
    report = gateway(world).run_once()
    assert len(report.events.done) == 1
    contact = contact_of(world, Channel.LINE)
    assert len(world.services.inbox.detail(contact.id).messages) == 1


def test_a_forged_or_missing_line_signature_stores_nothing(world: World, server: str) -> None:
    body = line_body(line_text(1, "hi"))
    assert post_line(server, body, signature="").status_code == 401
    assert post_line(server, body, signature=line_signature("another secret", body)).status_code == 403
    tampered = body.replace(b"hi", b"ho")
    assert post_line(server, tampered, signature=line_signature(LINE_SECRET, body)).status_code == 403
    with world.services.db.read() as s:
        assert s.execute(select(ChannelEvent)).first() is None


def test_a_reply_uses_the_fresh_reply_token_then_pushes(
        world: World, server: str, providers: StandInProviders, clock: ManualClock) -> None:
    assert post_line(server, line_body(line_text(1, "住所変更したい"))).status_code == 200
    gateway(world).run_once()
    contact = contact_of(world, Channel.LINE)
    world.services.inbox.reply(contact.id, "kenji", "承知しました。")
    first = gateway(world).run_once()
    job = world.services.deliveries.get(first.sent[0])
    assert (job.state, job.method) == (DeliveryState.SENT, "reply")
    [reply] = providers.received("/v2/bot/message/reply")
    assert reply.json()["replyToken"] == "reply-token-1"
    world.services.inbox.reply(contact.id, "kenji", "他にご質問はございますか。")
    second = gateway(world).run_once()
    job = world.services.deliveries.get(second.sent[0])
    assert job.method == "push"  # the token was used: a push, counted against the quota
    [push] = providers.received("/v2/bot/message/push")
    assert push.json()["to"] == "U1234567890abcdef"
    assert push.header("X-Line-Retry-Key") == str(job.message_id)


def test_an_old_reply_token_is_not_tried(
        world: World, server: str, providers: StandInProviders, clock: ManualClock) -> None:
    assert post_line(server, line_body(line_text(1, "質問です"))).status_code == 200
    gateway(world).run_once()
    clock.advance(600)
    world.services.inbox.reply(contact_of(world, Channel.LINE).id, "kenji", "お待たせしました。")
    report = gateway(world).run_once()
    assert world.services.deliveries.get(report.sent[0]).method == "push"
    assert providers.received("/v2/bot/message/reply") == []


# --- SMS (Twilio) ----------------------------------------------------------------------------


def sms_fields(sid: str = "SM" + "1" * 32, body: str = "カードが届きません") -> dict[str, str]:
    return {"MessageSid": sid, "AccountSid": TWILIO_SID, "From": "+819012345678",
            "To": OUR_NUMBER, "Body": body, "NumMedia": "0"}


def post_sms(server: str, fields: dict[str, str], *, url: str | None = None,
             headers: dict[str, str] | None = None) -> requests.Response:
    target = f"{server}/hooks/twilio/sms"
    signed = twilio_signature(TWILIO_TOKEN, url or target, sorted(fields.items()))
    return requests.post(target, data=fields, timeout=10,
                         headers={"X-Twilio-Signature": signed, **(headers or {})})


def test_an_sms_joins_the_customer_with_that_number_and_the_reply_goes_out(
        world: World, server: str, providers: StandInProviders) -> None:
    answer = post_sms(server, sms_fields())
    assert answer.status_code == 200 and "<Response>" in answer.text
    gateway(world).run_once()
    contact = contact_of(world, Channel.SMS)
    assert contact.customer_id == world.yamada  # 090-1234-5678 is Yamada's mobile
    world.services.inbox.reply(contact.id, "kenji", "再発行の手続きをいたします。")
    report = gateway(world).run_once()
    job = world.services.deliveries.get(report.sent[0])
    assert job.provider_message_id and job.provider_message_id.startswith("SM")
    [sent] = providers.received(f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")
    assert sent.form() == {"To": "+819012345678", "From": OUR_NUMBER,
                           "Body": "再発行の手続きをいたします。"}


def test_twilio_behind_a_proxy_is_checked_against_the_forwarded_url(
        world: World, server: str) -> None:
    public = "https://hooks.bank.example/hooks/twilio/sms"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hooks.bank.example"}
    assert post_sms(server, sms_fields(), url=public, headers=forwarded).status_code == 200
    # Signed for the public URL but arriving without the proxy's headers: refused.
    assert post_sms(server, sms_fields("SM" + "2" * 32), url=public).status_code == 403


def test_a_long_japanese_sms_is_refused_with_its_length(
        world: World, server: str, providers: StandInProviders) -> None:
    assert post_sms(server, sms_fields()).status_code == 200
    gateway(world).run_once()
    contact = contact_of(world, Channel.SMS)
    world.services.inbox.reply(contact.id, "kenji", "ご案内" * 300)
    report = gateway(world).run_once()
    job = world.services.deliveries.get(report.failed[0])
    assert job.state == DeliveryState.FAILED and "segments" in (job.last_error or "")
    assert providers.received("/2010-04-01/") == []


# --- Messenger -------------------------------------------------------------------------------


def messenger_body(mid: str = "m_1", text: str = "Is the branch open on Saturday?",
                   when_ms: int = 1_764_900_000_000) -> bytes:
    return json.dumps({"object": "page", "entry": [{"id": "page-1", "time": when_ms, "messaging": [
        {"sender": {"id": "PSID-42"}, "recipient": {"id": "page-1"}, "timestamp": when_ms,
         "message": {"mid": mid, "text": text}}]}]}).encode()


def test_messenger_subscription_handshake(world: World, server: str) -> None:
    ok = requests.get(f"{server}/hooks/messenger/page", timeout=10, params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert (ok.status_code, ok.text) == (200, "1158201444")
    bad = requests.get(f"{server}/hooks/messenger/page", timeout=10, params={
        "hub.mode": "subscribe", "hub.verify_token": "nope", "hub.challenge": "1"})
    assert bad.status_code == 403


def test_a_messenger_message_is_answered_within_the_window_and_refused_after(
        world: World, server: str, providers: StandInProviders, clock: ManualClock) -> None:
    body = messenger_body()
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert signature == messenger_signature(APP_SECRET, body)
    answer = requests.post(f"{server}/hooks/messenger/page", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Hub-Signature-256": signature})
    assert answer.status_code == 200
    gateway(world).run_once()
    contact = contact_of(world, Channel.SOCIAL)
    world.services.inbox.reply(contact.id, "kenji", "Yes, 9:00 to 15:00.")
    assert len(gateway(world).run_once().sent) == 1
    clock.advance(25 * 3600)
    world.services.inbox.reply(contact.id, "kenji", "Anything else?")
    report = gateway(world).run_once()
    job = world.services.deliveries.get(report.failed[0])
    assert "24 hours" in (job.last_error or "")
    assert len(providers.received(f"/{'v19.0'}/me/messages")) == 1
