"""Mail intake over IMAP: fetches a mailbox's new messages by UID and waits for more with IDLE.

The transport only reads: the mailbox is opened read-only and bodies are
fetched with ``BODY.PEEK[]``, so nothing is marked as read or moved on the
server. Exactly-once intake rests on the caller keeping ``(UIDVALIDITY,
last UID)`` (and deduplicating by Message-ID when UIDVALIDITY changes).

Errors: an unreachable server, a timeout or a dropped line is
``console.errors.Unavailable``; a refused user name or password is
``CredentialsRefused``; a mailbox that does not exist is ``ValidationError``.
After any of these the connection is dropped and the next call reconnects.
"""

from __future__ import annotations

import contextlib
import logging
import ssl
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError
from imapclient.imapclient import SocketTimeout

from console.channels.errors import CredentialsRefused
from console.channels.mail.urls import ServerAddress, parse_server_url
from console.errors import Unavailable, ValidationError

log = logging.getLogger(__name__)

# RFC 2177: a server may drop an IDLE after 30 minutes; renew well before.
MAX_IDLE_S = 25 * 60
# How often an IDLE wait looks at the caller's stop event: the longest a stop waits.
STOP_CHECK_S = 0.5
# Readable-but-empty wake-ups in a row that mean the server has closed the line.
EMPTY_WAKES_LOST = 3
FETCH_CHUNK = 25  # messages per FETCH command, so one huge mailbox is not one huge answer


@dataclass(frozen=True)
class FetchedMail:
    """One message as the server stores it.

    Attributes:
        uid: its UID in the mailbox (valid together with the batch's UIDVALIDITY).
        raw: the message's bytes, exactly as received — only its header when it is too large.
        size: the whole message's size in bytes, as the server counts it.
        complete: False when the message is over the mailbox's size limit and ``raw`` holds
            its header only (enough to answer the sender politely, never to store it half).
    """

    uid: int
    raw: bytes
    size: int
    complete: bool = True


@dataclass(frozen=True)
class Batch:
    """What ``fetch_new`` found.

    Attributes:
        uidvalidity: the mailbox's current UIDVALIDITY; store it with the last UID.
        messages: new messages in UID order.
        uidvalidity_changed: the caller's UIDVALIDITY is no longer the mailbox's: UIDs were
            reassigned, so this batch starts again from the first message and the caller must
            recognise messages it already has (by Message-ID).
        more: the batch stopped at the size limit; call again for the rest.
    """

    uidvalidity: int
    messages: tuple[FetchedMail, ...]
    uidvalidity_changed: bool
    more: bool

    @property
    def last_uid(self) -> int | None:
        """The highest UID in the batch, or None for an empty one."""
        return self.messages[-1].uid if self.messages else None


class ImapMailbox:
    """One mailbox of one account, reached from its URL (``imap[s]://USER@HOST:PORT/MAILBOX``).

    Connects on first use and after an error. Not thread-safe: one gateway
    worker owns one instance.

    Args:
        url: the mailbox's address; see ``console.channels.mail.urls``.
        password: the account's password (the caller fetches it from where secrets live).
        timeout_s: for connecting and for each answer the server owes us.
        batch_size: the most messages one ``fetch_new`` returns.
        max_message_bytes: larger messages come with their header only (``complete=False``).
        ssl_context: for imaps:// and STARTTLS; the system's trusted certificates by default.
    """

    def __init__(self, url: str, password: str, *, timeout_s: float = 30.0, batch_size: int = 100,
                 max_message_bytes: int = 25 * 1024 * 1024,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.address: ServerAddress = parse_server_url(url, ("imap", "imaps"))
        if not self.address.user:
            raise ValidationError(f"{url!r} names no user: write imap://USER@HOST/MAILBOX.")
        if batch_size < 1:
            raise ValidationError("A batch must hold at least one message.")
        self.mailbox = self.address.path or "INBOX"
        self._password = password
        self._timeout_s = timeout_s
        self._batch_size = batch_size
        self._max_bytes = max_message_bytes
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._client: IMAPClient | None = None
        # Whether the last fetch_new left nothing behind, and the UIDNEXT it saw then.
        self._caught_up = False
        self._caught_up_at: int | None = None

    @property
    def supports_idle(self) -> bool:
        """Whether the server pushes changes (IDLE); without it the caller polls."""
        with self._mapped_errors("ask the server what it supports"):
            return bool(self._connected().has_capability("IDLE"))

    def fetch_new(self, uidvalidity: int | None, last_uid: int) -> Batch:
        """The messages after ``last_uid``, at most ``batch_size`` of them, in UID order.

        Args:
            uidvalidity: the UIDVALIDITY ``last_uid`` belongs to, or None on first contact.
            last_uid: the highest UID already taken in (0 for none).
        """
        with self._mapped_errors(f"read the mailbox {self.mailbox}"):
            client = self._connected()
            current, uidnext = self._select(client)
            changed = uidvalidity is not None and uidvalidity != current
            after = 0 if changed else last_uid
            # "N:*" always matches the highest message, even when its UID is below N: filter.
            uids = sorted(uid for uid in client.search(["UID", f"{after + 1}:*"]) if uid > after)
            wanted, more = uids[: self._batch_size], len(uids) > self._batch_size
            messages = tuple(self._fetch(client, wanted))
            self._caught_up, self._caught_up_at = not more, uidnext
        if changed:
            log.warning("UIDVALIDITY of %s changed from %s to %s: reading it again from the start",
                        self, uidvalidity, current)
        log.info("%s: %d new message(s) after UID %d", self, len(messages), after)
        return Batch(current, messages, changed, more)

    def wait_for_changes(self, timeout_s: float, stop_event: threading.Event | None = None,
                         on_idle: Callable[[], None] | None = None) -> bool:
        """Waits until the mailbox changes, the timeout passes or ``stop_event`` is set.

        Returns at once with False when the server has no IDLE (the caller then
        waits its poll interval itself), and at once with True when mail arrived
        since the last ``fetch_new`` — so nothing that lands between a fetch and
        the IDLE is missed.

        Args:
            timeout_s: the longest wait (capped at 25 minutes, as RFC 2177 asks).
            stop_event: when set, the wait ends within half a second.
            on_idle: called once the server is listening for changes (for tests and timings).

        Returns:
            True when there may be new mail to fetch, False otherwise.
        """
        with self._mapped_errors(f"wait for mail in {self.mailbox}"):
            client = self._connected()
            if not client.has_capability("IDLE"):
                return False
            _, uidnext = self._select(client)
            # A server that does not tell UIDNEXT (RFC 3501 says it must) is trusted to send EXISTS.
            if not self._caught_up or (uidnext is not None and uidnext != self._caught_up_at):
                return True
            return self._idle(client, min(timeout_s, MAX_IDLE_S), stop_event, on_idle)

    def close(self) -> None:
        """Signs out and closes the connection (quietly: the server may be gone already)."""
        client, self._client = self._client, None
        if client is None:
            return
        with contextlib.suppress(IMAPClientError, OSError):
            client.logout()
        with contextlib.suppress(OSError):
            client.shutdown()

    def __enter__(self) -> ImapMailbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __str__(self) -> str:
        return f"{self.address}/{self.mailbox}"

    def _idle(self, client: IMAPClient, timeout_s: float, stop_event: threading.Event | None,
              on_idle: Callable[[], None] | None) -> bool:
        deadline = time.monotonic() + timeout_s
        client.idle()
        try:
            if on_idle is not None:
                on_idle()
            changed = self._idle_until_change(client, deadline, stop_event)
        except BaseException:
            # The line is probably gone; ending the IDLE politely must not hide why.
            with contextlib.suppress(IMAPClientError, OSError):
                client.idle_done()
            raise
        client.idle_done()
        return changed

    @staticmethod
    def _idle_until_change(client: IMAPClient, deadline: float, stop_event: threading.Event | None) -> bool:
        empty_wakes = 0
        while stop_event is None or not stop_event.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            wait_s = min(left, STOP_CHECK_S)
            started = time.monotonic()
            # The socket wait is the real wait; slicing it only lets a stop request through.
            responses = client.idle_check(timeout=wait_s)
            if any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses):
                return True
            # imapclient swallows end-of-file during IDLE: a socket that is readable again and
            # again yet yields no line has been closed by the other side.
            quick = not responses and time.monotonic() - started < wait_s / 10
            empty_wakes = empty_wakes + 1 if quick else 0
            if empty_wakes >= EMPTY_WAKES_LOST:
                raise IMAPClientAbortError("the server closed the connection")
        return False

    def _connected(self) -> IMAPClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> IMAPClient:
        address = self.address
        client = IMAPClient(address.host, port=address.port, ssl=address.tls,
                            ssl_context=self._ssl_context,
                            timeout=SocketTimeout(connect=self._timeout_s, read=self._timeout_s))
        try:
            if address.starttls:
                if not client.has_capability("STARTTLS"):
                    raise Unavailable(f"The mail server {address} does not offer STARTTLS; the password "
                                      "is not sent unencrypted. Check the address or the server.")
                client.starttls(self._ssl_context)
            client.login(address.user or "", self._password)
        except BaseException:
            with contextlib.suppress(OSError):
                client.shutdown()
            raise
        log.info("Signed in to %s", self)
        return client

    def _select(self, client: IMAPClient) -> tuple[int, int | None]:
        """Opens the mailbox read-only; returns its UIDVALIDITY and UIDNEXT (None if not told)."""
        try:
            status = client.select_folder(self.mailbox, readonly=True)
        except IMAPClientAbortError:
            raise
        except IMAPClientError as refused:
            raise ValidationError(f"The mailbox {self.mailbox!r} cannot be opened on {self.address}: "
                                  f"{_text(refused)}") from refused
        uidnext = status.get(b"UIDNEXT")
        return int(status[b"UIDVALIDITY"]), int(uidnext) if uidnext is not None else None

    def _fetch(self, client: IMAPClient, uids: list[int]) -> Iterator[FetchedMail]:
        sizes = {uid: int(data[b"RFC822.SIZE"]) for uid, data in client.fetch(uids, ["RFC822.SIZE"]).items()
                 if b"RFC822.SIZE" in data} if uids else {}
        # A message expunged between SEARCH and FETCH is simply not there.
        present = [uid for uid in uids if uid in sizes]
        for start in range(0, len(present), FETCH_CHUNK):
            chunk = present[start: start + FETCH_CHUNK]
            whole = [uid for uid in chunk if sizes[uid] <= self._max_bytes]
            answer = client.fetch(whole, ["BODY.PEEK[]"]) if whole else {}
            oversized = [uid for uid in chunk if sizes[uid] > self._max_bytes]
            headers = client.fetch(oversized, ["BODY.PEEK[HEADER]"]) if oversized else {}
            for uid in chunk:
                if uid in answer and b"BODY[]" in answer[uid]:
                    yield FetchedMail(uid, bytes(answer[uid][b"BODY[]"]), sizes[uid])
                elif uid in headers and b"BODY[HEADER]" in headers[uid]:
                    log.warning("%s: message UID %d has %d bytes, over the limit of %d: header only",
                                self, uid, sizes[uid], self._max_bytes)
                    yield FetchedMail(uid, bytes(headers[uid][b"BODY[HEADER]"]), sizes[uid], complete=False)

    @contextlib.contextmanager
    def _mapped_errors(self, action: str) -> Iterator[None]:
        try:
            yield
        except LoginError as refused:
            self.close()
            raise CredentialsRefused(f"The mail server {self.address} refused the user name or password "
                                     f"of this channel ({_text(refused)}).") from refused
        except (Unavailable, ValidationError):
            self.close()
            raise
        except ssl.SSLCertVerificationError as untrusted:
            self.close()
            raise Unavailable(f"Could not {action}: the certificate of {self.address} is not trusted "
                              f"({untrusted.verify_message}).") from untrusted
        except (OSError, IMAPClientAbortError) as lost:  # refused, reset, timed out, BYE
            self.close()
            raise Unavailable(f"Could not {action}: the mail server {self.address} cannot be reached "
                              f"({_text(lost)}).") from lost


def _text(problem: BaseException) -> str:
    text = str(problem) or type(problem).__name__
    if text.startswith(("b'", 'b"')):  # imaplib puts the server's bytes in its messages
        text = text[2:-1]
    return text
