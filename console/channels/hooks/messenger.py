"""Messenger's webhook: ``GET|POST /hooks/messenger/NAME``.

The GET is Meta's subscription check: ``hub.challenge`` is echoed when
``hub.verify_token`` is the channel's. A POST carries ``X-Hub-Signature-256``
(HMAC-SHA256 of the raw body with the app secret); each ``messaging`` item
is stored once under its message id (``mid``), others under a digest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from console.channels.providers.inbound import parse_messenger_webhook
from console.channels.providers.signatures import messenger_handshake, verify_messenger
from console.channels.webhooks import HookAnswer, HookEvent, HookRequest, Refused
from console.domain.channel_accounts import ChannelAccountInfo
from console.errors import ValidationError


class MessengerHook:
    """See the module docstring."""

    content_types: tuple[str, ...] = ("application/json",)

    def authenticate(self, request: HookRequest, account: ChannelAccountInfo,
                     secrets: Mapping[str, str]) -> None:
        signature = request.headers.get("x-hub-signature-256")
        if not signature:
            raise Refused(401, "A Messenger webhook carries X-Hub-Signature-256.")
        if not verify_messenger(secrets.get("app_secret", ""), request.body, signature):
            raise Refused(403, "X-Hub-Signature-256 does not match this app's secret.")

    def events(self, request: HookRequest) -> Sequence[HookEvent]:
        try:
            parsed = parse_messenger_webhook(request.body)
        except ValidationError as bad:
            raise Refused(400, f"Not a Messenger webhook: {bad}") from None
        return [HookEvent(event.event_id[:200], event.kind.value,
                          json.dumps({"object": "page", "entry": [{"messaging": [dict(event.raw)]}]},
                                     ensure_ascii=False).encode())
                for event in parsed]

    def answer(self, request: HookRequest) -> HookAnswer:
        return HookAnswer(200, "EVENT_RECEIVED")

    def handshake(self, request: HookRequest, account: ChannelAccountInfo,
                  secrets: Mapping[str, str]) -> HookAnswer:
        challenge = messenger_handshake(request.query, secrets.get("verify_token", ""))
        if challenge is None:
            raise Refused(403, "The verify token is not this channel's.")
        return HookAnswer(200, challenge)
