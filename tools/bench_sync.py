"""``switchboard bench-sync``: how soon one workstation process sees what another one wrote.

Workstation B is a real ``switchboard watch`` child process; workstation A is
this process. A adds notes to a contact at irregular intervals and times each
one from just before its write until B prints the change. The figure includes
A's commit, the wake-up (NOTIFY or B's poll), B's read and the pipe.
"""

from __future__ import annotations

import json
import os
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from console.app import Services, open_services
from console.domain import Channel
from console.errors import NotFound, Unavailable
from tools.bench import summarize

TARGET_MS = {"postgresql": 300.0, "sqlite": 1000.0}
QUEUE, AGENT = "Sync benchmark", "syncbench"
READY_TIMEOUT_S, ARRIVAL_TIMEOUT_S = 60.0, 10.0


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
    child = subprocess.Popen(  # noqa: S603 -- our own interpreter and module
        [sys.executable, "-m", "console.cli", "--db", url, "watch"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert child.stdout is not None and child.stderr is not None
    lines: queue.Queue[tuple[float, dict[str, Any]]] = queue.Queue()
    ready = threading.Event()
    threading.Thread(target=_read_lines, args=(child.stdout, lines), daemon=True).start()
    threading.Thread(target=_await_ready, args=(child.stderr, ready), daemon=True).start()
    try:
        if not ready.wait(READY_TIMEOUT_S):
            raise Unavailable("The watching workstation did not start.")
        latencies = []
        for i in range(n):
            time.sleep(rng.uniform(0.02, 0.12))  # pacing, so wake-ups are not batched
            started = time.perf_counter()
            note = services.inbox.add_note(contact_id, AGENT, f"bench-sync {i}").value.message
            latencies.append((_arrival(lines, str(note.id)) - started) * 1000)
        return latencies
    finally:
        child.terminate()
        child.wait(timeout=10)


def _read_lines(stream: IO[str], out: queue.Queue[tuple[float, dict[str, Any]]]) -> None:
    for line in stream:
        out.put((time.perf_counter(), json.loads(line)))


def _await_ready(stream: IO[str], ready: threading.Event) -> None:
    for line in stream:
        if "watching" in line:
            ready.set()


def _arrival(lines: queue.Queue[tuple[float, dict[str, Any]]], message_id: str) -> float:
    deadline = time.perf_counter() + ARRIVAL_TIMEOUT_S
    while (left := deadline - time.perf_counter()) > 0:
        try:
            at, change = lines.get(timeout=left)
        except queue.Empty:
            break
        if change["entity"] == "message" and change["id"] == message_id:
            return at
    raise Unavailable(f"The other workstation never saw message {message_id}.")
