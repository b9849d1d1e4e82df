"""The latencies of ``switchboard bench-channels``: customer mail to a screen, a reply to a mailbox.

A real ``switchboard gateway`` child process serves the benchmark's account
(it waits for mail with IMAP IDLE), and a real ``switchboard watch`` child
process stands for an agent's window. Customer mail is appended to the
``support`` mailbox one message at a time, at irregular intervals, and timed
from just before the APPEND until ``watch`` prints the new thread message.
Replies are written through the door as an agent (as the window writes them)
and timed until the SMTP server has put them into the ``customer`` mailbox.
The first of each is a warm-up and is not counted.

Dovecot tells IDLE clients of new mail 500 ms after it lands (its
NOTIFY_DELAY_MSECS, which gathers a burst of deliveries into one notice), so
that much of every mail-to-screen figure is the server's, not ours.
"""

from __future__ import annotations

import queue
import random
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from console.app import Services
from console.errors import Unavailable
from console.security.guard import authorize
from console.security.principal import Principal
from console.store.models_channels import InboundMailRecord
from tools.bench import summarize
from tools.channel_corpus import CorpusMail, customer_mail
from tools.channel_rig import ACCOUNT, AGENT, PASSWORD_ENV, SUPPORT
from tools.watching import Change, Watcher, child_environment, switchboard_command

if TYPE_CHECKING:
    from tools.mailservers import Dovecot, SmtpServer

TARGET_MS = 2000.0
GATEWAY = "bench-serve"
CUSTOMER = "customer@bench.example"  # delivered to the Dovecot user "customer"
WARM_UP = 1
ARRIVAL_TIMEOUT_S = 30.0
START_TIMEOUT_S = 60.0


def measure_latencies(services: Services, url: str, dovecot: Dovecot, smtp: SmtpServer, *,
                      samples: int, rng: random.Random, logs: Path) -> dict[str, Any]:
    """``mail_to_screen`` and ``reply_to_mailbox``, ``samples`` of each (p50/p95/max)."""
    mails = customer_mail(samples + WARM_UP, to=SUPPORT, seed=rng.randrange(1 << 30),
                          prefix="s", sender=CUSTOMER)
    with _serving_gateway(services, url, logs / "gateway.log"), Watcher(url) as watcher:
        idle, screen_ms, contacts = _mail_to_screen(services, dovecot, watcher, mails, rng)
        reply_ms = _reply_to_mailbox(services, smtp, contacts, samples + WARM_UP, rng)
    return {"mail_to_screen": {**_summary(screen_ms), "idle": idle},
            "reply_to_mailbox": _summary(reply_ms)}


def _summary(samples_ms: list[float]) -> dict[str, Any]:
    timed = samples_ms[WARM_UP:]
    return {**summarize(timed, target_ms=TARGET_MS), "max_ms": round(max(timed), 3)}


@contextmanager
def _serving_gateway(services: Services, url: str, log_path: Path) -> Iterator[None]:
    """``switchboard gateway`` serving the account until the block ends (then SIGTERM)."""
    from tools.mailservers import PASSWORD

    with log_path.open("w", encoding="utf-8") as log:
        child = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
            switchboard_command(url, "gateway", "--name", GATEWAY), stdout=subprocess.DEVNULL,
            stderr=log, env=child_environment({PASSWORD_ENV: PASSWORD}))
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while services.channels.show(ACCOUNT).status.lease_holder != GATEWAY:
            if child.poll() is not None or time.monotonic() > deadline:
                raise Unavailable(f"The gateway did not start serving; see its log: "
                                  f"{_last_line(log_path)}")
            time.sleep(0.05)  # polling the database the child writes
        yield
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _last_line(path: Path) -> str:
    lines = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    return lines[-1] if lines else "(empty)"


def _mail_to_screen(services: Services, dovecot: Dovecot, watcher: Watcher,
                    mails: list[CorpusMail], rng: random.Random) -> tuple[bool, list[float], list[int]]:
    """Whether the server offers IDLE, the latencies (ms) and the contacts the mail joined."""
    latencies: list[float] = []
    contacts: list[int] = []
    client = dovecot.client("support")  # signed in beforehand: the APPEND alone is timed
    try:
        idle = bool(client.has_capability("IDLE"))
        for mail in mails:
            time.sleep(rng.uniform(0.1, 0.6))  # irregular arrivals, the gateway back in IDLE
            watcher.forget_earlier()
            started = time.perf_counter()
            client.append("INBOX", mail.raw)
            at, contact_id = _shown(services, watcher, mail)
            latencies.append((at - started) * 1000)
            contacts.append(contact_id)
    finally:
        client.logout()
    return idle, latencies, contacts


def _shown(services: Services, watcher: Watcher, mail: CorpusMail) -> tuple[float, int]:
    """When ``watch`` printed the thread message ``mail`` became, and its contact."""
    deadline = time.perf_counter() + ARRIVAL_TIMEOUT_S
    what = f"the message {mail.message_id}"
    while True:
        at, change = watcher.arrival(_new_message, deadline - time.perf_counter(), what)
        with services.db.read() as s:
            row = s.execute(select(InboundMailRecord.message_id, InboundMailRecord.contact_id)
                            .where(InboundMailRecord.rfc822_message_id == mail.message_id)).first()
        if row is not None and str(row.message_id) == change["id"] and row.contact_id is not None:
            return at, int(row.contact_id)


def _new_message(change: Change) -> bool:
    return bool(change["entity"] == "message" and change["op"] == "insert")


def _reply_to_mailbox(services: Services, smtp: SmtpServer, contacts: list[int], n: int,
                      rng: random.Random) -> list[float]:
    agent = services.agents.get(AGENT)
    door = authorize(services, Principal(agent.id, agent.login, agent.name, agent.role,
                                         workstation="bench-channels"))
    delivered: queue.Queue[tuple[float, bytes]] = queue.Queue()
    handler = smtp.handler

    def on_delivery() -> None:  # in the SMTP server's thread, once the mailbox has it
        delivered.put((time.perf_counter(), handler.received[-1].original_content or b""))

    handler.after_delivery = on_delivery
    latencies: list[float] = []
    try:
        for i in range(n):
            contact_id = contacts[i % len(contacts)]
            time.sleep(rng.uniform(0.1, 0.6))
            version = services.inbox.get(contact_id).version  # the row as on screen
            started = time.perf_counter()
            written = door.inbox.reply(contact_id, AGENT, f"ご連絡ありがとうございます。({i})",
                                       idempotency_key=str(uuid.uuid4()), expected_version=version)
            job = services.deliveries.for_message(uuid.UUID(written.value.message.id))
            if job is None:
                raise Unavailable(f"The reply on contact {contact_id} got no delivery job.")
            latencies.append((_in_mailbox(delivered, job.rfc822_message_id) - started) * 1000)
    finally:
        handler.after_delivery = None
    return latencies


def _in_mailbox(delivered: queue.Queue[tuple[float, bytes]], message_id: str) -> float:
    deadline = time.perf_counter() + ARRIVAL_TIMEOUT_S
    while (left := deadline - time.perf_counter()) > 0:
        try:
            at, raw = delivered.get(timeout=left)
        except queue.Empty:
            break
        if BytesHeaderParser().parsebytes(raw)["Message-ID"] == message_id:
            return at
    raise Unavailable(f"The reply {message_id} never reached the customer's mailbox.")
