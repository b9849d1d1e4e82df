"""The rig of ``switchboard bench-channels``: its own mail servers, queue, agent and e-mail account."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy import select

from console.app import Services
from console.channels.secrets import SecretStore
from console.errors import Unavailable, ValidationError
from console.store.models import Queue

if TYPE_CHECKING:
    from tools.mailservers import Dovecot, SmtpServer

QUEUE, AGENT, ACCOUNT = "Channel benchmark", "chanbench", "bench-mail"
SUPPORT = "support@bench.example"
PASSWORD_ENV = "SWITCHBOARD_BENCH_MAILBOX_PASSWORD"  # noqa: S105 -- a variable's name


@contextmanager
def mail_servers() -> Iterator[tuple[Dovecot, SmtpServer]]:
    """A private Dovecot and an SMTP server delivering into it, stopped afterwards.

    Raises:
        Unavailable: Dovecot, openssl or aiosmtpd is not installed (one line saying so).
    """
    try:
        from tools.mailservers import DOVECOT_ENV, SmtpServer, dovecot_binary, start_dovecot
    except ImportError as missing:
        raise Unavailable(f"bench-channels needs aiosmtpd ({missing.name} is not installed: "
                          "pip install aiosmtpd, or install the project's test extras).") from None
    binary = dovecot_binary()
    if binary is None:
        raise Unavailable(f"Dovecot is not installed; bench-channels needs it (apt-get install "
                          f"dovecot-imapd, or name the binary in ${DOVECOT_ENV}).")
    if shutil.which("openssl") is None:
        raise Unavailable("openssl is not installed; bench-channels needs it for Dovecot's "
                          "certificate.")
    dovecot = start_dovecot(binary)
    try:
        smtp = SmtpServer(dovecot)
        smtp.start()
        try:
            yield dovecot, smtp
        finally:
            smtp.stop()
    finally:
        dovecot.stop()


def prepare(services: Services, dovecot: Dovecot, smtp: SmtpServer) -> int:
    """The benchmark's queue, agent and e-mail account on an empty database; the account id."""
    with services.db.read() as s:
        if s.execute(select(Queue.id).where(Queue.name == QUEUE)).first() is not None:
            raise ValidationError(f"The queue '{QUEUE}' exists already: use an empty database.")
    services.admin.create_queue(QUEUE, description="created by switchboard bench-channels")
    services.admin.create_agent(AGENT, "Channel Benchmark", queues=[QUEUE])
    return services.channels.add_email(
        ACCOUNT, address=SUPPORT, imap_url=f"imap://support@127.0.0.1:{dovecot.port}/INBOX",
        smtp_url=f"smtp://127.0.0.1:{smtp.port}", queue=QUEUE,
        password_env=PASSWORD_ENV).value.id


def gateway_secrets() -> SecretStore:
    """Where the benchmark's gateways find the mailbox password (the account's ``env:``)."""
    from tools.mailservers import PASSWORD

    return SecretStore(environ={PASSWORD_ENV: PASSWORD})
