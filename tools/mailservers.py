"""Real mail servers for the tests and the channel benchmark: a private Dovecot and an aiosmtpd server.

Dovecot runs from its own configuration in a temporary directory, on free
127.0.0.1 ports, with a passwd-file of test users: nothing of the machine's
own mail setup is read or touched. The SMTP server delivers what it accepts
into those users' mailboxes with IMAP APPEND, so a test reads back what was
"sent" exactly as the customer's mail program would.

It lives in tools/ because ``switchboard bench-channels`` starts the same
servers; tests import it too, product code never does.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

DOVECOT = "/usr/sbin/dovecot"
OPENSSL = "openssl"
PASSWORD = "correct horse"  # noqa: S105 -- every user's password on this private server
USERS = ("support", "customer")
# The account tests sign in to with a wrong password (it never gets mail).
STRANGER = "stranger"
# Dovecot refuses mail access as root, so as root the whole server runs as this user.
UNPRIVILEGED_USER = "nobody"


DOVECOT_ENV = "SWITCHBOARD_TEST_DOVECOT"  # another Dovecot binary to test with


def dovecot_binary() -> str | None:
    """The Dovecot binary (``$SWITCHBOARD_TEST_DOVECOT`` if set), or None when it is not installed."""
    wanted = os.environ.get(DOVECOT_ENV)
    if wanted:
        return wanted if os.access(wanted, os.X_OK) else None
    return shutil.which("dovecot") or (DOVECOT if os.access(DOVECOT, os.X_OK) else None)


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_listening(port: int, process: subprocess.Popen[bytes] | None = None,
                         timeout_s: float = 10.0) -> None:
    """Returns once something accepts connections on the port; raises if it never does."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the server exited with status {process.returncode}") from None
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout_s} s") from None
            # A connect attempt is the wait; this pause only keeps the retry loop off the CPU.
            time.sleep(0.02)


@dataclass
class Dovecot:
    """A running private Dovecot: ``port`` speaks IMAP (STARTTLS offered), ``tls_port`` IMAPS."""

    root: Path
    port: int
    tls_port: int
    cert: Path
    process: subprocess.Popen[bytes]

    def client(self, user: str = "support", *, tls: bool = False) -> IMAPClient:
        """A signed-in IMAP client for a test user (the caller logs out)."""
        if tls:
            client = IMAPClient("127.0.0.1", port=self.tls_port, ssl=True, ssl_context=self.ssl_context())
        else:
            client = IMAPClient("127.0.0.1", port=self.port, ssl=False)
        client.login(user, PASSWORD)
        return client

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts exactly this server's self-signed certificate."""
        return ssl.create_default_context(cafile=str(self.cert))

    def append(self, user: str, raw: bytes, mailbox: str = "INBOX") -> None:
        """Puts a message into a user's mailbox, as a mail server's delivery would."""
        with self.client(user) as client:
            client.append(mailbox, raw)
            client.logout()

    def read_all(self, user: str, mailbox: str = "INBOX") -> list[bytes]:
        """Every message in a user's mailbox, raw, in UID order."""
        client = self.client(user)
        try:
            client.select_folder(mailbox, readonly=True)
            uids = sorted(client.search("ALL"))
            fetched = client.fetch(uids, ["BODY.PEEK[]"]) if uids else {}
            return [fetched[uid][b"BODY[]"] for uid in uids]
        finally:
            client.logout()

    def empty(self, user: str, mailbox: str = "INBOX") -> None:
        """Deletes every message in a user's mailbox (so tests do not see each other's mail)."""
        client = self.client(user)
        try:
            client.select_folder(mailbox)
            uids = client.search("ALL")
            if uids:
                client.delete_messages(uids)
                client.expunge()
        finally:
            client.logout()

    def stop(self) -> None:
        """Stops the server and its children and removes its directory."""
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its children, then itself
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # Dovecot runs in a process group of its own (start_new_session): whatever of it is
        # still there after the master has gone is ended here, so nothing outlives the tests.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def _run_as() -> pwd.struct_passwd:
    uid = os.getuid()
    return pwd.getpwnam(UNPRIVILEGED_USER) if uid == 0 else pwd.getpwuid(uid)


def _self_signed_cert(root: Path) -> tuple[Path, Path]:
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(  # noqa: S603 -- openssl with our own arguments
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )
    return cert, key


def _config(root: Path, account: pwd.struct_passwd, port: int, tls_port: int,
            cert: Path, key: Path) -> str:
    user = account.pw_name
    group = _group_name(account.pw_gid)
    return f"""\
# A private test server: nothing here reads the system's own Dovecot configuration.
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
default_internal_user = {user}
default_internal_group = {group}
default_login_user = {user}
mail_uid = {user}
mail_gid = {group}
first_valid_uid = {account.pw_uid}
last_valid_uid = {account.pw_uid}
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u
# Plain passwords over an unencrypted port are what the tests of imap:// need.
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once: the tests of it need no 2 s penalty.
auth_failure_delay = 0
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  # chroot needs root; an unprivileged test run cannot have it.
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
  # No penalty for the IP after a wrong password: the next test's logins would wait 4 s.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
"""


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def start_dovecot(binary: str) -> Dovecot:
    """Starts a private Dovecot and returns once it accepts IMAP connections."""
    account = _run_as()
    root = Path(tempfile.mkdtemp(prefix="switchboard-dovecot-"))
    # The server's unprivileged processes must reach their mail and run directories.
    root.chmod(0o755)
    cert, key = _self_signed_cert(root)
    (root / "mail").mkdir()
    users = "".join(f"{name}:{{PLAIN}}{PASSWORD}::::{root}/home/{name}::\n" for name in (*USERS, STRANGER))
    (root / "users").write_text(users)
    port, tls_port = free_port(), free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, account, port, tls_port, cert, key))
    for path in (root / "mail", key):
        os.chown(path, account.pw_uid, account.pw_gid)
    with (root / "stderr.log").open("wb") as stderr:
        process = subprocess.Popen(  # noqa: S603 -- the Dovecot binary, with our own config
            [binary, "-F", "-c", str(config)], start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=stderr)
    server = Dovecot(root, port, tls_port, cert, process)
    try:
        wait_until_listening(port, process)
        wait_until_listening(tls_port, process)
    except (RuntimeError, TimeoutError) as problem:
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        said = (root / "stderr.log").read_text()
        server.stop()
        raise RuntimeError(f"Dovecot did not start: {problem}\n{said}\n{log}") from problem
    return server


class DeliveringHandler:
    """aiosmtpd handler: refuses the recipients it is told to, delivers the rest into Dovecot.

    A recipient ``NAME@anything`` is delivered to the Dovecot user NAME; every
    accepted envelope is also kept in ``received`` for tests that look at the
    envelope itself.
    """

    def __init__(self, dovecot: Dovecot) -> None:
        self._dovecot = dovecot
        self.refusals: dict[str, str] = {}
        self.require_sign_in = False
        self.received: list[Envelope] = []
        # Called after a message is delivered and before the server answers 250.
        self.after_delivery: Callable[[], None] | None = None
        self._lock = threading.Lock()

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        if self.require_sign_in and not session.authenticated:
            return "530 5.7.0 Authentication required"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        refusal = self.refusals.get(address.lower())
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        for address in envelope.rcpt_tos:
            user = address.split("@", 1)[0].lower()
            if user in USERS:
                self._dovecot.append(user, raw)
        with self._lock:
            self.received.append(envelope)
        if self.after_delivery is not None:
            self.after_delivery()
        return "250 Message accepted for delivery"


class SmtpServer:
    """An aiosmtpd server on a free 127.0.0.1 port, delivering into a Dovecot.

    Args:
        dovecot: where accepted mail goes; its certificate serves the TLS modes too.
        tls: "" (plain), "starttls" (offers STARTTLS and AUTH after it, with the test
            users' password) or "smtps" (TLS from the first byte, AUTH required).
        smtputf8: offer SMTPUTF8 (addresses with non-ASCII characters).

    Attributes:
        port: where it listens.
        handler: the handler; set ``handler.refusals[address] = "451 ..."`` to refuse a recipient.
    """

    def __init__(self, dovecot: Dovecot, tls: str = "", *, smtputf8: bool = False) -> None:
        self.handler = DeliveringHandler(dovecot)
        self.port = free_port()
        self.tls = tls
        kwargs: dict[str, object] = {"enable_SMTPUTF8": smtputf8}
        if tls:
            server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            server_context.load_cert_chain(dovecot.cert, dovecot.root / "key.pem")
            # aiosmtpd only counts STARTTLS as TLS for AUTH, so with smtps the handler,
            # not the server, insists on a signed-in sender (see DeliveringHandler.handle_MAIL).
            self.handler.require_sign_in = True
            kwargs |= {"authenticator": _check_password, "auth_require_tls": tls == "starttls"}
            kwargs["tls_context" if tls == "starttls" else "ssl_context"] = server_context
            if tls == "smtps":
                kwargs["server_hostname"] = "127.0.0.1"
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                      decode_data=False, **kwargs)  # type: ignore[arg-type]

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop()

    def reset(self) -> None:
        self.handler.refusals.clear()
        self.handler.received.clear()
        self.handler.after_delivery = None


def _check_password(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                    auth_data: object) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() in USERS
          and auth_data.password.decode() == PASSWORD)
    return AuthResult(success=ok, handled=False)
