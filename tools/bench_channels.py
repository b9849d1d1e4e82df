"""``switchboard bench-channels``: the e-mail channel's intake rate and its two latencies.

It starts a private Dovecot and an SMTP server of its own (tools.mailservers)
and an e-mail account on the benchmark's database, then measures:

1. **intake**: ``--messages`` varied customer messages (tools.channel_corpus) in
   the ``support`` mailbox, taken in by one ``Gateway.run_once()`` in this
   process as the gateway principal; beside it, fetching them over IMAP alone
   (first, so Dovecot's caches are warm for the gateway too) and parsing them
   alone, so the rest is storing. Afterwards it checks that each was taken in
   exactly once, and that a second pass takes in nothing.
2. **mail to screen**: customer mail appended one message at a time to the
   mailbox served by a real ``switchboard gateway`` child process (IDLE),
   until a ``switchboard watch`` child process prints the new message
   (tools.bench_channel_latency).
3. **reply to mailbox**: a reply written through the door as an agent, until
   it is in the ``customer`` mailbox.
"""

from __future__ import annotations

import importlib.metadata
import random
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from console.app import Services, open_services
from console.channels.gateway import Gateway, GatewayOptions, gateway_principal
from console.channels.mail.imap import ImapMailbox
from console.channels.mail.parse import parse_message
from console.security.guard import authorize
from console.store.models_channels import InboundMailRecord
from tools.bench import machine_info
from tools.bench_channel_latency import measure_latencies
from tools.channel_corpus import customer_mail
from tools.channel_rig import ACCOUNT, SUPPORT, gateway_secrets, mail_servers, prepare

if TYPE_CHECKING:
    from tools.mailservers import Dovecot

TARGET_PER_S = 100.0
Result = dict[str, Any]


def run_channels_bench(url: str | None, *, messages: int = 1000, samples: int = 40,
                       seed: int = 7) -> Result:
    """Runs the three measurements on ``url`` (None: a temporary SQLite file).

    Raises:
        ValidationError: the database already holds this benchmark's queue.
        Unavailable: the mail servers cannot run here, or a child process failed.
    """
    with mail_servers() as (dovecot, smtp), tempfile.TemporaryDirectory(
            prefix="switchboard-channels-") as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'channels.db'}"
        services = open_services(url)
        try:
            account_id = prepare(services, dovecot, smtp)
            intake = _measure_intake(services, dovecot, account_id, messages, seed)
            latency = measure_latencies(services, url, dovecot, smtp, samples=samples,
                                        rng=random.Random(seed), logs=Path(tmp))
            result: Result = {
                "machine": {**machine_info(services.db), **_mail_versions()},
                "scale": {"messages": messages, "samples": samples, "seed": seed},
                "intake": intake, **latency,
            }
        finally:
            services.close()
    result["ok"] = all(result[k]["ok"] for k in ("intake", "mail_to_screen", "reply_to_mailbox"))
    return result


def _measure_intake(services: Services, dovecot: Dovecot, account_id: int, n: int,
                    seed: int) -> Result:
    """The gateway's pass over ``n`` messages, beside fetching alone and parsing alone."""
    corpus = customer_mail(n, to=SUPPORT, seed=seed)
    _append_all(dovecot, [m.raw for m in corpus])
    fetch_s, raws = _fetch_all(services, account_id)
    started = time.perf_counter()
    for raw in raws:
        parse_message(raw)
    parse_s = time.perf_counter() - started
    figures = _gateway_pass(services, account_id, n)
    return {
        "messages": n, "bytes": sum(len(r) for r in raws),
        "kinds": dict(Counter(m.kind for m in corpus)), **figures,
        "fetch_only": _rate(len(raws), fetch_s), "parse_only": _rate(len(raws), parse_s),
        "storing_s": round(max(figures["seconds"] - fetch_s - parse_s, 0.0), 3),
    }


def _gateway_pass(services: Services, account_id: int, n: int) -> Result:
    """Times one ``run_once`` taking the mailbox in; then checks each message went in once."""
    name = "bench-intake"
    options = GatewayOptions(name=name)
    gateway = Gateway(authorize(services, gateway_principal(name)), options,
                      secrets=gateway_secrets())
    started = time.perf_counter()
    report = gateway.run_once()
    seconds = time.perf_counter() - started
    outcomes = report.taken_in.get(ACCOUNT, [])
    again = gateway.run_once().taken_in.get(ACCOUNT, [])
    stored, distinct = _records(services, account_id)
    rate = len(outcomes) / seconds
    return {
        "seconds": round(seconds, 3), "messages_per_s": round(rate, 1),
        "target_per_s": TARGET_PER_S, "ok": rate >= TARGET_PER_S,
        "intake_batch": options.intake_batch,
        "taken_in": len(outcomes), "taken_in_again": len(again), "stored": stored,
        "distinct_message_ids": distinct, "skipped": report.skipped,
        "exactly_once": len(outcomes) == stored == distinct == n and not again,
        "outcomes": dict(Counter(o.outcome for o in outcomes)),
    }


def _append_all(dovecot: Dovecot, raws: list[bytes]) -> None:
    """Delivers the corpus into the support mailbox (MULTIAPPEND, a hundred at a time)."""
    client = dovecot.client("support")
    try:
        for start in range(0, len(raws), 100):
            client.multiappend("INBOX", raws[start: start + 100])
    finally:
        client.logout()


def _fetch_all(services: Services, account_id: int) -> tuple[float, list[bytes]]:
    """Seconds to fetch every message the way the gateway does, and their bytes."""
    from tools.mailservers import PASSWORD

    account = next(a for a in services.channels.list() if a.id == account_id)
    options = GatewayOptions(name="bench-fetch")
    raws: list[bytes] = []
    started = time.perf_counter()
    with ImapMailbox(account.settings["imap_url"], PASSWORD, batch_size=options.batch_size,
                     max_message_bytes=options.max_message_bytes) as mailbox:
        uidvalidity: int | None = None
        last_uid = 0
        while True:
            batch = mailbox.fetch_new(uidvalidity, last_uid)
            raws.extend(m.raw for m in batch.messages)
            uidvalidity, last_uid = batch.uidvalidity, batch.last_uid or last_uid
            if not batch.more:
                break
    return time.perf_counter() - started, raws


def _records(services: Services, account_id: int) -> tuple[int, int]:
    """How many inbound messages the account has stored, and how many distinct Message-IDs."""
    with services.db.read() as s:
        mine = InboundMailRecord.account_id == account_id
        stored = s.execute(select(func.count()).select_from(InboundMailRecord).where(mine))
        distinct = s.execute(select(func.count(InboundMailRecord.rfc822_message_id.distinct()))
                             .where(mine))
        return int(stored.scalar_one()), int(distinct.scalar_one())


def _rate(n: int, seconds: float) -> dict[str, float]:
    return {"seconds": round(seconds, 3), "messages_per_s": round(n / seconds, 1) if seconds else 0.0}


def _mail_versions() -> dict[str, str]:
    from tools.mailservers import dovecot_binary

    found = subprocess.run([dovecot_binary() or "dovecot", "--version"],  # noqa: S603 -- its version
                           capture_output=True, text=True, check=False).stdout.split()
    versions = {"dovecot": found[0] if found else "?"}
    for package in ("imapclient", "aiosmtpd", "sqlalchemy", "psycopg"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "?"
    return versions


def format_channels_report(result: Result) -> str:
    """The result as a few lines for people."""
    m, sc, intake = result["machine"], result["scale"], result["intake"]
    engine = (f"PostgreSQL {m.get('server', '?')}" if m["backend"] == "postgresql"
              else f"SQLite {m['sqlite']}")
    lines = [
        f"{engine}, Dovecot {m['dovecot']}, Python {m['python']}, {m['cpu_count']} CPUs; "
        f"{sc['messages']:,} messages, {sc['samples']} samples",
        f"intake            {intake['messages_per_s']:>8.1f} messages/s "
        f"({intake['taken_in']:,} in {intake['seconds']:.2f} s; target >= "
        f"{intake['target_per_s']:.0f}) {_verdict(intake['ok'])}",
        f"  IMAP fetch alone {intake['fetch_only']['messages_per_s']:>7.1f} messages/s, "
        f"parsing alone {intake['parse_only']['messages_per_s']:.1f} messages/s, "
        f"storing {intake['storing_s']:.2f} s",
        f"  taken in exactly once: {'yes' if intake['exactly_once'] else 'NO'} "
        f"({', '.join(f'{k} {v}' for k, v in sorted(intake['outcomes'].items()))})",
    ]
    for key, label in (("mail_to_screen", "mail to screen"), ("reply_to_mailbox", "reply to mailbox")):
        r = result[key]
        lines.append(f"{label:<18}p50 {r['p50_ms']:.0f} ms, p95 {r['p95_ms']:.0f} ms, "
                     f"max {r['max_ms']:.0f} ms (target p95 < {r['target_ms']:.0f} ms) "
                     f"{_verdict(r['ok'])}")
    return "\n".join(lines)


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"

