"""``switchboard bench-load``: many agents pressing "Get next" and resolving at once.

Each simulated agent is a thread with its own connection, looping: take the
next contact, resolve it. Afterwards the database is checked: every contact
resolved exactly once, by the agent who claimed it, with exactly one claim
and one resolution recorded (no double assignment, no lost update).
"""

from __future__ import annotations

import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from console.app import Services, build_services, open_services
from console.clock import Clock
from console.config import Settings
from console.domain import Channel, ContactEventKind, ContactStatus
from console.errors import ValidationError
from console.store.db import Database
from console.store.models import Contact, ContactEvent, Queue

QUEUE = "Load benchmark"
DISPOSITION = "load-done"


@dataclass(frozen=True)
class LoadReport:
    agents: int
    contacts: int
    claims: int
    seconds: float
    claims_per_second: float
    double_assignments: int
    lost_updates: int
    backend: str

    @property
    def ok(self) -> bool:
        return self.double_assignments == 0 and self.lost_updates == 0 and self.claims == self.contacts


def run_load(url: str | None, *, agents: int = 50, contacts: int = 10_000) -> LoadReport:
    """Builds the queue, agents and contacts, runs the agents, and checks the outcome."""
    if agents < 1 or contacts < 1:
        raise ValidationError("Give at least one agent and one contact.")
    with tempfile.TemporaryDirectory(prefix="switchboard-load-") as tmp:
        services = open_services(url or f"sqlite:///{Path(tmp) / 'load.db'}")
        try:
            logins = _prepare(services, agents, contacts)
            return _run(services, logins, contacts)
        finally:
            services.close()


def _prepare(services: Services, agents: int, contacts: int) -> list[str]:
    with services.db.read() as s:
        if s.execute(select(Queue.id).where(Queue.name == QUEUE)).first() is not None:
            raise ValidationError(f"The queue '{QUEUE}' exists already: use an empty database.")
    services.admin.create_queue(QUEUE, description="created by switchboard bench-load")
    services.admin.add_disposition(DISPOSITION, "Load benchmark")
    logins = [f"load{i:03d}" for i in range(agents)]
    for login in logins:
        services.admin.create_agent(login, f"Load Agent {login[4:]}", queues=[QUEUE])
    for i in range(contacts):
        services.intake.create_contact(Channel.CHAT, QUEUE, f"load contact {i}")
    return logins


def _run(services: Services, logins: list[str], contacts: int) -> LoadReport:
    claims = [0] * len(logins)
    errors: list[BaseException] = []
    start = threading.Barrier(len(logins) + 1)
    threads = [threading.Thread(target=_agent, args=(services.db, services.clock, login, i,
                                                     claims, errors, start))
               for i, login in enumerate(logins)]
    for t in threads:
        t.start()
    start.wait()
    began = time.perf_counter()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - began
    if errors:
        raise errors[0]
    doubles, lost = _check(services.db)
    total = sum(claims)
    return LoadReport(len(logins), contacts, total, round(seconds, 2),
                      round(total / seconds, 1) if seconds else 0.0, doubles, lost,
                      services.db.dialect)


def _agent(shared: Database, clock: Clock, login: str, index: int, claims: list[int],
           errors: list[BaseException], start: threading.Barrier) -> None:
    own = Database(shared.url, pool_size=1)  # a workstation: its own connection
    services = build_services(own, clock, Settings())
    try:
        start.wait()
        while (row := services.inbox.next_best(login).value) is not None:
            services.inbox.resolve(row.id, login, DISPOSITION)
            claims[index] += 1
    except BaseException as exc:  # handed to the main thread, which raises it
        errors.append(exc)
    finally:
        own.dispose()


def _check(db: Database) -> tuple[int, int]:
    """(contacts claimed more than once, contacts whose claim or resolution went missing)."""
    with db.read() as s:
        queue_id = s.execute(select(Queue.id).where(Queue.name == QUEUE)).scalar_one()
        per_contact = (select(ContactEvent.contact_id,
                              func.count().filter(ContactEvent.kind == ContactEventKind.CLAIMED)
                              .label("claimed"),
                              func.count().filter(ContactEvent.kind == ContactEventKind.RESOLVED)
                              .label("resolved"))
                       .join(Contact, Contact.id == ContactEvent.contact_id)
                       .where(Contact.queue_id == queue_id).group_by(ContactEvent.contact_id)
                       .subquery())
        doubles = s.execute(select(func.count()).where(per_contact.c.claimed > 1)).scalar_one()
        unresolved = s.execute(select(func.count()).select_from(Contact).where(
            Contact.queue_id == queue_id, Contact.status != ContactStatus.RESOLVED)).scalar_one()
        unrecorded = s.execute(select(func.count()).where(
            (per_contact.c.claimed == 0) | (per_contact.c.resolved != 1))).scalar_one()
    return int(doubles), int(unresolved) + int(unrecorded)


def format_load_report(r: LoadReport) -> str:
    verdict = "ok" if r.ok else "FAILED"
    return (f"{r.agents} agents resolved {r.claims:,} of {r.contacts:,} contacts on {r.backend} in "
            f"{r.seconds:.1f} s: {r.claims_per_second:,.0f} claims/s; double assignments "
            f"{r.double_assignments}, lost updates {r.lost_updates} ({verdict})")
