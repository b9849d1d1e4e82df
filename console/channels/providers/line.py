"""The LINE Messaging API as the gateway uses it: reply, push, message content and profiles.

A reply uses the event's reply token (once, and only for a short while) and
costs nothing; a push needs no token but counts against the account's monthly
quota. Every push carries an ``X-Line-Retry-Key``: LINE runs a request with a
given key once and answers 409 to any repeat, so a push retried after a lost
answer, here or by the queue a day later with the job's key, reaches the
customer once (LINE's "Retry failed API requests"). Replies take no retry key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

import requests

from console.channels.errors import PermanentFailure, TemporaryFailure
from console.channels.providers.http import (
    ProviderHttp,
    RetryPolicy,
    Verdict,
    check_api_base,
    default_verdict,
    json_object,
    read_capped,
)
from console.clock import Clock
from console.errors import NotFound, ValidationError

API_BASE = "https://api.line.me"
DATA_BASE = "https://api-data.line.me"  # message content lives on its own host
MAX_TEXT = 5000  # characters in one text message
MAX_MESSAGES = 5  # message objects in one reply or push
DEFAULT_MAX_CONTENT_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class LineSent:
    """LINE took the messages.

    Attributes:
        message_ids: LINE's ids of the messages sent, in order ("" for those it did not name).
        request_id: the ``X-Line-Request-Id`` of the answer ("" when absent).
        already_accepted: a repeated push: LINE had taken this retry key before (409), so
            nothing new went out; ``request_id`` is then the accepted request's.
    """

    message_ids: tuple[str, ...]
    request_id: str = ""
    already_accepted: bool = False


@dataclass(frozen=True, slots=True)
class LineContent:
    """The bytes of an image, video, audio clip or file a customer sent."""

    data: bytes
    content_type: str


@dataclass(frozen=True, slots=True)
class LineProfile:
    """A LINE user as LINE shows them to the account (fields "" when not shared)."""

    user_id: str
    display_name: str
    picture_url: str = ""
    status_message: str = ""
    language: str = ""


def text_messages(texts: Sequence[str]) -> list[dict[str, str]]:
    """LINE message objects for ``texts``.

    Raises:
        ValidationError: no text, more than five, an empty one or one over 5,000 characters.
    """
    if not texts or len(texts) > MAX_MESSAGES:
        raise ValidationError(f"A LINE reply carries 1 to {MAX_MESSAGES} messages, not {len(texts)}.")
    for text in texts:
        if not text.strip():
            raise ValidationError("A LINE message cannot be empty.")
        if len(text) > MAX_TEXT:
            raise ValidationError(f"A LINE message holds at most {MAX_TEXT:,} characters; this one "
                                  f"has {len(text):,}.")
    return [{"type": "text", "text": text} for text in texts]


class LineClient:
    """One LINE channel, reached with its channel access token.

    Args:
        access_token: the channel access token.
        api_base: scheme and host of the Messaging API (a stand-in's in tests).
        data_base: scheme and host of the content API.
        policy, sleep, clock: see ``ProviderHttp``.
        max_content_bytes: content larger than this is refused, not downloaded.
    """

    def __init__(self, access_token: str, *, api_base: str = API_BASE, data_base: str = DATA_BASE,
                 policy: RetryPolicy | None = None, sleep: Callable[[float], None] | None = None,
                 clock: Clock | None = None,
                 max_content_bytes: int = DEFAULT_MAX_CONTENT_BYTES) -> None:
        if not access_token:
            raise ValidationError("The LINE channel needs its channel access token.")
        self._api = check_api_base(api_base, "LINE")
        self._data = check_api_base(data_base, "LINE content")
        self._http = ProviderHttp("LINE", policy=policy, sleep=sleep, clock=clock, verdict=_verdict,
                                  secrets=[access_token])
        self._http.session.headers["Authorization"] = f"Bearer {access_token}"
        self._max_content = max_content_bytes

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LineClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reply(self, reply_token: str, texts: Sequence[str]) -> LineSent:
        """Answers an event with its reply token (free; the token works once).

        Raises:
            ValidationError: no token, or texts LINE would refuse.
            PermanentFailure: e.g. ``Invalid reply token`` (used, or too old): push instead.
            TemporaryFailure, CredentialsRefused: see ``ProviderHttp.call``.
        """
        if not reply_token:
            raise ValidationError("This LINE event has no reply token: send a push message instead.")
        body = {"replyToken": reply_token, "messages": text_messages(texts)}
        # Not idempotent: a reply token that LINE took once is refused the second time.
        response = self._http.call("POST", f"{self._api}/v2/bot/message/reply", json=body,
                                   what="the reply", idempotent=False)
        return _sent(response)

    def push(self, to: str, texts: Sequence[str], *,
             retry_key: uuid.UUID | str | None = None) -> LineSent:
        """Sends to a user, group or room at any time (counts against the monthly quota).

        Args:
            to: the user, group or room id.
            texts: the messages.
            retry_key: a UUID identifying this message for good (the delivery job's), so a
                retry can never send it twice; a new one when None.

        Raises:
            ValidationError: no recipient, a retry key that is no UUID, texts LINE would refuse.
            PermanentFailure, TemporaryFailure, CredentialsRefused: see ``ProviderHttp.call``.
        """
        if not to:
            raise ValidationError("A LINE push needs the user, group or room to send to.")
        key = _retry_key(retry_key)
        response = self._http.call("POST", f"{self._api}/v2/bot/message/push",
                                   json={"to": to, "messages": text_messages(texts)},
                                   headers={"X-Line-Retry-Key": key}, what="the message",
                                   idempotent=True)
        return _sent(response)

    def content(self, message_id: str) -> LineContent:
        """The bytes of an image, video, audio or file message (from the content host).

        Raises:
            NotFound: LINE has no such content (never uploaded, or kept no longer).
            PermanentFailure: larger than ``max_content_bytes``.
            TemporaryFailure: not ready yet (LINE still preparing a video), or see ``call``.
        """
        url = f"{self._data}/v2/bot/message/{quote(message_id, safe='')}/content"
        try:
            response = self._http.call("GET", url, what="the attachment", idempotent=True, stream=True)
        except PermanentFailure as refused:
            if refused.code == 404:
                raise NotFound(f"LINE has no content for message {message_id} (any more).") from refused
            raise
        with response:
            if response.status_code == 202:
                raise TemporaryFailure(f"LINE is still preparing the attachment of message {message_id}.",
                                       code=202, reason="content not ready")
            data = read_capped(response, self._max_content, f"the LINE attachment of message {message_id}")
        return LineContent(data, response.headers.get("Content-Type", "application/octet-stream"))

    def profile(self, user_id: str) -> LineProfile:
        """The user's display name and picture, as LINE shows them to this account.

        Raises:
            NotFound: not a friend of the account (never added, or blocked it).
        """
        url = f"{self._api}/v2/bot/profile/{quote(user_id, safe='')}"
        try:
            response = self._http.call("GET", url, what="the profile", idempotent=True)
        except PermanentFailure as refused:
            if refused.code == 404:
                raise NotFound(f"LINE shows no profile for {user_id}: not a friend of the "
                               "account.") from refused
            raise
        data = json_object(response)
        return LineProfile(user_id=str(data.get("userId") or user_id),
                           display_name=str(data.get("displayName") or ""),
                           picture_url=str(data.get("pictureUrl") or ""),
                           status_message=str(data.get("statusMessage") or ""),
                           language=str(data.get("language") or ""))


def _verdict(response: requests.Response) -> Verdict:
    # 409 to a push: this retry key was accepted before; the message went out then.
    if response.status_code == 409 and response.request.headers.get("X-Line-Retry-Key"):
        return Verdict.OK
    return default_verdict(response)


def _sent(response: requests.Response) -> LineSent:
    data = json_object(response)
    sent = data.get("sentMessages")
    ids = tuple(str(m.get("id") or "") for m in sent if isinstance(m, dict)) if isinstance(sent, list) else ()
    accepted = response.status_code == 409
    header = "x-line-accepted-request-id" if accepted else "x-line-request-id"
    return LineSent(ids, response.headers.get(header, ""), already_accepted=accepted)


def _retry_key(given: uuid.UUID | str | None) -> str:
    if given is None:
        return str(uuid.uuid4())
    if isinstance(given, uuid.UUID):
        return str(given)
    try:
        return str(uuid.UUID(given))
    except ValueError:
        raise ValidationError(f"A LINE retry key is a UUID, not '{given[:40]}'.") from None
