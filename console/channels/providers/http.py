"""One call to a provider's HTTP API, with the retry rules and error classes every client shares.

- 2xx: the answer.
- 429, and 5xx: retried a few times with a doubling wait, or the provider's
  ``Retry-After`` (seconds or an HTTP date). A wait longer than
  ``RetryPolicy.max_inline_wait_s`` is not slept here: ``TemporaryFailure``
  carries it (``retry_after_s``) and the delivery queue schedules the job.
- No connection: retried the same way; after the last try ``TemporaryFailure``.
  A request that may have reached the provider (the line dropped or timed out
  after sending) is retried here only when repeating it is harmless
  (``idempotent``): an SMS sent twice reaches the customer twice.
- 401, 403: ``CredentialsRefused``; any other 4xx: ``PermanentFailure`` with the
  provider's own words. Each client may read its provider's error bodies first
  (Graph API rate limits come as 400s).

Secrets never reach a message or a log: texts are scrubbed of the client's
tokens (Messenger's is in the URL, which requests puts in its errors).
"""

from __future__ import annotations

import enum
import ipaddress
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, urlsplit

import requests
import urllib3.exceptions

from console.channels.errors import CredentialsRefused, PermanentFailure, TemporaryFailure
from console.clock import Clock, SystemClock
from console.errors import ValidationError

log = logging.getLogger(__name__)

USER_AGENT = "Switchboard-Gateway/0.1"
_LOOPBACK_NAMES = {"localhost"}
_MAX_REASON = 300
_CHUNK = 64 * 1024


class Verdict(enum.Enum):
    """What an answer means for the request."""

    OK = "ok"
    RETRY = "retry"  # throttled or the provider's own trouble: try again
    CREDENTIALS = "credentials"  # the token or password is refused
    PERMANENT = "permanent"  # this request will never succeed as it is


@dataclass(frozen=True)
class RetryPolicy:
    """How hard a client tries before handing the job back to the queue.

    Attributes:
        attempts: tries in all, for throttling, 5xx and no connection.
        backoff_s: the wait before the second try; doubled before each further one.
        max_inline_wait_s: the longest wait slept inside the client; a provider asking for
            more gets a ``TemporaryFailure`` carrying its wait instead.
        connect_timeout_s: for opening the connection.
        read_timeout_s: for each wait for the provider's bytes.
    """

    attempts: int = 3
    backoff_s: float = 0.5
    max_inline_wait_s: float = 2.0
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0


def default_verdict(response: requests.Response) -> Verdict:
    """The HTTP status alone: 2xx OK, 429/5xx retry, 401/403 credentials, other 4xx permanent."""
    status = response.status_code
    if 200 <= status < 300:
        return Verdict.OK
    if status == 429 or status >= 500:
        return Verdict.RETRY
    if status in (401, 403):
        return Verdict.CREDENTIALS
    return Verdict.PERMANENT


def default_error_text(response: requests.Response) -> str:
    """The provider's words: a JSON ``message`` (LINE, Twilio), else the start of the body."""
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return response.text.strip()[:_MAX_REASON] or (response.reason or "")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` in seconds from ``now``: delta-seconds or an HTTP date; None if absent or bad."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())


def check_api_base(url: str, what: str) -> str:
    """A provider's base URL (``https://api.line.me``), without a trailing slash.

    Only scheme, host and port: the clients add the provider's documented paths.

    Plain ``http`` is accepted only for this machine (the tests' stand-in provider):
    elsewhere it would carry the channel's token in the clear.

    Raises:
        ValidationError: not an http(s) URL with a host and nothing else, or http to another
            machine.
    """
    parts = urlsplit(url.strip())
    if (parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/")
            or parts.query or parts.fragment or parts.username is not None):
        raise ValidationError(f"The {what} API address must be like https://host[:port]: '{url[:80]}'.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValidationError(f"The {what} API address must use https (http only for this machine).")
    return url.strip().rstrip("/")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class ProviderHttp:
    """A ``requests.Session`` for one provider account, with the shared retry rules.

    Args:
        provider: the provider's name in messages ("LINE", "Twilio", "Messenger").
        policy: attempts, waits and timeouts.
        sleep: how to wait between tries (``time.sleep``; tests pass a recorder: nothing sleeps).
        clock: for ``Retry-After`` dates.
        verdict: reads an answer (the provider's error bodies) into a ``Verdict``.
        error_text: the provider's words for a refusal.
        secrets: texts to keep out of every message (tokens).
    """

    def __init__(self, provider: str, *, policy: RetryPolicy | None = None,
                 sleep: Callable[[float], None] | None = None, clock: Clock | None = None,
                 verdict: Callable[[requests.Response], Verdict] = default_verdict,
                 error_text: Callable[[requests.Response], str] = default_error_text,
                 secrets: Sequence[str] = ()) -> None:
        self.provider = provider
        self.policy = policy or RetryPolicy()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self._sleep = sleep or time.sleep
        self._clock = clock or SystemClock()
        self._verdict = verdict
        self._error_text = error_text
        self._secrets = [s for s in secrets if s]

    def close(self) -> None:
        self.session.close()

    def call(self, method: str, url: str, *, what: str, idempotent: bool,
             **kwargs: Any) -> requests.Response:
        """Sends the request until it is answered for good; returns a 2xx answer.

        Args:
            method: GET or POST.
            url: the full URL.
            what: the request in words for messages ("the reply", "the image").
            idempotent: repeating it cannot do anything twice (GETs; LINE push with a retry
                key); only then is a request that may have arrived sent again here.
            kwargs: for ``requests.Session.request`` (json, data, params, auth, headers, stream).

        Raises:
            TemporaryFailure: try again later (``retry_after_s`` when the provider said when).
            PermanentFailure: the provider refused this request for good.
            CredentialsRefused: the provider refused the account's token or password.
        """
        policy = self.policy
        timeout = (policy.connect_timeout_s, policy.read_timeout_s)
        for attempt in range(1, max(1, policy.attempts) + 1):
            last = attempt >= policy.attempts
            backoff = policy.backoff_s * 2 ** (attempt - 1)
            try:
                response = self.session.request(method, url, timeout=timeout, **kwargs)
            except requests.RequestException as problem:
                self._no_answer(problem, what, idempotent=idempotent, last=last)
                log.info("%s: no answer for %s (try %d), trying again", self.provider, what, attempt)
                self._sleep(backoff)
                continue
            wait = self._judge(response, what, last=last, backoff=backoff)
            if wait is None:
                return response
            log.info("%s answered %d for %s (try %d); trying again in %.1f s",
                     self.provider, response.status_code, what, attempt, wait)
            self._sleep(wait)
        raise AssertionError("unreachable: the last try returns or raises")

    def _judge(self, response: requests.Response, what: str, *, last: bool,
               backoff: float) -> float | None:
        """None for a good answer; the wait before the next try; raises when there is none."""
        verdict = self._verdict(response)
        if verdict is Verdict.OK:
            return None
        code, reason = response.status_code, self._scrub(self._error_text(response))
        said = f"{code} {reason}".rstrip()
        response.close()
        if verdict is Verdict.CREDENTIALS:
            raise CredentialsRefused(f"{self.provider} refused this channel's credentials ({said}): "
                                     "an administrator must renew them.")
        if verdict is Verdict.PERMANENT:
            raise PermanentFailure(f"{self.provider} refused {what} ({said}).", code=code, reason=reason)
        asked = parse_retry_after(response.headers.get("Retry-After"), self._clock.now())
        wait = backoff if asked is None else asked
        if last or wait > self.policy.max_inline_wait_s:
            raise TemporaryFailure(f"{self.provider} did not take {what} for now ({said}); it will be "
                                   "tried again.", code=code, reason=reason, retry_after_s=asked)
        return wait

    def _no_answer(self, problem: requests.RequestException, what: str, *, idempotent: bool,
                   last: bool) -> None:
        """Raises unless a request that got no answer may be sent again now."""
        reason = self._scrub(f"{type(problem).__name__}: {problem}")[:_MAX_REASON]
        if not idempotent and not _never_sent(problem):
            raise TemporaryFailure(f"{self.provider} gave no answer about {what} ({reason}); it may "
                                   "have gone out, and it will be tried again later.", reason=reason)
        if last:
            raise TemporaryFailure(f"{self.provider} cannot be reached ({reason}); {what} will be "
                                   "tried again.", reason=reason)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***").replace(quote(secret, safe=""), "***")
        return text


def _never_sent(problem: requests.RequestException) -> bool:
    """The connection was never made, so the provider cannot have seen the request."""
    if isinstance(problem, requests.ConnectTimeout):
        return True
    cause = problem.args[0] if problem.args else None
    return (isinstance(problem, requests.ConnectionError)
            and isinstance(cause, urllib3.exceptions.MaxRetryError)
            and isinstance(cause.reason, urllib3.exceptions.ConnectTimeoutError))


def json_object(response: requests.Response) -> dict[str, Any]:
    """The answer's JSON object, or {} when it has none (an empty or non-JSON body)."""
    try:
        data: Any = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def read_capped(response: requests.Response, limit: int, what: str) -> bytes:
    """The body of a streamed answer, refused once it passes ``limit`` bytes.

    Raises:
        PermanentFailure: the body (or its declared length) is over the limit.
        TemporaryFailure: the connection broke off in the middle.
    """
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_big(what, limit)
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise _too_big(what, limit)
            chunks.append(chunk)
    except requests.RequestException as problem:
        raise TemporaryFailure(f"The line dropped while downloading {what} ({type(problem).__name__}); "
                               "it will be fetched again.", reason=type(problem).__name__) from problem
    return b"".join(chunks)


def _too_big(what: str, limit: int) -> PermanentFailure:
    reason = f"larger than {limit:,} bytes"
    return PermanentFailure(f"{what[:1].upper()}{what[1:]} is {reason}; it is not downloaded.",
                            code=None, reason=reason)
