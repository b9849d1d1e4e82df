"""``switchboard bench-ui``: how the window feels on a big database.

Builds (once, then reuses) a demo database, starts the window in child
processes and reports: process start to the first inbox screen, selecting a
contact to its history shown, a KB keystroke to results (with the debounce
reported apart), and peak memory. Figures are medians; targets are from the
issue.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import platformdirs

from console.errors import Unavailable

TARGETS = {"start_ms": 1500.0, "select_to_history_ms": 100.0,
           "kb_keystroke_to_results_ms": 80.0, "peak_memory_mb": 400.0}
CHILD_TIMEOUT_S = 300
ROOT = Path(__file__).resolve().parents[1]


def default_url(contacts: int) -> str:
    """A database kept in the user's cache directory, so the slow build happens once."""
    folder = Path(platformdirs.user_cache_dir("switchboard"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / f'bench-ui-{contacts}.db'}"


def prepare(url: str, contacts: int, articles: int) -> dict[str, Any]:
    """Fills an empty database with demo data; returns its scale and the build time."""
    from console.app import open_services
    from console.demo import database_scale as scale_of
    from console.demo import generate
    from tools.bench import BENCH_NOW

    services = open_services(url)
    try:
        have = scale_of(services.db)
        built_s = 0.0
        if have["contacts"] == 0:
            report = generate(services.db, customers=max(1, contacts // 2), contacts=contacts,
                              articles=articles, seed=42, now=BENCH_NOW)
            built_s, have = report.seconds, scale_of(services.db)
        return {**have, "build_seconds": round(built_s, 1), "backend": services.db.dialect}
    finally:
        services.close()


def _child(url: str, agent: str | None, *, full: bool, samples: int) -> tuple[float, list[dict[str, Any]]]:
    """Runs one child; returns its launch time and its JSON lines."""
    command = [sys.executable, "-m", "tools.bench_child", "--db", url, "--samples", str(samples)]
    command += ["--agent", agent] if agent else []
    command += ["--full"] if full else []
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    launched = time.time()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603 -- our own interpreter and module
                          timeout=CHILD_TIMEOUT_S, check=False)
    if done.returncode != 0:
        raise Unavailable(f"The benchmark window failed: {done.stderr.strip()[-500:]}")
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return launched, lines


def run_bench_ui(url: str | None, *, contacts: int, articles: int, samples: int, starts: int,
                 agent_login: str | None) -> dict[str, Any]:
    """Runs the whole benchmark and returns its figures."""
    url = url or default_url(contacts)
    scale = prepare(url, contacts, articles)
    start_ms: list[float] = []
    result: dict[str, Any] = {}
    for i in range(max(1, starts)):
        launched, lines = _child(url, agent_login, full=i == 0, samples=samples)
        shown = next(line for line in lines if line["event"] == "shown")
        start_ms.append((shown["t"] - launched) * 1000)
        result = next((line for line in lines if line["event"] == "result"), result)
    figures = {k: v for k, v in result.items() if k != "event"}
    figures["start_ms"] = round(statistics.median(start_ms), 1)
    figures["start_samples_ms"] = [round(v, 1) for v in start_ms]
    checks = {name: figures.get(name) is not None and figures[name] < target
              for name, target in TARGETS.items()}
    return {"scale": scale, "figures": figures, "targets": TARGETS, "ok": checks}


def print_result(result: dict[str, Any], *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    scale, figures = result["scale"], result["figures"]
    print(f"{scale['contacts']:,} contacts, {scale['customers']:,} customers, "
          f"{scale['articles']:,} articles ({scale['backend']})")
    for name, target in TARGETS.items():
        mark = "ok" if result["ok"][name] else "SLOW"
        print(f"  {name:32} {figures.get(name)!s:>10}   target < {target:g}   {mark}")
    print(f"  {'kb_debounce_ms':32} {figures.get('kb_debounce_ms')!s:>10}   (not in the figure above)")
