"""Mail server addresses as an administrator writes them: ``imap://USER@HOST:PORT/MAILBOX`` and friends.

``imaps://`` and ``smtps://`` speak TLS from the first byte. ``imap://`` and
``smtp://`` are plain unless the URL ends in ``?starttls=1``: then the
connection must be upgraded with STARTTLS before anything else is said, and a
server that does not offer it is refused rather than sent the password in
clear. The user name may be percent-encoded (``support%40example.jp``).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

from console.errors import ValidationError

DEFAULT_PORTS = {"imap": 143, "imaps": 993, "smtp": 25, "smtps": 465}
_TRUE = {"1", "yes", "true", "on"}
_FALSE = {"0", "no", "false", "off"}


@dataclass(frozen=True)
class ServerAddress:
    """Where a mail server is and how to talk to it.

    Attributes:
        scheme: imap, imaps, smtp or smtps.
        host: the server's name or address.
        port: the TCP port (the scheme's default when the URL names none).
        user: the account to sign in as, or None (SMTP without authentication).
        path: the mailbox for IMAP (INBOX when the URL names none); empty for SMTP.
        tls: TLS from the start (imaps, smtps).
        starttls: upgrade a plain connection with STARTTLS, and refuse a server without it.
    """

    scheme: str
    host: str
    port: int
    user: str | None
    path: str
    tls: bool
    starttls: bool

    def __str__(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


def parse_server_url(url: str, schemes: tuple[str, str]) -> ServerAddress:
    """Reads a server URL of one of the two given schemes (plain, TLS).

    Raises:
        ValidationError: the URL is not one of those schemes or lacks a host.
    """
    if any(ch in url for ch in "\r\n\t "):
        raise ValidationError(f"A server address may not contain spaces or line breaks: {url!r}")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in schemes:
        raise ValidationError(f"{url!r} is not an address of the form {schemes[0]}://HOST:PORT "
                              f"(or {schemes[1]}://…).")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        raise ValidationError(f"The port in {url!r} is not a number between 1 and 65535.") from None
    if not parts.hostname:
        raise ValidationError(f"{url!r} names no server.")
    starttls = _flag(parse_qs(parts.query).get("starttls", ["0"])[-1], url)
    tls = scheme == schemes[1]
    if tls and starttls:
        raise ValidationError(f"{url!r} asks for STARTTLS on a connection that is TLS already.")
    return ServerAddress(
        scheme=scheme, host=parts.hostname, port=port,
        user=unquote(parts.username) if parts.username else None,
        path=unquote(parts.path.lstrip("/")), tls=tls, starttls=starttls,
    )


def _flag(value: str, url: str) -> bool:
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ValidationError(f"starttls in {url!r} must be 1 or 0, not {value!r}.")
