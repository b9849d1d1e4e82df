"""Demo contacts with their messages and handling events, in order of arrival.

Most contacts are history (resolved or closed over the last ~180 days); the
rest arrived in the last few hours and are still being worked, so queue
timers and SLA countdowns have something real to show. Ids follow arrival
order because rows are generated, and inserted, sorted by ``created_at``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from console.demo import content
from console.demo.people import Population
from console.demo.reference import DISPOSITION_WEIGHTS, Reference
from console.demo.topics import Topic
from console.domain import Channel, ContactEventKind, ContactStatus, MessageKind

HISTORY_DAYS = 180
LIVE_HOURS = 8
_MIN_ACTIVE = 40
_ACTIVE_SHARE = 0.025
# Seconds to first response and from there to resolution, (low, high) per channel.
# Per channel: (seconds until first response, seconds of handling after it).
# Written channels wait long for an answer but take minutes to handle, so the
# demo's AHT (claim to resolution) looks like a real floor's: minutes, not days.
_TIMING = {
    Channel.PHONE: ((5, 600), (120, 1500)),
    Channel.CHAT: ((10, 300), (180, 2400)),
    Channel.WALKIN: ((60, 1500), (300, 2400)),
    Channel.SMS: ((120, 7200), (120, 900)),
    Channel.LINE: ((120, 7200), (120, 900)),
    Channel.SOCIAL: ((300, 14400), (180, 1200)),
    Channel.EMAIL: ((900, 86400), (300, 1800)),
}
_PICK_UP_S = (30, 300)  # an agent claims a contact shortly before answering it
_UNKNOWN_CALLERS = frozenset({Channel.PHONE, Channel.CHAT, Channel.SOCIAL})
_DISPOSITION_CUM = tuple(sum(DISPOSITION_WEIGHTS[: i + 1]) for i in range(len(DISPOSITION_WEIGHTS)))


def active_count(contacts: int) -> int:
    """How many contacts are still being worked: ~2.5%, at least 40 (or all, if fewer)."""
    return min(contacts, max(_MIN_ACTIVE, round(contacts * _ACTIVE_SHARE)))


@dataclass
class ContactBatch:
    contacts: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Draft:
    """A contact being assembled: the row plus what its messages need."""

    row: dict[str, Any]
    topic: Topic
    language: str
    batch: ContactBatch


class ContactFactory:
    """Makes contacts 1..count in arrival order.

    Args:
        rng: the only source of randomness.
        now: the demo's "now".
        ref: queues, agents and dispositions.
        population: the customers' languages and VIP flags.
    """

    def __init__(self, rng: random.Random, now: datetime, ref: Reference,
                 population: Population) -> None:
        self._rng = rng
        self._now = now
        self._ref = ref
        self._people = population
        self._walkin_queue = ref.queue_ids["Branch walk-ins"]
        self._ja_queue = ref.queue_ids["日本語サポート"]

    def batches(self, count: int, size: int) -> Iterator[ContactBatch]:
        batch = ContactBatch()
        for cid, (created, active) in enumerate(self._arrivals(count), start=1):
            self._contact(batch, cid, created, active)
            if len(batch.contacts) >= size:
                yield batch
                batch = ContactBatch()
        if batch.contacts:
            yield batch

    def _arrivals(self, count: int) -> Iterator[tuple[datetime, bool]]:
        """(created_at, still active) for each contact, oldest first.

        Jittered even spacing instead of sorting random times: already in order,
        and O(n) for a million contacts.
        """
        rng = self._rng
        n_active = active_count(count)
        n_live = min(count, n_active + n_active * 3 // 5)
        live_start = self._now - timedelta(hours=LIVE_HOURS)
        old_start = self._now - timedelta(days=HISTORY_DAYS)
        history = (live_start - old_start).total_seconds()
        n_old = count - n_live
        for i in range(n_old):
            yield old_start + timedelta(seconds=int((i + rng.random()) * history / n_old)), False
        active = set(rng.sample(range(n_live), n_active))
        live = LIVE_HOURS * 3600 - 120  # the newest arrived two minutes ago
        for i in range(n_live):
            at = live_start + timedelta(seconds=int((i + rng.random()) * live / n_live))
            yield at, i in active

    def _contact(self, batch: ContactBatch, cid: int, created: datetime, active: bool) -> None:
        rng = self._rng
        customer_id, japanese, vip = self._customer()
        channel = content.pick_channel(rng, japanese)
        if channel in _UNKNOWN_CALLERS and rng.random() < 0.05:
            customer_id = None
        topic = content.pick_topic(rng)
        language = "ja" if japanese else "en"
        words = content.first_message(rng, topic, language, channel)
        queue_id = self._queue(topic, channel, japanese)
        first_s, resolve_s = self._ref.targets[queue_id]
        row = {
            "id": cid, "channel": channel, "queue_id": queue_id, "customer_id": customer_id,
            "subject": words.subject[:200], "preview": words.body[:200],
            "priority": self._priority(topic, vip), "created_at": created,
            "first_response_due": created + timedelta(seconds=first_s),
            "resolution_due": created + timedelta(seconds=resolve_s), "external_ref": None,
        }
        batch.contacts.append(row)
        self._message(batch, cid, MessageKind.INBOUND, None, words.body, created)
        self._event(batch, cid, ContactEventKind.CREATED, None, created, f"via {channel.value}")
        draft = _Draft(row, topic, language, batch)
        if active:
            self._active(draft)
        else:
            self._resolved(draft)

    def _customer(self) -> tuple[int | None, bool, bool]:
        known = len(self._people.japanese)
        if not known:
            return None, self._rng.random() < 0.5, False
        cid = self._rng.randrange(known)
        return cid + 1, bool(self._people.japanese[cid]), bool(self._people.vip[cid])

    def _queue(self, topic: Topic, channel: Channel, japanese: bool) -> int:
        if channel == Channel.WALKIN:
            return self._walkin_queue
        if japanese and self._rng.random() < 0.6:
            return self._ja_queue
        return self._ref.queue_ids[topic.queue]

    def _priority(self, topic: Topic, vip: bool) -> int:
        r = self._rng.random()
        urgent = 1 if r < 0.3 else 2
        priority = urgent if topic.urgent else 2 if r < 0.1 else 3 if r < 0.9 else 4
        return min(priority, 2) if vip else priority

    def _agent(self, queue_id: int) -> int:
        return self._rng.choice(self._ref.workers[queue_id])

    def _resolved(self, d: _Draft) -> None:
        rng, row = self._rng, d.row
        created: datetime = row["created_at"]
        (r_lo, r_hi), (h_lo, h_hi) = _TIMING[row["channel"]]
        wait, handle = rng.randrange(r_lo, r_hi), rng.randrange(h_lo, h_hi)
        room = (self._now - created).total_seconds() - 5
        if wait + handle > room:  # arrived recently: squeeze the work into the time since
            wait, handle = int(wait * room / (wait + handle)), int(handle * room / (wait + handle))
        agent = self._agent(row["queue_id"])
        answered = created + timedelta(seconds=wait)
        claimed = answered - timedelta(seconds=min(wait, rng.randrange(*_PICK_UP_S)))
        resolved = answered + timedelta(seconds=handle)
        code, label = self._ref.dispositions[
            content.bisect_cum(_DISPOSITION_CUM, rng.random() * _DISPOSITION_CUM[-1])]
        closed = resolved < self._now - timedelta(days=14) and rng.random() < 0.7
        row.update(status=ContactStatus.CLOSED if closed else ContactStatus.RESOLVED,
                   assignee_id=agent, disposition_code=code, updated_at=resolved,
                   first_response_at=answered, resolved_at=resolved, version=4)
        cid, b = row["id"], d.batch
        self._event(b, cid, ContactEventKind.CLAIMED, agent, claimed, "")
        self._message(b, cid, MessageKind.OUTBOUND, agent,
                      content.reply(rng, d.topic, d.language), answered)
        if rng.random() < 0.25:
            self._message(b, cid, MessageKind.NOTE, agent, content.note(rng, d.language), resolved)
        self._event(b, cid, ContactEventKind.RESOLVED, agent, resolved, label)

    def _active(self, d: _Draft) -> None:
        rng, row = self._rng, d.row
        created: datetime = row["created_at"]
        elapsed = int((self._now - created).total_seconds()) - 1
        r = rng.random()
        status = ContactStatus.NEW if r < 0.5 else ContactStatus.OPEN if r < 0.8 \
            else ContactStatus.PENDING
        row.update(status=status, assignee_id=None, disposition_code=None,
                   first_response_at=None, resolved_at=None, updated_at=created, version=1)
        cid, b = row["id"], d.batch
        if status == ContactStatus.NEW:
            if rng.random() < 0.3:
                at = created + timedelta(seconds=rng.randrange(1, elapsed))
                self._message(b, cid, MessageKind.INBOUND, None,
                              content.follow_up(rng, d.language), at)
                row["updated_at"] = at
            return
        agent = self._agent(row["queue_id"])
        claimed = created + timedelta(seconds=rng.randrange(1, elapsed))
        self._event(b, cid, ContactEventKind.CLAIMED, agent, claimed, "")
        row.update(assignee_id=agent, updated_at=claimed, version=2)
        if status == ContactStatus.OPEN and rng.random() < 0.5:
            return
        waited = (self._now - claimed).total_seconds()
        answered = claimed + timedelta(seconds=int(waited * rng.random()))
        text = content.question(rng, d.language) if status == ContactStatus.PENDING \
            else content.reply(rng, d.topic, d.language)
        self._message(b, cid, MessageKind.OUTBOUND, agent, text, answered)
        row.update(first_response_at=answered, updated_at=answered, version=3)
        if status == ContactStatus.PENDING and rng.random() < 0.4:
            self._message(b, cid, MessageKind.NOTE, agent, content.note(rng, d.language), answered)

    def _message(self, batch: ContactBatch, cid: int, kind: MessageKind, agent: int | None,
                 body: str, at: datetime) -> None:
        batch.messages.append({
            "id": uuid.UUID(int=self._rng.getrandbits(128), version=4), "contact_id": cid,
            "kind": kind, "author_agent_id": agent, "body": body, "created_at": at,
            "idempotency_key": None})

    def _event(self, batch: ContactBatch, cid: int, kind: ContactEventKind, agent: int | None,
               at: datetime, detail: str) -> None:
        batch.events.append({"contact_id": cid, "kind": kind, "agent_id": agent,
                             "detail": detail, "created_at": at})
