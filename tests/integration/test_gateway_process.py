"""``switchboard gateway`` as the process an operator runs: --once, SIGTERM, and kill -9 mid-send.

The gateway runs as a child process on the test's database, reading the
account's password from an environment variable (the headless set-up);
the test is the customer (Dovecot) and the outgoing server (aiosmtpd).
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import update

from console.clock import ManualClock
from console.domain.channel_accounts import DeliveryState
from console.store.db import Database
from console.store.models_channels import DeliveryJobRow
from tests.factories import World, small_world
from tests.integration.test_gateway import SUPPORT, mail
from tests.mailservers import PASSWORD, Dovecot, SmtpServer

pytestmark = pytest.mark.mail

ROOT = Path(__file__).resolve().parents[2]
PASSWORD_ENV = "SB_TEST_MAILBOX_PASSWORD"
SAFETY_NET_S = 60.0  # only a hung gateway waits this long


@pytest.fixture
def world(db: Database, clock: ManualClock, dovecot: Dovecot, smtp_server: SmtpServer) -> World:
    w = small_world(db, clock)
    w.services.channels.add_email(
        "support", address=SUPPORT, imap_url=f"imap://support@127.0.0.1:{dovecot.port}/INBOX",
        smtp_url=f"smtp://127.0.0.1:{smtp_server.port}", queue="Loans",
        password_env=PASSWORD_ENV)
    return w


def gateway(db_url: str, *args: str) -> subprocess.Popen[str]:
    env = os.environ | {PASSWORD_ENV: PASSWORD, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "console.cli", "--db", db_url, "gateway",
                             "--name", "gw-proc", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def finished(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=SAFETY_NET_S)
    return process.returncode, out, err


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + SAFETY_NET_S
    while not condition():
        assert time.monotonic() < deadline, "the gateway never got there"
        threading.Event().wait(0.05)  # polling the database a child process writes


def delivered(dovecot: Dovecot) -> list[email.message.Message]:
    return [email.message_from_bytes(raw, policy=email.policy.default)
            for raw in dovecot.read_all("customer")]


def test_once_takes_mail_in_sends_replies_and_says_what_it_did(
        world: World, db_url: str, dovecot: Dovecot) -> None:
    dovecot.append("support", mail(sender="customer@example.jp"))
    code, out, err = finished(gateway(db_url, "--once"))
    assert code == 0, err
    assert "1 message(s) taken in from 1 mailbox(es); 0 reply(ies) sent" in out
    assert "UID" in err and "new_contact" in err  # each step is logged
    contact = world.services.inbox.get(_newest_email_contact(world))
    assert contact.subject == "住宅ローンについて"


def test_sigterm_stops_the_gateway_cleanly_and_nothing_is_taken_in_twice(
        world: World, db_url: str, dovecot: Dovecot) -> None:
    process = gateway(db_url, "--lease", "30")
    try:
        until(lambda: world.services.channels.show("support").status.lease_holder == "gw-proc")
        for n in range(5):
            dovecot.append("support", mail(sender="customer@example.jp", message_id=f"s{n}@x"))
        until(lambda: _inbound_count(world) == 5)
        process.send_signal(signal.SIGTERM)
        code, _, err = finished(process)
    finally:
        if process.poll() is None:
            process.kill()
    assert code == 0, err
    assert "stopping after the current step" in err and "stopped" in err
    assert world.services.channels.show("support").status.lease_holder is None
    code, out, _ = finished(gateway(db_url, "--once"))
    assert code == 0 and out.startswith("0 message(s) taken in")
    assert _inbound_count(world) == 5


def _inbound_count(world: World) -> int:
    from sqlalchemy import func, select

    from console.store.models_channels import InboundMailRecord

    with world.services.db.read() as s:
        return int(s.execute(select(func.count()).select_from(InboundMailRecord)).scalar_one())


def test_kill_9_after_the_server_took_a_reply_resends_it_once_with_the_same_message_id(
        world: World, db_url: str, dovecot: Dovecot, smtp_server: SmtpServer) -> None:
    dovecot.append("support", mail(sender="customer@example.jp"))
    assert finished(gateway(db_url, "--once"))[0] == 0
    contact_id = _newest_email_contact(world)
    world.services.inbox.reply(contact_id, "kenji", "ご連絡ありがとうございます。")
    process = gateway(db_url, "--once")
    # The server has the message; the gateway dies before it hears "250" or records anything.
    smtp_server.handler.after_delivery = lambda: os.kill(process.pid, signal.SIGKILL)
    code, _, _ = finished(process)
    smtp_server.handler.after_delivery = None
    assert code == -signal.SIGKILL
    [job] = _jobs(world)
    assert job.state == DeliveryState.SENDING and len(delivered(dovecot)) == 1

    # Its lock runs out (as it would after five minutes), and the next gateway sends it again.
    with world.services.db.write() as s:
        s.execute(update(DeliveryJobRow).values(locked_until=job.created_at))
    code, _, err = finished(gateway(db_url, "--once"))
    assert code == 0, err
    copies = delivered(dovecot)
    assert len(copies) == 2 and copies[0]["Message-ID"] == copies[1]["Message-ID"] == (
        job.rfc822_message_id)
    [job] = _jobs(world)
    assert job.state == DeliveryState.SENT and job.attempts == 2
    code, out, _ = finished(gateway(db_url, "--once"))
    assert "0 reply(ies) sent" in out and len(delivered(dovecot)) == 2


def _newest_email_contact(world: World) -> int:
    from sqlalchemy import select

    from console.domain import Channel
    from console.store.models import Contact

    with world.services.db.read() as s:
        return int(s.execute(select(Contact.id).where(Contact.channel == Channel.EMAIL)
                             .order_by(Contact.id.desc()).limit(1)).scalar_one())


def _jobs(world: World) -> list[DeliveryJobRow]:
    from sqlalchemy import select

    with world.services.db.read() as s:
        return list(s.execute(select(DeliveryJobRow)).scalars())
