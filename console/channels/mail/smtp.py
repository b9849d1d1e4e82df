"""Mail delivery over SMTP: hands one message to the channel's server and says how that went.

Each ``send`` is one SMTP conversation (connect, optional STARTTLS and sign-in,
MAIL, RCPT, DATA, QUIT), so a dropped line never leaves a half-used
connection behind. The outcome is classified for the delivery queue:

- accepted: a ``Receipt`` with the server's final answer (and any recipients it refused);
- 4xx, no connection, a timeout: ``TemporaryFailure`` (an ``Unavailable``): retry later;
- 5xx: ``PermanentFailure`` carrying the server's text: the reply is "Not delivered";
- a refused account, or a server that wants a sign-in we do not do (530): ``CredentialsRefused``.

Header injection is refused before anything is sent: no header value and no
envelope address may contain a line break.
"""

from __future__ import annotations

import contextlib
import email.policy
import logging
import smtplib
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses
from io import BytesIO

from console.channels.errors import CredentialsRefused, PermanentFailure, TemporaryFailure
from console.channels.mail.urls import ServerAddress, parse_server_url
from console.errors import ValidationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Receipt:
    """The server took the message.

    Attributes:
        code: the answer to the end of DATA (250).
        response: the server's text for it (often carries its queue id).
        refused: recipients the server would not take, with (code, text); the others got it.
    """

    code: int
    response: str
    refused: dict[str, tuple[int, str]] = field(default_factory=dict)


class SmtpRelay:
    """The channel's outgoing server, reached from its URL (``smtp[s]://[USER@]HOST:PORT``).

    Args:
        url: see ``console.channels.mail.urls``; with a user, the relay signs in.
        password: the account's password, when the URL names a user.
        timeout_s: for connecting and for each answer.
        ssl_context: for smtps:// and STARTTLS; the system's trusted certificates by default.
        local_hostname: the name we give in EHLO (the machine's name by default).
    """

    def __init__(self, url: str, password: str | None = None, *, timeout_s: float = 30.0,
                 ssl_context: ssl.SSLContext | None = None, local_hostname: str | None = None) -> None:
        self.address: ServerAddress = parse_server_url(url, ("smtp", "smtps"))
        if self.address.user and password is None:
            raise ValidationError(f"{self.address} signs in as {self.address.user}: a password is needed.")
        self._password = password or ""
        self._timeout_s = timeout_s
        self._ssl_context = ssl_context or ssl.create_default_context()
        self._local_hostname = local_hostname

    def send(self, message: EmailMessage, *, sender: str | None = None,
             recipients: Sequence[str] | None = None) -> Receipt:
        """Sends the message to its To and Cc (or the given recipients), from its From (or ``sender``).

        Raises:
            ValidationError: the message could carry injected headers, or names nobody to send to.
            TemporaryFailure: try again later.
            PermanentFailure: the server refused the message for good.
            CredentialsRefused: the server refused the account.
        """
        envelope_from = sender if sender is not None else _addresses(message, "From")[0]
        envelope_to = list(recipients) if recipients is not None else _addresses(message, "To", "Cc")
        for address in (envelope_from, *envelope_to):
            _check_address(address)
        if not envelope_to:
            raise ValidationError("The message names nobody to send it to.")
        # An address with non-ASCII characters travels only over SMTPUTF8 (RFC 6531), headers raw.
        utf8 = not all(address.isascii() for address in (envelope_from, *envelope_to))
        raw = render(message, utf8=utf8)
        with self._conversation() as conn:
            return _transfer(conn, raw, envelope_from, envelope_to, utf8=utf8)

    @contextlib.contextmanager
    def _conversation(self) -> Iterator[smtplib.SMTP]:
        try:
            conn = self._open()
        except smtplib.SMTPAuthenticationError as refused:
            raise CredentialsRefused(f"The mail server {self.address} refused the user name or password "
                                     f"of this channel ({_reply_text(refused.smtp_error)}).") from refused
        except (smtplib.SMTPException, OSError) as problem:
            raise _classified(problem, self.address) from problem
        try:
            yield conn
        except (smtplib.SMTPException, OSError) as problem:
            raise _classified(problem, self.address) from problem
        finally:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                conn.quit()
            conn.close()

    def _open(self) -> smtplib.SMTP:
        address = self.address
        conn: smtplib.SMTP
        if address.tls:
            conn = smtplib.SMTP_SSL(address.host, address.port, local_hostname=self._local_hostname,
                                    timeout=self._timeout_s, context=self._ssl_context)
        else:
            conn = smtplib.SMTP(address.host, address.port, local_hostname=self._local_hostname,
                                timeout=self._timeout_s)
        try:
            conn.ehlo()
            if address.starttls:
                if not conn.has_extn("starttls"):
                    raise TemporaryFailure(
                        f"The mail server {address} does not offer STARTTLS; nothing is sent unencrypted.",
                        reason="no STARTTLS")
                conn.starttls(context=self._ssl_context)
                conn.ehlo()
            if address.user:
                conn.login(address.user, self._password)
        except BaseException:
            conn.close()
            raise
        return conn


def render(message: EmailMessage, *, utf8: bool = False) -> bytes:
    """The message as it goes on the wire (CRLF line ends, encoded words for non-ASCII headers).

    Args:
        message: the message.
        utf8: write headers as raw UTF-8 (for SMTPUTF8) instead of encoded words.

    Raises:
        ValidationError: a header value contains a line break (header injection), or a Bcc
            header is present (it would reach every recipient; pass such addresses as recipients).
    """
    for name, value in message.items():
        if "\r" in str(value) or "\n" in str(value):
            raise ValidationError(f"The {name} of the message contains a line break; it is not sent.")
        if name.lower() == "bcc":
            raise ValidationError("A Bcc header would reach every recipient: pass those addresses "
                                  "as recipients instead.")
    out = BytesIO()
    BytesGenerator(out, policy=email.policy.SMTPUTF8 if utf8 else email.policy.SMTP).flatten(message)
    return out.getvalue()


def _transfer(conn: smtplib.SMTP, raw: bytes, sender: str, recipients: list[str], *,
              utf8: bool) -> Receipt:
    options = ["BODY=8BITMIME"] if conn.has_extn("8bitmime") and not raw.isascii() else []
    if utf8:
        if not conn.has_extn("smtputf8"):
            raise PermanentFailure("The mail server cannot send to an address with non-ASCII characters "
                                   "(it does not offer SMTPUTF8).", code=None,
                                   reason="the server does not offer SMTPUTF8")
        options.append("SMTPUTF8")
    code, text = conn.mail(sender, options)
    if code == 530:
        # The server wants a sign-in the channel does not do: the account's fault, not the message's.
        raise CredentialsRefused(f"The mail server wants this channel to sign in ({code} "
                                 f"{_reply_text(text)}): give the SMTP address a user "
                                 "(smtp://USER@HOST) and a password.")
    if code != 250:
        raise _refusal(code, text, f"the sender {sender}")
    refused: dict[str, tuple[int, str]] = {}
    for recipient in recipients:
        code, text = conn.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, _reply_text(text))
    if len(refused) == len(recipients):
        conn.rset()
        # Retrying can still reach a recipient that answered 4xx: permanent only when all said 5xx.
        worst = min(refused.values()) if any(c < 500 for c, _ in refused.values()) else max(refused.values())
        raise _refusal(worst[0], worst[1].encode(), ", ".join(recipients))
    code, text = conn.data(raw)
    if code != 250:
        raise _refusal(code, text, "the message")
    log.info("Sent %d bytes to %d recipient(s): %s", len(raw), len(recipients) - len(refused),
             _reply_text(text))
    return Receipt(code, _reply_text(text), refused)


def _refusal(code: int, text: bytes | str, what: str) -> TemporaryFailure | PermanentFailure:
    reason = _reply_text(text)
    if 400 <= code < 500:
        return TemporaryFailure(f"The mail server did not take {what} for now ({code} {reason}); "
                                "it will be tried again.", code=code, reason=reason)
    return PermanentFailure(f"The mail server refused {what}: {code} {reason}", code=code, reason=reason)


def _classified(problem: BaseException, address: ServerAddress) -> TemporaryFailure | PermanentFailure:
    if isinstance(problem, TemporaryFailure):
        return problem
    if isinstance(problem, smtplib.SMTPResponseException):
        return _refusal(problem.smtp_code, problem.smtp_error, f"the connection from {address}")
    reason = str(problem) or type(problem).__name__
    return TemporaryFailure(f"The mail server {address} cannot be reached ({reason}); "
                            "the message will be tried again.", reason=reason)


def _addresses(message: EmailMessage, *headers: str) -> list[str]:
    found = [addr for _, addr in getaddresses([str(v) for h in headers for v in message.get_all(h, [])])]
    if headers == ("From",) and len(found) != 1:
        raise ValidationError("The message must have exactly one From address.")
    return [a for a in found if a]


def _check_address(address: str) -> None:
    if any(ch in address for ch in "\r\n<>") or address.count("@") > 1:
        raise ValidationError(f"{address!r} is not an e-mail address that can be sent to.")


def _reply_text(text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return " ".join(text.split())
