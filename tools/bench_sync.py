"""``switchboard bench-sync``: how soon one workstation process sees what another one wrote.

Workstation B is a real ``switchboard watch`` child process; workstation A is
this process. A adds notes to a contact at irregular intervals and times each
one from just before its write until B prints the change. The figure includes
A's commit, the wake-up (NOTIFY or B's poll), B's read and the pipe.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path
from typing import Any

from console.app import Services, open_services
from console.domain import Channel
from console.errors import NotFound
from tools.bench import summarize
from tools.watching import Watcher, is_message

TARGET_MS = {"postgresql": 300.0, "sqlite": 1000.0}
QUEUE, AGENT = "Sync benchmark", "syncbench"
ARRIVAL_TIMEOUT_S = 10.0


def run_sync_bench(url: str | None, *, changes: int = 60, seed: int = 7) -> dict[str, Any]:
    """Times ``changes`` notes from this process to a watching child process."""
    with tempfile.TemporaryDirectory(prefix="switchboard-sync-") as tmp:
        url = url or f"sqlite:///{Path(tmp) / 'sync.db'}"
        services = open_services(url)
        try:
            contact_id = _bench_contact(services)
            latencies = _time_changes(services, url, contact_id, changes, random.Random(seed))
            backend = services.db.dialect
        finally:
            services.close()
    result = summarize(latencies, target_ms=TARGET_MS[backend])
    return {"backend": backend, "changes": changes, "commit_to_other_workstation": result}


def format_sync_report(result: dict[str, Any]) -> str:
    figure = result["commit_to_other_workstation"]
    verdict = "ok" if figure["ok"] else "SLOW"
    return (f"{result['changes']} changes on {result['backend']}: another workstation saw each "
            f"after p50 {figure['p50_ms']:.1f} ms, p95 {figure['p95_ms']:.1f} ms "
            f"(target p95 < {figure['target_ms']:.0f} ms) {verdict}")


def _bench_contact(services: Services) -> int:
    """A queue, an agent and a contact of the benchmark's own (created once)."""
    try:
        services.agents.get(AGENT)
    except NotFound:
        services.admin.create_queue(QUEUE, description="created by switchboard bench-sync")
        services.admin.create_agent(AGENT, "Sync Benchmark", queues=[QUEUE])
    return services.intake.create_contact(Channel.CHAT, QUEUE, "bench-sync probe").id


def _time_changes(services: Services, url: str, contact_id: int, n: int,
                  rng: random.Random) -> list[float]:
    with Watcher(url) as watcher:
        latencies = []
        for i in range(n):
            time.sleep(rng.uniform(0.02, 0.12))  # pacing, so wake-ups are not batched
            started = time.perf_counter()
            note = services.inbox.add_note(contact_id, AGENT, f"bench-sync {i}").value.message
            at, _ = watcher.arrival(is_message(str(note.id)), ARRIVAL_TIMEOUT_S,
                                    f"message {note.id}")
            latencies.append((at - started) * 1000)
        return latencies
