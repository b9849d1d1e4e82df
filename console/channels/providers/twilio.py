"""Twilio's Programmable Messaging API as the gateway uses it: send an SMS, fetch a message's media.

Both sign in with HTTP basic auth (account SID, auth token). A body too long
for ``max_segments`` SMS segments is refused before anything is sent
(console.channels.providers.sms), so the agent can shorten it. Sending is
not idempotent (Twilio has no idempotency key): a request that may have
reached Twilio is not repeated here, the queue decides.

Media URLs come from the (signed) webhook; the account's credentials are sent
only to this client's API host and this account's path, never to another
address a webhook might name. Twilio answers them with a redirect to its CDN,
where requests does not forward the credentials (another host).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from console.channels.errors import PermanentFailure
from console.channels.providers.http import (
    ProviderHttp,
    RetryPolicy,
    check_api_base,
    json_object,
    read_capped,
)
from console.channels.providers.sms import DEFAULT_MAX_SEGMENTS, SmsSegments, check_sms_body
from console.clock import Clock
from console.errors import NotFound, ValidationError

API_BASE = "https://api.twilio.com"
API_VERSION = "2010-04-01"
DEFAULT_MAX_MEDIA_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class TwilioSent:
    """Twilio queued the SMS.

    Attributes:
        sid: the message's SID (``SM…``), which status callbacks name.
        status: Twilio's status at the answer (``queued``, ``accepted``).
        segments: the segments as we counted them before sending.
    """

    sid: str
    status: str
    segments: SmsSegments


@dataclass(frozen=True, slots=True)
class TwilioMedia:
    """The bytes of a picture or file that came with an MMS."""

    data: bytes
    content_type: str


def error_text(response: requests.Response) -> str:
    """Twilio's error body (``{"code": 21211, "message": ...}``) as "message (Twilio error 21211)"."""
    data: dict[str, Any] = json_object(response)
    message = str(data.get("message") or response.reason or "").strip()
    code = data.get("code")
    return f"{message} (Twilio error {code})" if code else message


class TwilioClient:
    """One Twilio account (or subaccount).

    Args:
        account_sid: ``AC…``.
        auth_token: the account's auth token.
        api_base: scheme and host of the REST API (a stand-in's in tests).
        max_segments: longer bodies are refused (see console.channels.providers.sms).
        policy, sleep, clock: see ``ProviderHttp``.
        max_media_bytes: media larger than this is refused, not downloaded.
    """

    def __init__(self, account_sid: str, auth_token: str, *, api_base: str = API_BASE,
                 max_segments: int = DEFAULT_MAX_SEGMENTS, policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] | None = None, clock: Clock | None = None,
                 max_media_bytes: int = DEFAULT_MAX_MEDIA_BYTES) -> None:
        if not account_sid.startswith("AC") or not auth_token:
            raise ValidationError("A Twilio account needs its account SID (AC…) and auth token.")
        self.account_sid = account_sid
        self._api = check_api_base(api_base, "Twilio")
        self._http = ProviderHttp("Twilio", policy=policy, sleep=sleep, clock=clock,
                                  error_text=error_text, secrets=[auth_token])
        self._http.session.auth = (account_sid, auth_token)
        self._account_path = f"/{API_VERSION}/Accounts/{quote(account_sid, safe='')}/"
        self._max_segments = max_segments
        self._max_media = max_media_bytes

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> TwilioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_sms(self, to: str, sender: str, body: str, *,
                 status_callback: str | None = None) -> TwilioSent:
        """Sends ``body`` to ``to`` from our number (or Messaging Service ``MG…``) ``sender``.

        Args:
            to: the customer's number, E.164 (``+819012345678``).
            sender: our number in E.164, or a Messaging Service SID (then Twilio picks a
                number of its pool).
            body: the text; refused if over ``max_segments`` segments.
            status_callback: where Twilio reports delivery (the gateway's webhook), if anywhere.

        Raises:
            ValidationError: no recipient or sender, or a body too long.
            PermanentFailure: Twilio refused it (an invalid number, an opted-out recipient…).
            TemporaryFailure, CredentialsRefused: see ``ProviderHttp.call``.
        """
        if not to or not sender:
            raise ValidationError("An SMS needs the number to send to and ours to send from.")
        segments = check_sms_body(body, max_segments=self._max_segments)
        fields = {"To": to, "Body": body,
                  ("MessagingServiceSid" if sender.startswith("MG") else "From"): sender}
        if status_callback:
            fields["StatusCallback"] = status_callback
        response = self._http.call("POST", f"{self._api}{self._account_path}Messages.json",
                                   data=fields, what="the SMS", idempotent=False)
        data = json_object(response)
        return TwilioSent(str(data.get("sid") or ""), str(data.get("status") or ""), segments)

    def media(self, url: str) -> TwilioMedia:
        """The bytes at a ``MediaUrlN`` of an inbound message.

        Raises:
            ValidationError: the URL is not this account's media on this client's API host.
            NotFound: Twilio has no such media (deleted).
            PermanentFailure: larger than ``max_media_bytes``.
        """
        self._check_media_url(url)
        try:
            response = self._http.call("GET", url, what="the attachment", idempotent=True, stream=True)
        except PermanentFailure as refused:
            if refused.code == 404:
                raise NotFound("Twilio has no such attachment (any more).") from refused
            raise
        with response:
            data = read_capped(response, self._max_media, "the SMS attachment")
        return TwilioMedia(data, response.headers.get("Content-Type", "application/octet-stream"))

    def _check_media_url(self, url: str) -> None:
        ours, theirs = urlsplit(self._api), urlsplit(url)
        same_host = (theirs.scheme, theirs.netloc.lower()) == (ours.scheme, ours.netloc.lower())
        if not same_host or not theirs.path.startswith(self._account_path):
            raise ValidationError(f"'{url[:120]}' is not a media address of this Twilio account; "
                                  "its credentials are not sent there.")
