"""The change log: a reader polling ``seq > last_seen`` never misses a change."""

from __future__ import annotations

import threading

from console.clock import ManualClock
from console.domain import Channel
from console.store import changes
from console.store.db import Database
from tests.factories import services_for

WRITERS = 6
NOTES_EACH = 25


def test_poller_sees_every_change_while_writers_commit(db_url: str, clock: ManualClock) -> None:
    setup = Database(db_url)
    sv = services_for(setup, clock)
    sv.admin.create_queue("General")
    sv.admin.create_agent("ann", "Ann Lee", queues=["General"])
    contact = sv.intake.create_contact(Channel.CHAT, "General", "busy thread")
    with setup.read() as s:
        start = changes.last_seq(s)
    done = threading.Event()
    seen: list[int] = []

    def poll() -> None:
        last = start
        reader = Database(db_url, pool_size=1)
        while True:
            finished = done.is_set()  # read before polling: one more pass after the writers stop
            with reader.read() as s:
                batch = changes.since(s, last)
            for change in batch:
                if change.entity == "message":
                    seen.append(change.seq)
                last = change.seq
            if finished and not batch:
                break
        reader.dispose()

    def write(n: int) -> None:
        own = services_for(Database(db_url, pool_size=1), clock)
        for i in range(NOTES_EACH):
            own.inbox.add_note(contact.id, "ann", f"writer {n} note {i}")
        own.close()

    poller = threading.Thread(target=poll)
    poller.start()
    writers = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for t in writers:
        t.start()
    for t in writers:
        t.join()
    done.set()
    poller.join(timeout=60)
    with setup.read() as s:
        every = [c.seq for c in changes.since(s, start, limit=10_000) if c.entity == "message"]
    setup.dispose()
    assert len(every) == WRITERS * NOTES_EACH
    assert seen == every  # in order, none skipped, none twice


def _waiting_on_advisory_lock(db: Database) -> bool:
    from sqlalchemy import text

    with db.read() as s:
        return bool(s.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")).scalar())


def test_a_late_commit_never_hides_behind_a_newer_seq(db_url: str, clock: ManualClock) -> None:
    """Writer A has written its change row but not committed; writer B commits meanwhile.

    A poller that read B's seq and moved past it would never see A's change if
    A's seq were lower. Sequence numbers must therefore follow commit order:
    B has to wait for A.
    """
    import pytest
    from sqlalchemy import event

    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite writers are serialised by BEGIN IMMEDIATE already")
    setup = Database(db_url)
    sv = services_for(setup, clock)
    sv.admin.create_queue("General")
    sv.admin.create_agent("ann", "Ann Lee", queues=["General"])
    contact = sv.intake.create_contact(Channel.CHAT, "General", "race")
    other = sv.intake.create_contact(Channel.SMS, "General", "unrelated")  # no shared row lock
    with setup.read() as s:
        last = changes.last_seq(s)
    a_in_commit, release_a = threading.Event(), threading.Event()
    a_db, b_db = Database(db_url, pool_size=1), Database(db_url, pool_size=1)

    def hold(session: object) -> None:  # runs after the change row is inserted
        a_in_commit.set()
        release_a.wait(timeout=30)

    event.listen(a_db._write, "before_commit", hold)  # test seam
    a = threading.Thread(target=lambda: services_for(a_db, clock).inbox.add_note(
        contact.id, "ann", "from A"))
    b = threading.Thread(target=lambda: services_for(b_db, clock).inbox.add_note(
        other.id, "ann", "from B"))
    a.start()
    assert a_in_commit.wait(timeout=30)
    b.start()
    for _i in range(3000):  # until B is either done or queued behind A's lock
        if not b.is_alive() or _waiting_on_advisory_lock(setup):
            break
    seen: list[str] = []
    with setup.read() as s:
        for change in changes.since(s, last):
            seen.append(change.entity)
            last = change.seq
    release_a.set()
    a.join(timeout=30)
    b.join(timeout=30)
    with setup.read() as s:
        seen += [c.entity for c in changes.since(s, last)]
    for database in (a_db, b_db, setup):
        database.dispose()
    assert seen.count("message") == 2
