"""Webhook bodies of LINE, Twilio and Messenger as ``InboundEvent`` values (console.domain.messaging).

Call these after the signature check, on the same raw body. A body that is
not the provider's format at all (not JSON, no events list) is a
``ValidationError``; inside it, anything unexpected (a new event type, a
missing field, a wrong type) becomes an event of kind ``unknown`` carrying its
raw data, never an exception: one odd event must not lose the others.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from console.channels.providers.signatures import form_fields
from console.domain.messaging import (
    EventKind,
    InboundEvent,
    InboundMedia,
    Location,
    MediaSource,
    Provider,
    Sticker,
)
from console.errors import ValidationError

_MEDIA_KINDS = ("image", "video", "audio", "file")
_TWILIO_INBOUND_STATUSES = ("", "received")


def parse_line_webhook(body: bytes) -> list[InboundEvent]:
    """The events of a LINE webhook (none for the console's "Verify" request).

    Raises:
        ValidationError: not a JSON object with an ``events`` list.
    """
    data = _json_object(body, "LINE")
    events = data.get("events")
    if not isinstance(events, list):
        raise ValidationError("This is not a LINE webhook: it has no list of events.")
    destination = _text(data.get("destination"))
    return [_line_event(_mapping(event), destination) for event in events]


def parse_messenger_webhook(body: bytes) -> list[InboundEvent]:
    """The ``entry[].messaging[]`` events of a Messenger (``object: page``) webhook.

    Raises:
        ValidationError: not a JSON object with an ``entry`` list.
    """
    data = _json_object(body, "Messenger")
    entries = data.get("entry")
    if not isinstance(entries, list):
        raise ValidationError("This is not a Messenger webhook: it has no list of entries.")
    if data.get("object") != "page":
        return [_unknown(Provider.MESSENGER, data)]
    events: list[InboundEvent] = []
    for entry in entries:
        messaging = _mapping(entry).get("messaging")
        items = messaging if isinstance(messaging, list) else [entry]
        events.extend(_messenger_event(_mapping(item)) for item in items)
    return events


def parse_twilio_webhook(body: bytes | Sequence[tuple[str, str]]) -> list[InboundEvent]:
    """An incoming-message or status-callback POST of Twilio as one event.

    Args:
        body: the form-encoded body, or its fields (``signatures.form_fields``).
    """
    fields = dict(reversed(form_fields(body) if isinstance(body, bytes) else list(body)))
    sid = fields.get("MessageSid") or fields.get("SmsMessageSid", "")
    status = fields.get("MessageStatus") or fields.get("SmsStatus", "")
    if not sid:
        return [_unknown(Provider.TWILIO, fields)]
    common: dict[str, Any] = {"sender_id": fields.get("From", ""), "recipient_id": fields.get("To", ""),
                              "conversation_id": fields.get("From", ""), "message_id": sid, "raw": fields}
    if status not in _TWILIO_INBOUND_STATUSES:
        error = fields.get("ErrorCode", "")
        return [InboundEvent(Provider.TWILIO, EventKind.STATUS, f"{sid}:{status}", status=status,
                             text=f"Twilio error {error}" if error else "", **common)]
    return [InboundEvent(Provider.TWILIO, EventKind.MESSAGE, sid, text=fields.get("Body", ""),
                         media=_twilio_media(fields), **common)]


def _line_event(event: Mapping[str, Any], destination: str) -> InboundEvent:
    source = _mapping(event.get("source"))
    user = _text(source.get("userId"))
    common: dict[str, Any] = {
        "sender_id": user, "recipient_id": destination,
        "conversation_id": _text(source.get("groupId") or source.get("roomId")) or user,
        "reply_token": _text(event.get("replyToken")), "raw": event,
        "is_redelivery": _mapping(event.get("deliveryContext")).get("isRedelivery") is True,
        "timestamp": _from_millis(event.get("timestamp")),
    }
    event_id = _text(event.get("webhookEventId")) or _digest(event)
    kind = event.get("type")
    if kind == "message":
        return _line_message(event_id, _mapping(event.get("message")), common)
    if kind in ("follow", "unfollow"):
        return InboundEvent(Provider.LINE, EventKind(kind), event_id, **common)
    if kind == "postback":
        data = _text(_mapping(event.get("postback")).get("data"))
        return InboundEvent(Provider.LINE, EventKind.POSTBACK, event_id, text=data, **common)
    return InboundEvent(Provider.LINE, EventKind.UNKNOWN, event_id, **common)


def _line_message(event_id: str, message: Mapping[str, Any], common: dict[str, Any]) -> InboundEvent:
    kind, message_id = message.get("type"), _text(message.get("id"))
    found: dict[str, Any] = {}
    if kind == "text":
        found["text"] = _text(message.get("text"))
    elif kind in _MEDIA_KINDS:
        found["media"] = (_line_media(str(kind), message_id, message),)
    elif kind == "sticker":
        sticker = Sticker(_text(message.get("stickerId")), _text(message.get("packageId")))
        found.update(sticker=sticker, text=sticker.label)
    elif kind == "location" and (place := _location(message.get("latitude"), message.get("longitude"),
                                                     message.get("title"), message.get("address"))):
        found.update(location=place, text=place.label)
    else:
        return InboundEvent(Provider.LINE, EventKind.UNKNOWN, event_id, message_id=message_id, **common)
    return InboundEvent(Provider.LINE, EventKind.MESSAGE, event_id, message_id=message_id,
                        **found, **common)


def _line_media(kind: str, message_id: str, message: Mapping[str, Any]) -> InboundMedia:
    provider = _mapping(message.get("contentProvider"))
    size = message.get("fileSize")
    extra: dict[str, Any] = {"filename": _text(message.get("fileName")),
                             "size": size if isinstance(size, int) else None}
    if provider.get("type") == "external" and provider.get("originalContentUrl"):
        return InboundMedia(kind, _text(provider["originalContentUrl"]), MediaSource.URL, **extra)
    return InboundMedia(kind, message_id, MediaSource.LINE_CONTENT, **extra)


def _messenger_event(item: Mapping[str, Any]) -> InboundEvent:
    common: dict[str, Any] = {
        "sender_id": _text(_mapping(item.get("sender")).get("id")),
        "recipient_id": _text(_mapping(item.get("recipient")).get("id")),
        "timestamp": _from_millis(item.get("timestamp")), "raw": item,
    }
    common["conversation_id"] = common["sender_id"]
    if isinstance(item.get("message"), dict):
        return _messenger_message(item["message"], common)
    if isinstance(item.get("postback"), dict):
        postback = item["postback"]
        mid = _text(postback.get("mid"))
        return InboundEvent(Provider.MESSENGER, EventKind.POSTBACK, mid or _digest(item), message_id=mid,
                            text=_text(postback.get("title") or postback.get("payload")), **common)
    for status in ("delivery", "read"):
        if isinstance(item.get(status), dict):
            word = "delivered" if status == "delivery" else "read"
            return InboundEvent(Provider.MESSENGER, EventKind.STATUS, _digest(item), status=word,
                                **common)
    return InboundEvent(Provider.MESSENGER, EventKind.UNKNOWN, _digest(item), **common)


def _messenger_message(message: Mapping[str, Any], common: dict[str, Any]) -> InboundEvent:
    mid = _text(message.get("mid"))
    kind = EventKind.MESSAGE
    if message.get("is_echo") is True:  # the page's own message: the customer is the recipient
        kind, common = EventKind.ECHO, {**common, "conversation_id": common["recipient_id"]}
    sticker = Sticker(_text(message["sticker_id"])) if message.get("sticker_id") else None
    media: list[InboundMedia] = []
    place: Location | None = None
    notes: list[str] = []
    attachments = message.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        kind_, payload = _mapping(attachment).get("type"), _mapping(_mapping(attachment).get("payload"))
        if kind_ in _MEDIA_KINDS and payload.get("url") and not payload.get("sticker_id"):
            media.append(InboundMedia(str(kind_), _text(payload["url"]), MediaSource.URL))
        elif kind_ == "location":
            coordinates = _mapping(payload.get("coordinates"))
            place = _location(coordinates.get("lat"), coordinates.get("long"),
                              _mapping(attachment).get("title"), None) or place
        elif kind_ == "fallback":
            notes.append(f"[Link: {_text(_mapping(attachment).get('title'))} {_text(payload.get('url'))}]")
        elif not payload.get("sticker_id"):
            notes.append(f"[Attachment: {_text(kind_) or 'unknown'}]")
    labels = [sticker.label] if sticker else []
    labels += [place.label] if place else []
    text = "\n".join(part for part in (_text(message.get("text")), *labels, *notes) if part)
    return InboundEvent(Provider.MESSENGER, kind, mid or _digest(message), message_id=mid, text=text,
                        media=tuple(media), sticker=sticker, location=place, **common)


def _twilio_media(fields: Mapping[str, str]) -> tuple[InboundMedia, ...]:
    count = fields.get("NumMedia", "0")
    media = []
    for index in range(min(int(count), 20) if count.isdigit() else 0):
        url = fields.get(f"MediaUrl{index}", "")
        content_type = fields.get(f"MediaContentType{index}", "")
        if url:
            major = content_type.partition("/")[0]
            media.append(InboundMedia(major if major in _MEDIA_KINDS else "file", url, MediaSource.TWILIO,
                                      content_type=content_type))
    return tuple(media)


def _unknown(provider: Provider, raw: Mapping[str, Any]) -> InboundEvent:
    return InboundEvent(provider, EventKind.UNKNOWN, _digest(raw), raw=raw)


def _json_object(body: bytes, provider: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValidationError(f"This is not a {provider} webhook: the body is not JSON.") from None
    if not isinstance(data, dict):
        raise ValidationError(f"This is not a {provider} webhook: the body is no JSON object.")
    return data


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: object) -> str:
    """A string field; ids that arrive as numbers become their digits; anything else ""."""
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""


def _from_millis(value: object) -> datetime | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _location(latitude: object, longitude: object, title: object, address: object) -> Location | None:
    lat, lon = _number(latitude), _number(longitude)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return Location(lat, lon, _text(title), _text(address))


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _digest(value: object) -> str:
    """An event id for events that bring none: the same event gives the same id."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()[:40]
