"""Is this webhook really from the provider? Pure checks on the bytes and values as they arrived.

Each check takes the raw request body (never a re-serialised parse of it) and
compares in constant time. A missing header, an empty secret or a malformed
value is simply "not verified": the gateway answers 401/403 and stores nothing.

- LINE: ``X-Line-Signature`` = Base64(HMAC-SHA256(channel secret, body)).
- Twilio: ``X-Twilio-Signature`` = Base64(HMAC-SHA1(auth token, URL + each POST
  parameter, sorted by name, as name + value)). The URL is the one Twilio
  called, so ``webhook_url`` rebuilds it as the request arrived, behind a
  proxy from ``X-Forwarded-Proto``/``-Host`` when told to trust them, or takes
  the URL configured at Twilio as it is.
- Messenger: ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, body)>``,
  and the ``hub.challenge`` handshake of the subscription.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Meta's challenge is a number; anything else is not echoed back into a response.
_CHALLENGE = re.compile(r"[A-Za-z0-9._-]{1,256}")


def line_signature(channel_secret: str, body: bytes) -> str:
    """The ``X-Line-Signature`` LINE sends with ``body``."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_line(channel_secret: str, body: bytes, signature: str | None) -> bool:
    """Whether ``signature`` (the ``X-Line-Signature`` header, None when absent) signs ``body``."""
    if not channel_secret or not signature:
        return False
    return hmac.compare_digest(line_signature(channel_secret, body).encode(), signature.strip().encode())


def messenger_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` header Meta sends with ``body``: ``sha256=`` and lower-case hex."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def verify_messenger(app_secret: str, body: bytes, signature: str | None) -> bool:
    """Whether ``signature`` (the ``X-Hub-Signature-256`` header) signs ``body``.

    Only the SHA-256 header counts; the older SHA-1 ``X-Hub-Signature`` is not accepted.
    """
    if not app_secret or not signature:
        return False
    scheme, _, digest = signature.strip().partition("=")
    if scheme.lower() != "sha256" or not digest:
        return False
    expected = messenger_signature(app_secret, body).partition("=")[2]
    return hmac.compare_digest(expected.encode(), digest.lower().encode())


def messenger_handshake(query: Mapping[str, str], verify_token: str) -> str | None:
    """The answer to Meta's subscription GET, or None when it is not ours to answer.

    Args:
        query: the GET's query parameters (``hub.mode``, ``hub.verify_token``, ``hub.challenge``).
        verify_token: the token typed into the app's webhook settings.

    Returns:
        ``hub.challenge``, to be sent back as the whole (text/plain) body, when the mode is
        ``subscribe`` and the token matches; otherwise None (answer 403).
    """
    if not verify_token or query.get("hub.mode") != "subscribe":
        return None
    token = query.get("hub.verify_token", "")
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return None
    challenge = query.get("hub.challenge", "")
    return challenge if _CHALLENGE.fullmatch(challenge) else None


def form_fields(body: bytes) -> list[tuple[str, str]]:
    """An ``application/x-www-form-urlencoded`` body as (name, value) pairs, in order, blanks kept."""
    return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)


def twilio_signature(auth_token: str, url: str, fields: Iterable[tuple[str, str]], *,
                     deduplicate: bool = False) -> str:
    """The ``X-Twilio-Signature`` for a POST of ``fields`` to ``url``.

    Parameters are sorted by name, and a repeated name's values by value (as Twilio's
    libraries do). ``deduplicate`` drops repeated identical pairs, as twilio-python does.
    """
    pairs = sorted(set(fields) if deduplicate else fields)
    data = url + "".join(name + value for name, value in pairs)
    digest = hmac.new(auth_token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_twilio(auth_token: str, url: str, fields: Sequence[tuple[str, str]],
                  signature: str | None) -> bool:
    """Whether ``signature`` signs a POST of ``fields`` to ``url``.

    Twilio's own libraries accept the URL with and without its port (``https://h/`` and
    ``https://h:443/``; ``https://h:8443/`` and ``https://h/``) because Twilio has signed
    both ways; and a repeated parameter value with and without its duplicates. Each of
    those readings is a full HMAC over what arrived, so accepting them lets nothing
    unsigned through.

    Args:
        auth_token: the account's (primary) auth token.
        url: the URL Twilio called (see ``webhook_url``), query string included.
        fields: the POST parameters (``form_fields``), every one of them.
        signature: the ``X-Twilio-Signature`` header, None when absent.
    """
    if not auth_token or not signature:
        return False
    given = signature.strip().encode()
    readings = {twilio_signature(auth_token, candidate, fields, deduplicate=dedup)
                for candidate in _port_variants(url) for dedup in (False, True)}
    # Every reading is compared (no early exit), each in constant time.
    matches = [hmac.compare_digest(reading.encode(), given) for reading in sorted(readings)]
    return any(matches)


def webhook_url(*, scheme: str, host: str, path: str, query: str = "",
                headers: Mapping[str, str] | None = None, trust_forwarded: bool = False,
                public_url: str | None = None) -> str:
    """The URL a provider called, for checking a signature that covers it (Twilio's).

    Args:
        scheme: ``http`` or ``https`` as the request reached us.
        host: the ``Host`` header as it arrived (with its port, if any).
        path: the path as it arrived, still percent-encoded.
        query: the query string as it arrived, still percent-encoded, without ``?``.
        headers: the request's headers (case-insensitive mapping), for the forwarded ones.
        trust_forwarded: take scheme and host from ``X-Forwarded-Proto`` and
            ``X-Forwarded-Host`` (the first, client-side value of each). Only when a proxy
            we run sets them: anyone can send them.
        public_url: the webhook URL exactly as configured at Twilio; when given it is the
            answer, whatever the request looked like (a proxy that rewrites paths, a
            load balancer on another port).
    """
    if public_url:
        return public_url.strip()
    if trust_forwarded and headers is not None:
        lower = {k.lower(): v for k, v in headers.items()}  # header names have no case
        scheme = _first(lower.get("x-forwarded-proto")) or scheme
        host = _first(lower.get("x-forwarded-host")) or host
    return urlunsplit((scheme.lower(), host, path or "/", query, ""))


def _first(value: str | None) -> str:
    """The first of a comma-separated forwarded list (what the outermost proxy saw)."""
    return (value or "").split(",")[0].strip()


def _port_variants(url: str) -> list[str]:
    """``url`` as given, without its port, and with the scheme's default port if it had none."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        return [url]
    userinfo, at, hostport = parts.netloc.rpartition("@")
    bare = userinfo + at + (hostport.rsplit(":", 1)[0] if port is not None else hostport)
    variants = [url, urlunsplit(parts._replace(netloc=bare))]
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    if port is None and default is not None:
        variants.append(urlunsplit(parts._replace(netloc=f"{bare}:{default}")))
    return variants
