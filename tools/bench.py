"""The benchmark: how fast the services answer on a big database, against raw SQL.

``run_bench()`` builds (or reuses) a demo database at the requested scale and
times each operation agents wait for: the service call, and the same SQL
sent straight to the driver. ``ratio`` = service p50 / raw p50 shows what
our Python layers cost on top of the database.

Front ends add their own figures (window open, first paint...) by timing
them and storing ``summarize(samples_ms, target_ms=...)`` under a new name in
``result["results"]``; ``format_report`` prints whatever is there.
"""

from __future__ import annotations

import math
import os
import platform
import random
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from console.app import Services, build_services
from console.clock import ManualClock
from console.config import Settings
from console.demo import database_scale, generate, samples
from console.demo.rawsql import RawQueries
from console.domain import Channel
from console.errors import ValidationError
from console.services.inbox_query import InboxFilter
from console.services.kb import KbService
from console.store.db import Database
from console.store.migrate import ensure_schema
from console.store.models import Contact

BENCH_NOW = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)  # a Friday, 10:30 in Tokyo
MAX_RATIO = 3.0
TARGETS_MS = {
    "find_phone": 10.0, "find_account": 10.0, "find_name_latin": 10.0, "find_name_cjk": 10.0,
    "kb_search_en": 50.0, "kb_search_ja": 50.0, "inbox_first_page": 50.0,
    "claim": 50.0,  # no agreed target; an action should feel instant
}
Result = dict[str, Any]


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (p95 of 200 samples is the 190th fastest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def summarize(samples_ms: Sequence[float], *, target_ms: float | None,
              raw_ms: Sequence[float] = ()) -> dict[str, Any]:
    """One result entry: p50/p95, the raw-SQL figures and the ratio when given."""
    p50, p95 = statistics.median(samples_ms), percentile(samples_ms, 95)
    entry: dict[str, Any] = {"p50_ms": round(p50, 3), "p95_ms": round(p95, 3),
                             "raw_p50_ms": None, "raw_p95_ms": None, "ratio": None,
                             "target_ms": target_ms, "samples": len(samples_ms)}
    ok = target_ms is None or p95 < target_ms
    if raw_ms:
        raw50 = statistics.median(raw_ms)
        entry.update(raw_p50_ms=round(raw50, 3), raw_p95_ms=round(percentile(raw_ms, 95), 3),
                     ratio=round(p50 / raw50, 2) if raw50 > 0 else None)
        ok = ok and (entry["ratio"] is None or entry["ratio"] <= MAX_RATIO)
    entry["ok"] = ok
    return entry


def _time_pairs(pairs: Sequence[tuple[Any, Any]], service: Callable[[Any], object],
                raw: Callable[[Any], object],
                warm: Sequence[tuple[Any, Any]]) -> tuple[list[float], list[float]]:
    """Times both sides on every (service input, raw input) pair, alternating which
    goes first so that neither always finds the other's pages already cached.

    ``warm`` pairs run first, untimed: statement caches and first page reads.
    """
    for x, y in warm:
        service(x)
        raw(y)
    svc: list[float] = []
    direct: list[float] = []
    for i, (x, y) in enumerate(pairs):
        steps = [(service, x, svc), (raw, y, direct)]
        for fn, arg, out in steps if i % 2 == 0 else steps[::-1]:
            t0 = time.perf_counter()
            fn(arg)
            out.append((time.perf_counter() - t0) * 1000)
    return svc, direct


def run_bench(url: str | None, *, customers: int = 1_000_000, contacts: int = 1_000_000,
              articles: int = 100_000, samples: int = 200, seed: int = 42,
              reuse: bool = False, progress: Callable[[str], None] | None = None) -> Result:
    """Builds or reuses a demo database and measures the operations agents wait for.

    Args:
        url: the database; None means a fresh SQLite file in a temporary
            directory (removed afterwards).
        customers, contacts, articles: the scale.
        samples: inputs per measurement, drawn deterministically from the data.
        seed: the demo data's and the inputs' seed.
        reuse: keep the data already in ``url`` when it is at this scale.
        progress: called with a short message per phase.

    Raises:
        ValidationError: ``url`` holds other data, or ``samples`` < 1.
    """
    if samples < 1:
        raise ValidationError("The benchmark needs at least one sample per measurement.")
    say = progress or (lambda _m: None)
    tmp = None if url else tempfile.mkdtemp(prefix="switchboard-bench-")
    db = Database(url or f"sqlite:///{os.path.join(tmp or '', 'bench.db')}")
    try:
        ensure_schema(db)
        now, build_s, reused = _prepare(db, customers, contacts, articles, seed, reuse, say)
        sv = build_services(db, ManualClock(now), Settings())
        result: Result = {
            "machine": machine_info(db),
            "scale": {**database_scale(db), "samples": samples, "seed": seed, "reused": reused},
            "build_seconds": build_s,
            "results": {},
        }
        _measure_all(sv, random.Random(seed), samples, result["results"], say)
        return result
    finally:
        db.dispose()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def _prepare(db: Database, customers: int, contacts: int, articles: int, seed: int,
             reuse: bool, say: Callable[[str], None]) -> tuple[datetime, float, bool]:
    """Returns (the clock's now, seconds spent building, whether data was reused)."""
    have = database_scale(db)
    if have["customers"] == 0 and have["contacts"] == 0:
        report = generate(db, customers=customers, contacts=contacts, articles=articles,
                          seed=seed, now=BENCH_NOW, progress=say)
        return BENCH_NOW, report.seconds, False
    at_scale = (have["customers"] == customers and have["contacts"] >= contacts
                and have["articles"] >= articles)
    if not (reuse and at_scale):
        raise ValidationError(
            f"{db.describe()} already holds data ({have['customers']:,} customers, "
            f"{have['contacts']:,} contacts); benchmark an empty database, or pass reuse "
            "when it is already at the requested scale.")
    with db.read() as s:
        newest = s.execute(select(func.max(Contact.created_at))).scalar()
    return (newest or BENCH_NOW) + timedelta(minutes=1), 0.0, True


def machine_info(db: Database) -> dict[str, Any]:
    """Cores, Python, SQLite, the backend (and the PostgreSQL server's version) of a run."""
    info: dict[str, Any] = {"cpu_count": os.cpu_count(), "python": platform.python_version(),
                            "sqlite": sqlite3.sqlite_version, "backend": db.dialect,
                            "platform": platform.platform()}
    if db.is_postgres:
        with db.engine.connect() as c:
            info["server"] = c.exec_driver_sql("SHOW server_version").scalar()
    return info


Plan = tuple[Callable[[Any], object], Callable[[Any], object], Callable[[Any], Any]]


def _measure_all(sv: Services, rng: random.Random, n: int, out: Result,
                 say: Callable[[str], None]) -> None:
    raw = RawQueries(sv.db, sv.settings.phone_regions)
    typed = _draw_inputs(sv.db, rng, n)
    plans = _plans(sv, raw, typed["inbox_first_page"])
    for name, inputs in typed.items():
        say(f"measuring {name}")
        if not inputs:
            out[name] = {"error": "no inputs: the database has no rows to draw them from"}
            continue
        service, direct, prepare = plans[name]
        pairs = [(x, prepare(x)) for x in inputs]
        svc_ms, raw_ms = _time_pairs(pairs, service, direct, warm=pairs[:3])
        out[name] = summarize(svc_ms, target_ms=TARGETS_MS[name], raw_ms=raw_ms)
    say("measuring claim")
    out["claim"] = _measure_claims(sv, raw, n)


def _draw_inputs(db: Database, rng: random.Random, n: int) -> dict[str, list[str]]:
    """What agents type, per measurement, drawn from the data."""
    with db.engine.connect() as conn:
        return {
            "find_phone": samples.phones(conn, rng, n),
            "find_account": samples.accounts(conn, rng, n),
            "find_name_latin": samples.latin_prefixes(conn, rng, n),
            "find_name_cjk": samples.cjk_prefixes(conn, rng, n),
            "kb_search_en": samples.kb_terms(conn, rng, n, "en"),
            "kb_search_ja": samples.kb_terms(conn, rng, n, "ja"),
            "inbox_first_page": samples.queue_names(conn, rng, n),
        }


def _plans(sv: Services, raw: RawQueries, queues: Sequence[str]) -> dict[str, Plan]:
    """Per measurement: (service call, raw twin, turns typed input into the twin's input)."""
    kb = KbService(sv.db, sv.clock)
    inbox = {q: raw.prepare_inbox(q) for q in set(queues)}
    lookup: Plan = (sv.customers.find, raw.find, raw.prepare_find)
    search: Plan = (kb.search, raw.kb_search, raw.prepare_kb)
    return {
        "find_phone": lookup, "find_account": lookup,
        "find_name_latin": lookup, "find_name_cjk": lookup,
        "kb_search_en": search, "kb_search_ja": search,
        "inbox_first_page": (lambda q: sv.inbox.list(InboxFilter(queues=(q,))),
                             raw.inbox_page, inbox.__getitem__),
    }


def _measure_claims(sv: Services, raw: RawQueries, n: int) -> dict[str, Any]:
    """Claims 2n distinct unassigned contacts: n through the service, n in raw SQL."""
    with sv.db.engine.connect() as conn:
        ids = samples.claimable(conn, 2 * n + 6)
    for i in range(len(ids), 2 * n + 6):  # not enough waiting: new arrivals, untimed
        row = sv.intake.create_contact(Channel.CHAT, "General", f"Benchmark contact {i}",
                                       "Hello, is anyone there?")
        ids.append(row.id)
    login = "emma"
    agent_id = raw.agent_id(login)
    pairs = list(zip(ids[0::2], ids[1::2], strict=False))
    svc_ms, raw_ms = _time_pairs(pairs[3:], lambda cid: sv.inbox.claim(cid, login),
                                 lambda cid: raw.claim(cid, agent_id, sv.clock.now()),
                                 warm=pairs[:3])
    return summarize(svc_ms, target_ms=TARGETS_MS["claim"], raw_ms=raw_ms)


def format_report(result: Result) -> str:
    """The result as a table for people (the CLI prints it)."""
    m, sc = result["machine"], result["scale"]
    engine = (f"PostgreSQL {m.get('server', '?')}" if m["backend"] == "postgresql"
              else f"SQLite {m['sqlite']}")
    lines = [
        f"{engine}, Python {m['python']}, {m['cpu_count']} CPUs",
        f"scale: {sc['customers']:,} customers, {sc['contacts']:,} contacts, "
        f"{sc['articles']:,} articles; {sc['samples']} samples; build {result['build_seconds']} s",
        "",
        f"{'operation':<18}{'p50 ms':>9}{'p95 ms':>9}{'raw p50':>9}{'raw p95':>9}"
        f"{'ratio':>7}{'target':>8}  ok",
    ]
    for name, r in result["results"].items():
        if "error" in r:
            lines.append(f"{name:<18}  {r['error']}")
            continue
        lines.append(
            f"{name:<18}{r['p50_ms']:>9.2f}{r['p95_ms']:>9.2f}{_num(r['raw_p50_ms']):>9}"
            f"{_num(r['raw_p95_ms']):>9}{_num(r['ratio']):>7}{_num(r['target_ms']):>8}  "
            f"{'yes' if r['ok'] else 'NO'}")
    return "\n".join(lines)


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
