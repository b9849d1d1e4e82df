"""Mail server addresses as administrators type them: ``imaps://USER@HOST:PORT/MAILBOX``.

``parse_imap_url`` and ``parse_smtp_url`` check a URL and say in one sentence
what is wrong with it. ``imaps``/``smtps`` speak TLS from the first byte;
``imap``/``smtp`` upgrade with STARTTLS unless the URL ends ``?tls=none``
(a server on this machine, as in the tests). A password in the URL is
refused: URLs are stored in the database; the password goes to
console.channels.secrets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import parse_qs, unquote, urlsplit

from console.errors import ValidationError

MAX_URL = 500
_IMAP_PORTS = {"imap": 143, "imaps": 993}
_SMTP_PORTS = {"smtp": 587, "smtps": 465}
_TLS_CHOICES = ("starttls", "none")
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]+\]")
# One-label domains (loans@localhost) pass: internal and test servers use them.
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A mail server to connect to.

    Attributes:
        tls: "implicit" (imaps, smtps), "starttls", or "none" (plain, local servers).
        user: who to sign in as (None: no authentication, SMTP only).
        mailbox: the IMAP folder to take mail from ("" for SMTP).
    """

    scheme: str
    host: str
    port: int
    tls: str
    user: str | None
    mailbox: str = ""


def parse_imap_url(url: str) -> Endpoint:
    """``imap[s]://USER@HOST[:PORT][/MAILBOX][?tls=starttls|none]``; the mailbox defaults to INBOX.

    Raises:
        ValidationError: saying what is wrong.
    """
    parts = _split(url, "IMAP", _IMAP_PORTS)
    if parts.user is None:
        raise ValidationError(f"The IMAP URL needs the user to sign in as: "
                              f"{parts.scheme}://USER@{parts.host}/INBOX.")
    mailbox = unquote(parts.path.lstrip("/")) or "INBOX"
    if any(ord(ch) < 32 for ch in mailbox) or len(mailbox) > 200:
        raise ValidationError("The IMAP mailbox name has control characters or is too long.")
    return Endpoint(parts.scheme, parts.host, parts.port, parts.tls, parts.user, mailbox)


def parse_smtp_url(url: str) -> Endpoint:
    """``smtp[s]://[USER@]HOST[:PORT][?tls=starttls|none]``; without a user, no authentication.

    Raises:
        ValidationError: saying what is wrong.
    """
    parts = _split(url, "SMTP", _SMTP_PORTS)
    if parts.path not in ("", "/"):
        raise ValidationError("An SMTP URL has no path: smtp://USER@HOST:PORT.")
    return Endpoint(parts.scheme, parts.host, parts.port, parts.tls, parts.user)


def check_address(address: str) -> str:
    """The account's own e-mail address, checked (the From of replies, the To of intake)."""
    name, found = parseaddr(address, strict=True) if _strict_parseaddr() else parseaddr(address)
    if name or found != address.strip() or not _ADDRESS.fullmatch(found):
        raise ValidationError(f"'{address[:80]}' is not an e-mail address like support@example.com.")
    return found


@dataclass(frozen=True, slots=True)
class _Parts:
    scheme: str
    host: str
    port: int
    tls: str
    user: str | None
    path: str


def _split(url: str, what: str, ports: dict[str, int]) -> _Parts:
    text = url.strip()
    if not text or len(text) > MAX_URL or any(ord(ch) < 33 for ch in text):
        raise ValidationError(f"The {what} URL is empty, too long or has spaces or control "
                              "characters.")
    schemes = "://, ".join(ports) + "://"
    try:
        split = urlsplit(text)
        port = split.port
        if port == 0:
            raise ValueError("port 0")
    except ValueError:
        raise ValidationError(f"'{text[:80]}' is not an {what} URL (its port is not a number "
                              "from 1 to 65535).") from None
    if split.scheme not in ports:
        raise ValidationError(f"The {what} URL must start with {schemes}, not '{text[:20]}'.")
    if split.password is not None:
        raise ValidationError(f"Put no password in the {what} URL (it would be stored in the "
                              "database); give it with --password-stdin.")
    host = split.hostname or ""
    if not _HOST.fullmatch(host if ":" not in host else f"[{host}]"):
        raise ValidationError(f"The {what} URL has no server name: {split.scheme}://USER@HOST:PORT.")
    return _Parts(split.scheme, host, port or ports[split.scheme], _tls(split.scheme, split.query,
                                                                         what),
                  unquote(split.username) if split.username else None, split.path)


def _tls(scheme: str, query: str, what: str) -> str:
    asked = parse_qs(query).get("tls", [])
    if scheme.endswith("s"):
        if asked:
            raise ValidationError(f"{scheme}:// always uses TLS; drop '?tls=' from the {what} URL.")
        return "implicit"
    if len(asked) > 1 or (asked and asked[0] not in _TLS_CHOICES) or (query and not asked):
        raise ValidationError(f"The {what} URL may end only with ?tls=starttls or ?tls=none.")
    return asked[0] if asked else "starttls"


def _strict_parseaddr() -> bool:
    # ``strict`` (the fix for CVE-2023-27043) exists from 3.11.10/3.12.6 on only.
    import inspect

    return "strict" in inspect.signature(parseaddr).parameters
