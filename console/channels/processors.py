"""Turning stored LINE, SMS and Messenger events into customer messages (after the answer).

Each processor reads one stored event (console.services.events), keeps what
a person wrote — text, stickers and locations as labels, media fetched from
the provider and stored with the message — and hands it to
``door.messaging.take_in``. Events that are no customer message (follow,
read receipts, delivery reports, the page's own echoes) are ``Ignored``:
kept, never an error. A provider that is down for now (``TemporaryFailure``)
leaves the event pending for another try; media that cannot be fetched for
good is noted on the message instead, so the text still arrives.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

import requests

from console.channels import messaging_accounts
from console.channels.cti import parse_cti_form
from console.channels.errors import PermanentFailure
from console.channels.event_worker import Ignored, Processor
from console.channels.providers import line as line_api
from console.channels.providers import twilio as twilio_api
from console.channels.providers.http import read_capped
from console.channels.providers.inbound import (
    parse_line_webhook,
    parse_messenger_webhook,
    parse_twilio_webhook,
)
from console.channels.providers.line import LineClient
from console.channels.providers.twilio import TwilioClient
from console.channels.secrets import SecretStore
from console.domain.channel_accounts import ChannelAccountInfo, ChannelKind
from console.domain.messaging import EventKind, InboundEvent, InboundMedia, MediaSource
from console.errors import NotFound, ValidationError
from console.phones import to_e164
from console.services.events import StoredEvent
from console.services.messaging import IncomingFile, IncomingMessage

if TYPE_CHECKING:
    from console.security.guard import Door

log = logging.getLogger(__name__)

MAX_MEDIA_BYTES = 25 * 1024 * 1024
_MEDIA_TIMEOUT_S = 20.0


def processors(door: Door, secrets: SecretStore) -> dict[ChannelKind, Processor]:
    """The processor of each messaging kind, reading accounts' secrets from ``secrets``."""
    read = functools.partial(messaging_accounts.read_secrets, secrets)
    return {ChannelKind.LINE: _line(door, read), ChannelKind.TWILIO: _twilio(door, read),
            ChannelKind.MESSENGER: _messenger(door, read), ChannelKind.CTI: _cti(door)}


def _line(door: Door, read: Callable[[ChannelAccountInfo], dict[str, str]]) -> Processor:
    def process(account: ChannelAccountInfo, stored: StoredEvent) -> int | None:
        event = _only(parse_line_webhook(stored.body))
        _customer_message(event)
        base = account.settings.get("api_base")
        # A replaced base (a regional or test endpoint) serves the content API too.
        with LineClient(read(account)["access_token"], api_base=base or line_api.API_BASE,
                        data_base=base or line_api.DATA_BASE) as client:
            files = tuple(_fetched(media, lambda ref: _content(client.content(ref)))
                          for media in event.media if media.source == MediaSource.LINE_CONTENT)
            name = "" if door.messaging.knows("line", event.sender_id) else _line_name(
                client, event.sender_id)
        return _take_in(door, account, event, event.sender_id, name, files)
    return process


def _twilio(door: Door, read: Callable[[ChannelAccountInfo], dict[str, str]]) -> Processor:
    def process(account: ChannelAccountInfo, stored: StoredEvent) -> int | None:
        event = _only(parse_twilio_webhook(stored.body))
        if event.kind == EventKind.STATUS:
            door.deliveries.report_provider_status(event.message_id, event.status,
                                                   reason=event.text)
            raise Ignored(f"delivery report: {event.status}")
        _customer_message(event)
        sender = event.sender_id if event.sender_id.startswith("+") else next(
            iter(to_e164(event.sender_id, ("JP",))), "")
        if not sender:
            raise ValidationError(f"'{event.sender_id[:40]}' is not a phone number.")
        secrets = read(account)
        with TwilioClient(secrets["account_sid"], secrets["auth_token"],
                          api_base=account.settings.get("api_base") or twilio_api.API_BASE) as client:
            files = tuple(_fetched(media, lambda ref: _content(client.media(ref)))
                          for media in event.media)
        return _take_in(door, account, event, sender, "", files)
    return process


def _messenger(door: Door, read: Callable[[ChannelAccountInfo], dict[str, str]]) -> Processor:
    def process(account: ChannelAccountInfo, stored: StoredEvent) -> int | None:
        event = _only(parse_messenger_webhook(stored.body))
        _customer_message(event)
        files = tuple(_fetched(media, _download) for media in event.media
                      if media.source == MediaSource.URL)
        return _take_in(door, account, event, event.sender_id, "", files)
    return process


def _cti(door: Door) -> Processor:
    def process(account: ChannelAccountInfo, stored: StoredEvent) -> int | None:
        fields = dict(parse_qsl(stored.body.decode("utf-8", "replace"), keep_blank_values=True))
        outcome = door.calls.apply(account.id, parse_cti_form(fields))
        log.info("%s: call %s %s: %s", account.name, outcome.call.call_id, stored.kind,
                 outcome.change.value)
        return outcome.contact_id
    return process


def _only(events: list[InboundEvent]) -> InboundEvent:
    if len(events) != 1:
        raise Ignored("not one event")
    return events[0]


def _customer_message(event: InboundEvent) -> None:
    if event.kind != EventKind.MESSAGE:
        raise Ignored(f"{event.provider.value} {event.kind.value} event")
    if not event.sender_id:
        raise Ignored("a message without a sender")


def _take_in(door: Door, account: ChannelAccountInfo, event: InboundEvent, sender: str,
             name: str, files: tuple[IncomingFile, ...]) -> int:
    # A picture or file alone still says what it is in the thread and the inbox.
    text = event.text or " ".join(
        f"[{item.content_type.partition('/')[0].capitalize() or 'File'}: {item.filename}]"
        for item in files)
    outcome = door.messaging.take_in(account.id, IncomingMessage(
        sender=sender, display_name=name, text=text, files=files, sent_at=event.timestamp))
    log.info("%s: %s from %s (contact %d)", account.name, outcome.outcome, sender,
             outcome.contact_id)
    return outcome.contact_id


def _content(got: object) -> tuple[bytes, str]:
    data, content_type = got.data, got.content_type  # type: ignore[attr-defined]
    return bytes(data), str(content_type)


def _fetched(media: InboundMedia, fetch: Callable[[str], tuple[bytes, str]]) -> IncomingFile:
    """The media's bytes, or a note saying why there are none (the text still arrives)."""
    name = media.filename or f"{media.kind}-{media.ref.rsplit('/', 1)[-1][:40]}"
    try:
        data, content_type = fetch(media.ref)
    except (PermanentFailure, NotFound, ValidationError) as lost:
        return IncomingFile(name, media.content_type or "application/octet-stream",
                            media.size or 0, None, f"Not fetched: {lost}"[:300])
    return IncomingFile(name, (content_type or media.content_type or
                               "application/octet-stream").split(";")[0], len(data), data)


def _line_name(client: LineClient, user_id: str) -> str:
    try:
        return client.profile(user_id).display_name
    except (NotFound, PermanentFailure):
        return ""


def _download(url: str) -> tuple[bytes, str]:
    """A Messenger attachment: a public CDN URL, fetched without the page's token."""
    if not url.startswith("https://") and not url.startswith(("http://127.0.0.1", "http://localhost")):
        raise ValidationError("Only https attachment addresses are fetched.")
    try:
        with requests.get(url, timeout=_MEDIA_TIMEOUT_S, stream=True, allow_redirects=True) as got:
            if got.status_code != 200:
                raise ValidationError(f"The attachment answered {got.status_code}.")
            return (read_capped(got, MAX_MEDIA_BYTES, "the Messenger attachment"),
                    got.headers.get("Content-Type", ""))
    except requests.RequestException as failed:
        raise ValidationError(f"The attachment could not be fetched ({type(failed).__name__}).") \
            from failed
