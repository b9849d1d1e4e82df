"""The phone system's call events: ``POST /hooks/cti/NAME`` with a per-channel token.

The PBX (an Asterisk dialplan ``CURL()``, an AMI bridge, a hosted provider's
webhook) posts form fields ``event`` (newCall, answer, hangup), ``callId``,
``from``, ``to``, ``direction`` (in/out), ``user`` (on answer) and ``cause``
(on hangup). The channel's ``token`` secret comes as ``Authorization: Bearer
TOKEN``, the ``X-Switchboard-Token`` header, or a ``token`` query parameter
(for PBXs that can only build a URL). Each (callId, event) is stored once.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

from console.channels.webhooks import HookAnswer, HookEvent, HookRequest, Refused
from console.domain.channel_accounts import ChannelAccountInfo


class CtiHook:
    """See the module docstring."""

    content_types: tuple[str, ...] = ("application/x-www-form-urlencoded",)

    def authenticate(self, request: HookRequest, account: ChannelAccountInfo,
                     secrets: Mapping[str, str]) -> None:
        given = _token(request)
        if not given:
            raise Refused(401, "A CTI event needs the channel's token.")
        expected = secrets.get("token", "")
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise Refused(403, "The token is not this channel's.")

    def events(self, request: HookRequest) -> Sequence[HookEvent]:
        fields = dict(request.form)
        call_id, event = fields.get("callId", "").strip(), fields.get("event", "").strip()
        if not call_id or not event:
            raise Refused(400, "A CTI event has the fields event and callId.")
        # Stored as the fields it carried (the token in a query parameter is left out).
        body = urlencode([(k, v) for k, v in request.form if k != "token"]).encode()
        return [HookEvent(f"{call_id[:150]}:{event[:40]}", event[:40], body)]

    def answer(self, request: HookRequest) -> HookAnswer:
        return HookAnswer(200, "OK")

    def handshake(self, request: HookRequest, account: ChannelAccountInfo,
                  secrets: Mapping[str, str]) -> HookAnswer:
        raise Refused(405, "CTI events are POSTed.")


def _token(request: HookRequest) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return (request.headers.get("x-switchboard-token") or request.query.get("token")
            or dict(request.form).get("token", "")).strip()
