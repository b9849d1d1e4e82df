"""What a channel account may store as its servers and address: checked when an admin adds it.

The URL grammar is the transport's (console.channels.mail.urls: ``imaps``/``smtps``
speak TLS from the first byte, ``imap``/``smtp`` are plain unless the URL ends
``?starttls=1``), so what is stored is exactly what the gateway connects
with. On top of it an account's URLs must name the IMAP user, give SMTP no
path, and carry no password: URLs are stored in the database, the password
goes to console.channels.secrets.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from urllib.parse import urlsplit

from console.channels.mail.urls import ServerAddress, parse_server_url
from console.errors import ValidationError

MAX_URL = 500
MAX_MAILBOX = 200
# One-label domains (loans@localhost) pass: internal and test servers use them.
_ADDRESS = re.compile(r"[^@\s<>()\[\],;:\"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


def check_imap_url(url: str) -> ServerAddress:
    """``imap[s]://USER@HOST[:PORT][/MAILBOX][?starttls=1]``; the mailbox defaults to INBOX.

    Raises:
        ValidationError: saying what is wrong.
    """
    address = parse_server_url(_plain(url, "IMAP"), ("imap", "imaps"))
    if address.user is None:
        raise ValidationError(f"The IMAP URL needs the user to sign in as: "
                              f"{address.scheme}://USER@{address.host}/INBOX.")
    if any(ord(ch) < 32 for ch in address.path) or len(address.path) > MAX_MAILBOX:
        raise ValidationError("The IMAP mailbox name has control characters or is too long.")
    return address


def check_smtp_url(url: str) -> ServerAddress:
    """``smtp[s]://[USER@]HOST[:PORT][?starttls=1]``; without a user, no authentication.

    Raises:
        ValidationError: saying what is wrong.
    """
    address = parse_server_url(_plain(url, "SMTP"), ("smtp", "smtps"))
    if address.path:
        raise ValidationError("An SMTP URL has no path: smtp://USER@HOST:PORT.")
    return address


def check_address(address: str) -> str:
    """The account's own e-mail address (the From of replies), checked."""
    name, found = parseaddr(address)
    if name or found != address.strip() or not _ADDRESS.fullmatch(found):
        raise ValidationError(f"'{address[:80]}' is not an e-mail address like support@example.com.")
    return found


def _plain(url: str, what: str) -> str:
    """``url`` stripped, checked to be short and to hold no password."""
    text = url.strip()
    if not text or len(text) > MAX_URL or any(ord(ch) < 32 for ch in text):
        raise ValidationError(f"The {what} URL is empty, too long or has control characters.")
    try:
        password = urlsplit(text).password
    except ValueError:
        password = None  # the transport's parser says what is wrong with it
    if password is not None:
        raise ValidationError(f"Put no password in the {what} URL (it would be stored in the "
                              "database); give the password on its own (the password field, "
                              "or --password-stdin).")
    return text
