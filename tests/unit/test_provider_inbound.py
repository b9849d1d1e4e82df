"""LINE, Twilio and Messenger webhook bodies as InboundEvent values; the odd event never raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from console.channels.providers.inbound import (
    parse_line_webhook,
    parse_messenger_webhook,
    parse_twilio_webhook,
)
from console.domain.messaging import EventKind, InboundMedia, Location, MediaSource, Provider, Sticker
from console.errors import ValidationError

USER = "U206d25c2ea6bd87c17655609a1c37cb8"
T_MS = 1764034200123  # 2025-11-25 01:30:00.123 UTC


def _line(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)}, ensure_ascii=False).encode()


def _line_event(kind: str = "message", **extra: Any) -> dict[str, Any]:
    return {"type": kind, "mode": "active", "timestamp": T_MS, "source": {"type": "user", "userId": USER},
            "webhookEventId": "01HX0000000000000000000001", "deliveryContext": {"isRedelivery": False},
            "replyToken": "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA", **extra}


def test_line_text_message() -> None:
    [event] = parse_line_webhook(_line(_line_event(message={"id": "325708", "type": "text",
                                                            "text": "予約を変更したいです"})))
    assert (event.provider, event.kind, event.event_id) == (Provider.LINE, EventKind.MESSAGE,
                                                            "01HX0000000000000000000001")
    assert (event.sender_id, event.recipient_id, event.conversation_id) == (USER, "Ubot", USER)
    assert (event.message_id, event.text, event.reply_token) == ("325708", "予約を変更したいです",
                                                                 "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA")
    assert event.timestamp == datetime(2025, 11, 25, 1, 30, 0, 123000, tzinfo=UTC)
    assert not event.is_redelivery and event.raw["webhookEventId"] == event.event_id


def test_line_redelivery_from_a_group() -> None:
    group = "Ca56f94637cc4347f90a25382909b24b9"
    raw = _line_event(message={"id": "9", "type": "text", "text": "hi"},
                      source={"type": "group", "groupId": group, "userId": USER},
                      deliveryContext={"isRedelivery": True})
    [event] = parse_line_webhook(_line(raw))
    assert event.is_redelivery
    assert (event.sender_id, event.conversation_id) == (USER, group)


@pytest.mark.parametrize(("message", "media"), [
    ({"id": "1", "type": "image", "contentProvider": {"type": "line"}},
     InboundMedia("image", "1", MediaSource.LINE_CONTENT)),
    ({"id": "2", "type": "video", "duration": 60000, "contentProvider": {
        "type": "external", "originalContentUrl": "https://cdn.example.jp/v.mp4"}},
     InboundMedia("video", "https://cdn.example.jp/v.mp4", MediaSource.URL)),
    ({"id": "3", "type": "audio", "duration": 3000}, InboundMedia("audio", "3", MediaSource.LINE_CONTENT)),
    ({"id": "4", "type": "file", "fileName": "見積書.pdf", "fileSize": 2138},
     InboundMedia("file", "4", MediaSource.LINE_CONTENT, filename="見積書.pdf", size=2138)),
])
def test_line_media(message: dict[str, Any], media: InboundMedia) -> None:
    [event] = parse_line_webhook(_line(_line_event(message=message)))
    assert (event.kind, event.media, event.text) == (EventKind.MESSAGE, (media,), "")


def test_line_sticker_and_location_read_as_labels() -> None:
    sticker, place = parse_line_webhook(_line(
        _line_event(message={"id": "5", "type": "sticker", "packageId": "11537", "stickerId": "52002734",
                             "stickerResourceType": "ANIMATION"}),
        _line_event(message={"id": "6", "type": "location", "title": "待ち合わせ",
                             "address": "東京都千代田区丸の内1丁目", "latitude": 35.681236,
                             "longitude": 139.767125})))
    assert sticker.sticker == Sticker("52002734", "11537")
    assert sticker.text == "[Sticker 11537/52002734]"
    assert place.location == Location(35.681236, 139.767125, "待ち合わせ", "東京都千代田区丸の内1丁目")
    assert place.text == "[Location: 待ち合わせ 東京都千代田区丸の内1丁目 (35.68124, 139.76712)]"


def test_line_follow_unfollow_postback() -> None:
    follow, unfollow, postback = parse_line_webhook(_line(
        _line_event("follow", follow={"isUnblocked": True}),
        {k: v for k, v in _line_event("unfollow").items() if k != "replyToken"},
        _line_event("postback", postback={"data": "action=callback&slot=10:00"})))
    assert (follow.kind, unfollow.kind, postback.kind) == (EventKind.FOLLOW, EventKind.UNFOLLOW,
                                                           EventKind.POSTBACK)
    assert unfollow.reply_token == "" and postback.text == "action=callback&slot=10:00"


def test_line_unknown_events_are_kept_never_raised() -> None:
    joined = _line_event("memberJoined", joined={"members": [{"type": "user", "userId": "U2"}]})
    new_message = _line_event(message={"id": "7", "type": "hologram"})
    broken_location = _line_event(message={"id": "8", "type": "location", "latitude": "35.6"})
    events = parse_line_webhook(_line(joined, new_message, broken_location, "not an event", {}))
    assert [e.kind for e in events] == [EventKind.UNKNOWN] * 5
    assert events[0].raw["joined"] == joined["joined"] and events[1].message_id == "7"
    # Without a webhookEventId the id is a digest: the same event twice gives the same id.
    assert events[4].event_id.startswith("sha256:") and events[4].event_id == parse_line_webhook(
        _line({}))[0].event_id
    assert events[3].timestamp is None and events[3].sender_id == ""


def test_line_verify_request_and_garbage() -> None:
    assert parse_line_webhook(b'{"destination": "Ubot", "events": []}') == []
    for body in (b"", b"<xml/>", b"[1, 2]", b'{"destination": "U"}', b"\xff\xfe"):
        with pytest.raises(ValidationError):
            parse_line_webhook(body)


# -- Twilio -----------------------------------------------------------------------------------

SMS_SID = "SM" + "1" * 32


def _twilio(**fields: str) -> bytes:
    return urlencode({"AccountSid": "AC" + "5" * 32, "From": "+819012345678", "To": "+815012345678",
                      "ApiVersion": "2010-04-01", **fields}).encode()


def test_twilio_japanese_sms() -> None:
    [event] = parse_twilio_webhook(_twilio(MessageSid=SMS_SID, SmsMessageSid=SMS_SID, SmsStatus="received",
                                           Body="明日10時に伺います。", NumMedia="0", NumSegments="1"))
    assert (event.provider, event.kind, event.event_id, event.message_id) == (
        Provider.TWILIO, EventKind.MESSAGE, SMS_SID, SMS_SID)
    assert (event.sender_id, event.recipient_id, event.conversation_id) == (
        "+819012345678", "+815012345678", "+819012345678")
    assert event.text == "明日10時に伺います。" and event.media == () and event.timestamp is None
    assert event.raw["NumSegments"] == "1"


def test_twilio_mms_media() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC5/Messages/MM1/Media/ME{}"
    [event] = parse_twilio_webhook(_twilio(MessageSid="MM1", Body="", NumMedia="3",
                                           MediaUrl0=url.format(0), MediaContentType0="image/jpeg",
                                           MediaUrl1=url.format(1), MediaContentType1="application/pdf",
                                           MediaUrl2=url.format(2), MediaContentType2="video/mp4"))
    assert event.media == (InboundMedia("image", url.format(0), MediaSource.TWILIO, "image/jpeg"),
                           InboundMedia("file", url.format(1), MediaSource.TWILIO, "application/pdf"),
                           InboundMedia("video", url.format(2), MediaSource.TWILIO, "video/mp4"))


def test_twilio_status_callback_and_the_unknown() -> None:
    [status] = parse_twilio_webhook(_twilio(MessageSid=SMS_SID, MessageStatus="undelivered",
                                            SmsStatus="undelivered", ErrorCode="30003"))
    assert (status.kind, status.status, status.event_id, status.text) == (
        EventKind.STATUS, "undelivered", f"{SMS_SID}:undelivered", "Twilio error 30003")
    [unknown] = parse_twilio_webhook(_twilio(CallSid="CA1", CallStatus="ringing"))
    assert unknown.kind is EventKind.UNKNOWN and unknown.raw["CallSid"] == "CA1"
    [odd] = parse_twilio_webhook([("MessageSid", "SM2"), ("NumMedia", "many"), ("Body", "x")])
    assert odd.kind is EventKind.MESSAGE and odd.media == ()


# -- Messenger --------------------------------------------------------------------------------

PSID, PAGE = "6823418727694221", "107394418963711"


def _messenger(*messaging: dict[str, Any], page: str = "page") -> bytes:
    return json.dumps({"object": page, "entry": [{"id": PAGE, "time": T_MS, "messaging": list(messaging)}]},
                      ensure_ascii=True).encode()  # Meta escapes non-ASCII text


def _from_customer(**extra: Any) -> dict[str, Any]:
    return {"sender": {"id": PSID}, "recipient": {"id": PAGE}, "timestamp": T_MS, **extra}


def test_messenger_text_and_attachments() -> None:
    text, image = parse_messenger_webhook(_messenger(
        _from_customer(message={"mid": "m_1", "text": "配送状況を教えてください"}),
        _from_customer(message={"mid": "m_2", "attachments": [
            {"type": "image", "payload": {"url": "https://scontent.xx.fbcdn.net/a.jpg"}},
            {"type": "file", "payload": {"url": "https://cdn.fbsbx.com/b.pdf"}},
            {"type": "template", "payload": {"template_type": "generic"}}]})))
    assert (text.kind, text.event_id, text.message_id, text.text) == (EventKind.MESSAGE, "m_1", "m_1",
                                                                     "配送状況を教えてください")
    assert (text.sender_id, text.recipient_id, text.conversation_id) == (PSID, PAGE, PSID)
    assert text.timestamp == datetime(2025, 11, 25, 1, 30, 0, 123000, tzinfo=UTC)
    assert image.media == (InboundMedia("image", "https://scontent.xx.fbcdn.net/a.jpg", MediaSource.URL),
                           InboundMedia("file", "https://cdn.fbsbx.com/b.pdf", MediaSource.URL))
    assert image.text == "[Attachment: template]"


def test_messenger_sticker_location_echo() -> None:
    head_office = {"type": "location", "title": "本社",
                   "payload": {"coordinates": {"lat": 34.7025, "long": 135.4959}}}
    sticker, place, echo = parse_messenger_webhook(_messenger(
        _from_customer(message={"mid": "m_3", "sticker_id": 369239263222822, "attachments": [
            {"type": "image", "payload": {"url": "https://x/like.png", "sticker_id": 369239263222822}}]}),
        _from_customer(message={"mid": "m_4", "attachments": [head_office]}),
        {"sender": {"id": PAGE}, "recipient": {"id": PSID}, "timestamp": T_MS,
         "message": {"mid": "m_5", "is_echo": True, "app_id": 1517776481860111, "text": "承知しました"}}))
    assert sticker.sticker == Sticker("369239263222822") and sticker.media == ()
    assert sticker.text == "[Sticker 369239263222822]"
    assert place.location == Location(34.7025, 135.4959, "本社")
    assert place.text == "[Location: 本社 (34.70250, 135.49590)]"
    assert (echo.kind, echo.conversation_id, echo.text) == (EventKind.ECHO, PSID, "承知しました")


def test_messenger_postback_status_and_the_unknown() -> None:
    with_mid, without_mid, delivery, read, optin = parse_messenger_webhook(_messenger(
        _from_customer(postback={"mid": "m_6", "title": "担当者と話す", "payload": "AGENT"}),
        _from_customer(postback={"title": "", "payload": "START"}),
        _from_customer(delivery={"mids": ["m_9"], "watermark": T_MS}),
        _from_customer(read={"watermark": T_MS}),
        _from_customer(optin={"ref": "x"})))
    assert (with_mid.kind, with_mid.event_id, with_mid.text) == (EventKind.POSTBACK, "m_6", "担当者と話す")
    assert without_mid.event_id.startswith("sha256:") and without_mid.text == "START"
    assert (delivery.kind, delivery.status, read.status) == (EventKind.STATUS, "delivered", "read")
    assert optin.kind is EventKind.UNKNOWN and optin.raw["optin"] == {"ref": "x"}


def test_messenger_other_objects_and_garbage() -> None:
    [other] = parse_messenger_webhook(_messenger(_from_customer(message={"mid": "m"}), page="instagram"))
    assert other.kind is EventKind.UNKNOWN and other.raw["object"] == "instagram"
    odd = parse_messenger_webhook(b'{"object": "page", "entry": [{"id": "1", "changes": []}, 7]}')
    assert [e.kind for e in odd] == [EventKind.UNKNOWN, EventKind.UNKNOWN]
    for body in (b"", b"null", b'{"object": "page"}'):
        with pytest.raises(ValidationError):
            parse_messenger_webhook(body)
