"""LINE's webhook: ``POST /hooks/line/NAME``, signed with the channel secret.

``X-Line-Signature`` is checked on the raw body before it is read. Each
event of the request is stored on its own under its ``webhookEventId``, so
a redelivered event (``deliveryContext.isRedelivery``) is applied once; the
console's "Verify" request (no events) is answered 200 and stores nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from console.channels.providers.inbound import parse_line_webhook
from console.channels.providers.signatures import verify_line
from console.channels.webhooks import HookAnswer, HookEvent, HookRequest, Refused
from console.domain.channel_accounts import ChannelAccountInfo
from console.errors import ValidationError


class LineHook:
    """See the module docstring."""

    content_types: tuple[str, ...] = ("application/json",)

    def authenticate(self, request: HookRequest, account: ChannelAccountInfo,
                     secrets: Mapping[str, str]) -> None:
        signature = request.headers.get("x-line-signature")
        if not signature:
            raise Refused(401, "A LINE webhook carries X-Line-Signature.")
        if not verify_line(secrets.get("channel_secret", ""), request.body, signature):
            raise Refused(403, "X-Line-Signature does not match this channel's secret.")

    def events(self, request: HookRequest) -> Sequence[HookEvent]:
        try:
            parsed = parse_line_webhook(request.body)
            destination = json.loads(request.body).get("destination", "")
        except (ValidationError, ValueError, AttributeError) as bad:
            raise Refused(400, f"Not a LINE webhook: {bad}") from None
        return [HookEvent(event.event_id[:200], event.kind.value,
                          json.dumps({"destination": destination, "events": [dict(event.raw)]},
                                     ensure_ascii=False).encode())
                for event in parsed]

    def answer(self, request: HookRequest) -> HookAnswer:
        return HookAnswer(200, "OK")

    def handshake(self, request: HookRequest, account: ChannelAccountInfo,
                  secrets: Mapping[str, str]) -> HookAnswer:
        raise Refused(405, "LINE webhooks are POSTed.")
