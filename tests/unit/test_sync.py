"""Sync between workstations: the change follower, ``switchboard watch`` in another process, races."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import text

from console.clock import ManualClock
from console.domain import Change
from console.store import changes
from console.store.db import Database
from console.sync.follow import ChangeFollower
from console.sync.wakeup import NotifyWakeup, PollingWakeup
from tests.factories import CLI_PASSWORD, World, services_for

ROOT = Path(__file__).resolve().parents[2]
WAIT_S = 30.0  # an upper bound for slow CI machines, never a figure under test


class Collector:
    """Runs a follower on its own thread (as the window and ``watch`` do) and keeps what arrives."""

    def __init__(self, db: Database, start_seq: int) -> None:
        self.seen: list[Change] = []
        self.connection: list[bool] = []
        self.arrived = threading.Condition()
        self.follower = ChangeFollower(db, start_seq=start_seq,
                                       on_connection=self.connection.append)
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        for batch in self.follower.batches():
            with self.arrived:
                self.seen.extend(batch)
                self.arrived.notify_all()

    def wait_for(self, predicate: object, what: str) -> None:
        with self.arrived:
            if not self.arrived.wait_for(predicate, WAIT_S):  # type: ignore[arg-type]
                pytest.fail(f"never saw {what}; saw {[(c.entity, c.entity_id) for c in self.seen]}")

    def messages(self) -> set[str]:
        return {c.entity_id for c in self.seen if c.entity == "message"}

    def close(self) -> None:
        self.follower.stop()
        self.thread.join(WAIT_S)


@pytest.fixture
def collector(world: World, db_url: str, db: Database) -> Iterator[Collector]:
    with db.read() as s:
        start = changes.last_seq(s)
    other_workstation = Database(db_url)
    c = Collector(other_workstation, start)
    yield c
    c.close()
    other_workstation.dispose()


def test_a_change_on_one_workstation_arrives_on_another(
        world: World, db: Database, clock: ManualClock, collector: Collector) -> None:
    sv = services_for(db, clock)
    note = sv.inbox.add_note(world.contacts[0].id, "emma", "called back, no answer").value.message
    collector.wait_for(lambda: str(note.id) in collector.messages(), "the note")
    sv.inbox.claim(world.contacts[1].id, "kenji")
    collector.wait_for(lambda: any(c.entity == "contact" and c.entity_id == str(world.contacts[1].id)
                                   for c in collector.seen), "the claim")
    seqs = [c.seq for c in collector.seen]
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    assert collector.connection == [True]


def test_the_backend_picks_its_wakeup(db: Database) -> None:
    follower_kind = NotifyWakeup if db.is_postgres else PollingWakeup
    from console.sync.wakeup import open_wakeup

    wakeup = open_wakeup(db)
    try:
        assert isinstance(wakeup, follower_kind)
    finally:
        wakeup.close()


def test_notify_wakes_a_listener_at_once(world: World, db: Database, clock: ManualClock) -> None:
    if not db.is_postgres:
        pytest.skip("SQLite has no notifications; it polls")
    wakeup = NotifyWakeup(db)
    try:
        assert wakeup.wait(0.0) is False
        services_for(db, clock).inbox.add_note(world.contacts[0].id, "emma", "wake up")
        assert wakeup.wait(WAIT_S) is True
    finally:
        wakeup.close()


def test_the_follower_survives_its_connection_being_cut(
        world: World, db: Database, clock: ManualClock, collector: Collector) -> None:
    if not db.is_postgres:
        pytest.skip("cutting a server connection needs PostgreSQL")
    sv = services_for(db, clock)
    first = sv.inbox.add_note(world.contacts[0].id, "emma", "before the cut").value.message
    collector.wait_for(lambda: str(first.id) in collector.messages(), "the first note")
    with db.write() as s:  # what a network drop does to the listening connection
        s.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE query LIKE 'LISTEN%' AND datname = current_database()"))
    during = [sv.inbox.add_note(world.contacts[0].id, "emma", f"during the cut {i}").value.message
              for i in range(3)]
    wanted = {str(n.id) for n in during}
    collector.wait_for(lambda: wanted <= collector.messages(), "the notes written during the cut")
    assert collector.connection[:3] == [True, False, True]
    assert len(collector.messages()) == len({c.entity_id for c in collector.seen
                                              if c.entity == "message"})


def _cli(db_url: str, *args: str, password: str | None = None) -> subprocess.Popen[str]:
    """``switchboard`` in another process; ``password`` waits on its standard input."""
    stdin = None
    if password is not None:  # written up front, so the racers start together
        stdin, writer = os.pipe()
        os.write(writer, password.encode() + b"\n")
        os.close(writer)
    try:
        return subprocess.Popen([sys.executable, "-m", "console.cli", "--db", db_url, *args],
                                cwd=ROOT, stdin=stdin, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
    finally:
        if stdin is not None:
            os.close(stdin)


def test_watch_in_another_process_prints_each_change_once(
        world: World, db: Database, db_url: str, clock: ManualClock) -> None:
    with db.read() as s:
        start = changes.last_seq(s)
    sv = services_for(db, clock)
    notes = [sv.inbox.add_note(world.contacts[2].id, "kenji", f"note {i}").value.message
             for i in range(3)]
    with db.read() as s:
        written = [(c.seq, c.entity, c.entity_id) for c in changes.since(s, start)]
    watcher = _cli(db_url, "watch", "--from-seq", str(start), "--count", str(len(written)))
    out, err = watcher.communicate(timeout=WAIT_S * 2)
    lines = [json.loads(line) for line in out.splitlines()]
    assert watcher.returncode == 0, err
    assert [(line["seq"], line["entity"], line["id"]) for line in lines] == written
    assert {("message", str(n.id)) for n in notes} <= {(e, i) for _, e, i in written}


def _line_reader(stream: IO[str], readers: list[threading.Thread]) -> queue.Queue[str]:
    """Lines of ``stream`` as they come; the reader thread ends at the stream's end."""
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True)
    reader.start()
    readers.append(reader)
    return lines


def test_watch_prints_a_change_made_after_it_started(
        world: World, db: Database, db_url: str, clock: ManualClock) -> None:
    watcher = _cli(db_url, "watch")
    readers: list[threading.Thread] = []
    try:
        assert watcher.stderr is not None and watcher.stdout is not None
        out = _line_reader(watcher.stdout, readers)
        err = _line_reader(watcher.stderr, readers)
        assert "watching" in err.get(timeout=WAIT_S)
        note = services_for(db, clock).inbox.add_note(world.contacts[2].id, "kenji", "live").value.message
        line = json.loads(out.get(timeout=WAIT_S))
        while line["entity"] != "message":
            line = json.loads(out.get(timeout=WAIT_S))
        assert line["id"] == str(note.id) and line["op"] == "insert"
    finally:
        watcher.terminate()
        watcher.wait(timeout=WAIT_S)
        # The readers end at the pipes' end; closing the pipes under them (communicate)
        # raised "I/O operation on closed file" in their thread now and then.
        for reader in readers:
            reader.join(timeout=WAIT_S)
        for stream in (watcher.stdout, watcher.stderr):
            if stream is not None:
                stream.close()


def test_a_claim_race_between_two_processes_has_one_winner(world: World, db_url: str) -> None:
    contact = str(world.contacts[0].id)
    for login in ("emma", "kenji"):
        world.services.auth.set_password(login, CLI_PASSWORD)
    racers = {login: _cli(db_url, "claim", contact, "--agent", login, "--user", login,
                          "--password-stdin", password=CLI_PASSWORD)
              for login in ("emma", "kenji")}
    results = {login: (p.wait(WAIT_S * 2), p.communicate()[1]) for login, p in racers.items()}
    codes = sorted(code for code, _ in results.values())
    assert codes == [0, 3], results
    loser_err = next(err for code, err in results.values() if code == 3)
    assert "already claimed by" in loser_err and "Traceback" not in loser_err


def test_watch_refuses_a_bad_count(db_url: str) -> None:
    p = _cli(db_url, "watch", "--count", "0")
    _, err = p.communicate(timeout=WAIT_S)
    assert p.returncode == 2 and err.count("\n") == 1
    assert err.startswith("switchboard watch: argument --count: must be from 1 to")
