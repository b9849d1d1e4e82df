"""Many agents claiming the same contacts at once: each contact ends with one owner."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from console.clock import ManualClock
from console.domain import Channel
from console.errors import ClaimConflict
from console.store.db import Database
from console.store.models import Contact, ContactEvent
from tests.factories import services_for

AGENTS = 20
CONTACTS = 200


def test_twenty_threads_claim_two_hundred_contacts(db_url: str, clock: ManualClock) -> None:
    setup = Database(db_url)
    sv = services_for(setup, clock)
    sv.admin.create_queue("General")
    logins = [f"agent{i:02d}" for i in range(AGENTS)]
    for login in logins:
        sv.admin.create_agent(login, login.title(), queues=["General"])
    ids = [sv.intake.create_contact(Channel.CHAT, "General", f"c{i}").id for i in range(CONTACTS)]
    wins: Counter[str] = Counter()
    conflicts: Counter[str] = Counter()
    start = threading.Barrier(AGENTS)
    lock = threading.Lock()

    def agent(login: str, offset: int) -> None:
        own = services_for(Database(db_url, pool_size=1), clock)
        start.wait()
        for k in range(CONTACTS):  # each thread walks the list from a different place
            cid = ids[(k + offset) % CONTACTS]
            try:
                own.inbox.claim(cid, login)
                with lock:
                    wins[login] += 1
            except ClaimConflict:
                with lock:
                    conflicts[login] += 1
        own.close()

    threads = [threading.Thread(target=agent, args=(login, i * 7)) for i, login in
               enumerate(logins)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with setup.read() as s:
        owned = s.execute(select(func.count()).select_from(Contact)
                          .where(Contact.assignee_id.is_not(None))).scalar()
        claims = s.execute(select(func.count()).select_from(ContactEvent)
                           .where(ContactEvent.kind == "claimed")).scalar()
    setup.dispose()
    assert sum(wins.values()) == CONTACTS
    assert sum(conflicts.values()) == CONTACTS * (AGENTS - 1)
    assert owned == CONTACTS and claims == CONTACTS
