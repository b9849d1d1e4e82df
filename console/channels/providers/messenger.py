"""Messenger's Send API as the gateway uses it, and the 24-hour rule that governs replies.

A page may send a standard message (``messaging_type: RESPONSE``) only within
24 hours of the customer's last message; after that Meta refuses it. The rule
is checked here, before anything is sent, and is a function of its own
(``reply_window_refusal``) so the gateway and the window can tell the agent
in advance.

Graph API errors come as ``{"error": {"message", "type", "code",
"error_subcode", "fbtrace_id"}}``, rate limits among them as plain 400s
(codes 4, 17, 32, 613): those are retried like a 429, and code 190 (an
invalid or expired page token) is a refused credential whatever the status.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests

from console.channels.errors import PermanentFailure
from console.channels.providers.http import (
    ProviderHttp,
    RetryPolicy,
    Verdict,
    check_api_base,
    default_verdict,
    json_object,
)
from console.clock import Clock, SystemClock
from console.errors import ValidationError

API_BASE = "https://graph.facebook.com"
DEFAULT_VERSION = "v19.0"
REPLY_WINDOW = timedelta(hours=24)
MAX_TEXT = 2000  # characters in one text message
_CREDENTIAL_CODES = {102, 190}
# Throttling (4, 17, 32, 613), "unexpected error, retry later" (1, 2), temporary send failure (1200).
_RETRY_CODES = {1, 2, 4, 17, 32, 613, 1200}


@dataclass(frozen=True, slots=True)
class MessengerSent:
    """Meta took the message: its ``mid`` and the customer's PSID as Meta returns them."""

    message_id: str
    recipient_id: str


def reply_window_closes_at(last_customer_message_at: datetime) -> datetime:
    """When a standard reply to a customer who last wrote at that time stops being allowed."""
    return last_customer_message_at + REPLY_WINDOW


def reply_window_refusal(last_customer_message_at: datetime | None, now: datetime) -> str | None:
    """None while a standard reply may be sent; otherwise why not, for the agent.

    Args:
        last_customer_message_at: when the customer's newest Messenger message arrived
            (aware), None when they never wrote.
        now: the current time (aware).
    """
    rule = "Messenger lets a business answer only within 24 hours of the customer's last message"
    if last_customer_message_at is None:
        return f"The customer has not written on Messenger: {rule}."
    if now < reply_window_closes_at(last_customer_message_at):
        return None
    hours = int((now - last_customer_message_at).total_seconds() // 3600)
    return (f"The customer last wrote on Messenger {hours} hours ago; {rule}. Answer on another "
            "channel, or when the customer writes again.")


def check_reply_window(last_customer_message_at: datetime | None, now: datetime) -> None:
    """Raises ``PermanentFailure`` (no code: refused before asking Meta) outside the window."""
    refusal = reply_window_refusal(last_customer_message_at, now)
    if refusal is not None:
        raise PermanentFailure(refusal, code=None, reason="outside Messenger's 24-hour reply window")


def graph_error(response: requests.Response) -> dict[str, Any]:
    """The ``error`` object of a Graph API answer, {} when there is none."""
    error = json_object(response).get("error")
    return error if isinstance(error, dict) else {}


def error_text(response: requests.Response) -> str:
    """Meta's words and codes: "Invalid OAuth access token. (code 190)"."""
    error = graph_error(response)
    message = str(error.get("message") or response.reason or "").strip()
    code, subcode = error.get("code"), error.get("error_subcode")
    if code is None:
        return message
    return f"{message} (code {code}{f'/{subcode}' if subcode else ''})"


def _verdict(response: requests.Response) -> Verdict:
    code = graph_error(response).get("code")
    if response.status_code >= 400 and code in _CREDENTIAL_CODES:
        return Verdict.CREDENTIALS
    if 400 <= response.status_code < 500 and code in _RETRY_CODES:
        return Verdict.RETRY
    return default_verdict(response)


class MessengerClient:
    """One Facebook page, reached with its page access token.

    Args:
        page_access_token: the page's token (sent as ``access_token``, as Meta documents).
        api_base: scheme and host of the Graph API (a stand-in's in tests).
        version: the Graph API version in the path, e.g. ``v19.0``.
        policy, sleep: see ``ProviderHttp``.
        clock: the time the 24-hour window is judged at (and ``Retry-After`` dates).
    """

    def __init__(self, page_access_token: str, *, api_base: str = API_BASE,
                 version: str = DEFAULT_VERSION, policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] | None = None, clock: Clock | None = None) -> None:
        if not page_access_token:
            raise ValidationError("The Messenger page needs its page access token.")
        if not version.startswith("v") or not version[1:].replace(".", "").isdigit():
            raise ValidationError(f"A Graph API version is like v19.0, not '{version[:20]}'.")
        self._clock = clock or SystemClock()
        self._url = f"{check_api_base(api_base, 'Messenger')}/{version}/me/messages"
        self._token = page_access_token
        self._http = ProviderHttp("Messenger", policy=policy, sleep=sleep, clock=self._clock,
                                  verdict=_verdict, error_text=error_text, secrets=[page_access_token])

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> MessengerClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def send_text(self, recipient_id: str, text: str, *,
                  last_customer_message_at: datetime | None) -> MessengerSent:
        """Answers a customer (a RESPONSE message) within the 24-hour window.

        Args:
            recipient_id: the customer's page-scoped id (PSID).
            text: up to 2,000 characters.
            last_customer_message_at: when the customer last wrote (None: never).

        Raises:
            ValidationError: no recipient, an empty text or one too long.
            PermanentFailure: outside the window (``code`` None, nothing sent), or Meta refused.
            TemporaryFailure, CredentialsRefused: see ``ProviderHttp.call``.
        """
        if not recipient_id:
            raise ValidationError("A Messenger reply needs the customer's id (PSID).")
        if not text.strip() or len(text) > MAX_TEXT:
            raise ValidationError(f"A Messenger message holds 1 to {MAX_TEXT:,} characters; this one "
                                  f"has {len(text):,}.")
        check_reply_window(last_customer_message_at, self._clock.now())
        body = {"recipient": {"id": recipient_id}, "messaging_type": "RESPONSE",
                "message": {"text": text}}
        response = self._http.call("POST", self._url, params={"access_token": self._token},
                                   json=body, what="the reply", idempotent=False)
        data = json_object(response)
        return MessengerSent(str(data.get("message_id") or ""), str(data.get("recipient_id") or ""))
