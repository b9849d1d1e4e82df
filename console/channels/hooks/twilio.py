"""Twilio's SMS webhook: ``POST /hooks/twilio/NAME``, form-encoded, signed over the URL.

``X-Twilio-Signature`` covers the URL Twilio called and every POST
parameter. Behind a proxy that URL is not the one this server saw: the
account's ``public_url`` is used when it is set, else the URL as the
request arrived with ``X-Forwarded-Proto``/``X-Forwarded-Host`` honoured.
Each message is stored once under its ``MessageSid`` (a status callback
under ``MessageSid:status``); the answer is an empty TwiML response.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from console.channels.providers.inbound import parse_twilio_webhook
from console.channels.providers.signatures import verify_twilio, webhook_url
from console.channels.webhooks import HookAnswer, HookEvent, HookRequest, Refused
from console.domain.channel_accounts import ChannelAccountInfo

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


class TwilioHook:
    """See the module docstring."""

    content_types: tuple[str, ...] = ("application/x-www-form-urlencoded",)

    def authenticate(self, request: HookRequest, account: ChannelAccountInfo,
                     secrets: Mapping[str, str]) -> None:
        signature = request.headers.get("x-twilio-signature")
        if not signature:
            raise Refused(401, "A Twilio webhook carries X-Twilio-Signature.")
        path, _, query = request.raw_path.partition("?")
        url = webhook_url(scheme=request.scheme, host=request.host, path=path, query=query,
                          headers=request.headers, trust_forwarded=True,
                          public_url=account.settings.get("public_url") or None)
        if not verify_twilio(secrets.get("auth_token", ""), url, list(request.form), signature):
            raise Refused(403, "X-Twilio-Signature does not match this account's auth token "
                               "(if the gateway is behind a proxy, set the channel's public URL).")
        sid = dict(request.form).get("AccountSid")
        if sid and sid != secrets.get("account_sid"):
            raise Refused(403, "The request is for another Twilio account.")

    def events(self, request: HookRequest) -> Sequence[HookEvent]:
        event = next(iter(parse_twilio_webhook(list(request.form))), None)
        if event is None or event.kind.value == "unknown" or not event.event_id:
            raise Refused(400, "A Twilio webhook carries MessageSid.")
        return [HookEvent(event.event_id[:200], event.kind.value, request.body)]

    def answer(self, request: HookRequest) -> HookAnswer:
        return HookAnswer(200, EMPTY_TWIML, "text/xml")

    def handshake(self, request: HookRequest, account: ChannelAccountInfo,
                  secrets: Mapping[str, str]) -> HookAnswer:
        raise Refused(405, "Twilio webhooks are POSTed.")


