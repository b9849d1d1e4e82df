"""Webhook events as the gateway stores them: kept before the answer, processed after it.

A provider that gets no quick 200 retries, and one that gets an error page
may disable the webhook. So the gateway's HTTP handler only checks the
signature and ``store``s each event — one short INSERT — and answers; the
processing (customers, contacts, media) happens afterwards from the table,
where it can be retried. (account, event id) is unique: a redelivered event
(LINE ``isRedelivery``, a Twilio retry with the same ``MessageSid``, a
Messenger ``mid`` seen before) is recognised at the door and applied once.

Processing workers ``claim`` pending events like delivery jobs: ``FOR
UPDATE SKIP LOCKED`` on PostgreSQL, a conditional UPDATE on both backends,
a lock that runs out when a gateway dies mid-event.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from console.clock import Clock
from console.errors import NotFound, ValidationError
from console.store.db import Database
from console.store.models_channels import ChannelEvent

MAX_BODY = 1024 * 1024  # what one webhook request may carry
MAX_ATTEMPTS = 5
_E = ChannelEvent

PENDING, DONE, IGNORED, FAILED = "pending", "done", "ignored", "failed"


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """One stored webhook event.

    Attributes:
        duplicate: the event was stored before (a redelivery): nothing new was stored.
    """

    id: int
    account_id: int | None
    event_id: str
    kind: str
    body: bytes
    content_type: str
    received_at: datetime
    state: str
    attempts: int
    duplicate: bool = False


class EventStore:
    """The gateway's inbox of webhook events (see the module docstring)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def store(self, account_id: int, event_id: str, body: bytes, *, kind: str = "",
              content_type: str = "") -> StoredEvent:
        """Keeps one event unless it is already kept; returns it (``duplicate`` when it was)."""
        if not event_id or len(event_id) > 200:
            raise ValidationError("An event id is 1 to 200 characters.")
        if len(body) > MAX_BODY:
            raise ValidationError(f"An event is at most {MAX_BODY:,} bytes.")
        now = self._clock.now()
        row = ChannelEvent(account_id=account_id, event_id=event_id, kind=kind[:40], body=body,
                           content_type=content_type[:100], received_at=now, state=PENDING,
                           attempts=0)
        try:
            with self._db.write() as s:
                s.add(row)
                s.flush()
                return _stored(row)
        except IntegrityError:
            # Another request (or another gateway) stored it first: a redelivery.
            with self._db.read() as s:
                seen = s.execute(select(ChannelEvent).where(
                    _E.account_id == account_id, _E.event_id == event_id)).scalar()
                if seen is None:
                    raise
                return _stored(seen, duplicate=True)

    def claim(self, holder: str, *, limit: int = 20, lock_for: timedelta = timedelta(minutes=2),
              now: datetime | None = None) -> builtins.list[StoredEvent]:
        """Takes up to ``limit`` pending events (oldest first) for ``holder`` to process."""
        now = now or self._clock.now()
        with self._db.write() as s:
            picked = select(_E.id).where(_claimable(now)).order_by(_E.received_at, _E.id)
            picked = picked.limit(max(1, min(limit, 500)))
            if self._db.is_postgres:
                picked = picked.with_for_update(skip_locked=True, of=_E)
            ids = builtins.list(s.execute(picked).scalars())
            if not ids:
                return []
            won = s.execute(update(_E).where(_E.id.in_(ids), _claimable(now)).values(
                locked_by=holder, locked_until=now + lock_for, attempts=_E.attempts + 1)
                .returning(_E.id).execution_options(synchronize_session=False)).scalars().all()
            rows = s.execute(select(ChannelEvent).where(_E.id.in_(won))
                             .order_by(_E.received_at, _E.id)).scalars()
            return [_stored(r) for r in rows]

    def finish(self, event_id: int, *, state: str = DONE, contact_id: int | None = None,
               error: str | None = None) -> None:
        """Records how processing ended: done, ignored (unknown to us) or failed (with why)."""
        if state not in (DONE, IGNORED, FAILED):
            raise ValidationError(f"An event ends {DONE}, {IGNORED} or {FAILED}.")
        now = self._clock.now()
        with self._db.write() as s:
            done = s.execute(update(_E).where(_E.id == event_id).values(
                state=state, contact_id=contact_id, error=(error or None) and error[:1000],
                processed_at=now, locked_by=None, locked_until=None)
                .execution_options(synchronize_session=False))
            if done.rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound(f"There is no event {event_id}.")

    def retry_later(self, event_id: int, *, error: str) -> str:
        """Processing met a problem that may pass: pending again, or failed after the attempts."""
        with self._db.write() as s:
            row = s.get(ChannelEvent, event_id)
            if row is None:
                raise NotFound(f"There is no event {event_id}.")
            row.state = FAILED if row.attempts >= MAX_ATTEMPTS else PENDING
            row.error = error[:1000]
            row.locked_by, row.locked_until = None, None
            return row.state

    def counts(self, account_id: int) -> dict[str, int]:
        """Events of an account by state (for ``channels list``)."""
        with self._db.read() as s:
            return dict(s.execute(select(_E.state, func.count()).where(
                _E.account_id == account_id).group_by(_E.state)).all())


def _claimable(now: datetime) -> ColumnElement[bool]:
    unlocked = or_(_E.locked_until.is_(None), _E.locked_until <= now)
    return and_(_E.state == PENDING, unlocked)


def _stored(row: ChannelEvent, *, duplicate: bool = False) -> StoredEvent:
    return StoredEvent(row.id, row.account_id, row.event_id, row.kind, row.body,
                       row.content_type, row.received_at, row.state, row.attempts, duplicate)
