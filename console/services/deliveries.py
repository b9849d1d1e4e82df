"""The delivery queue (a transactional outbox in the database) that gateways send replies from.

``enqueue_reply`` runs inside the inbox's reply transaction: the message and
its job commit together or not at all. Gateways then ``claim_due`` jobs: on
PostgreSQL ``SELECT ... FOR UPDATE SKIP LOCKED`` lets several gateways take
different jobs without waiting on each other; on SQLite the write lock
serialises them. Either way the claim itself is a conditional UPDATE, so a
job is held by one gateway at a time, until its lock runs out (a crashed
gateway's job is claimed again). Claiming counts an attempt, so a message
that crashes every gateway that sends it still ends as failed.

A crash after the server accepted a message and before ``mark_sent``
commits sends it again once its lock has run out, with the same
``Message-ID``: SMTP has no idempotency, this is the window that remains.

Each move is recorded for the change feed (``delivery`` and the ``message``
it belongs to), so the window can show queued, sending, sent or not delivered.
"""

from __future__ import annotations

import builtins
import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import Channel
from console.domain.channel_accounts import ChannelKind, DeliveryJob, DeliveryState
from console.errors import NotFound, ValidationError
from console.store import changes
from console.store.db import Database
from console.store.models import Contact, Message
from console.store.models_channels import ChannelAccount, DeliveryJobRow

MAX_ERROR = 1000
MAX_RESPONSE = 500
_J = DeliveryJobRow


# The account kind that sends replies on each channel (the web chat's page reads its replies
# itself, and the phone and the counter have none to send).
SENDS = {Channel.EMAIL: ChannelKind.EMAIL, Channel.LINE: ChannelKind.LINE,
         Channel.SMS: ChannelKind.TWILIO, Channel.SOCIAL: ChannelKind.MESSENGER}


def enqueue_reply(s: Session, contact: Contact, message: Message, now: datetime) -> None:
    """Adds the delivery job for an agent's reply, in the reply's transaction.

    For e-mail, LINE, SMS and Messenger contacts whose queue has an enabled
    account of that kind (a messaging contact also needs its sender, which
    the gateway recorded); other replies are stored as before and nobody
    sends them.
    """
    kind = SENDS.get(Channel(contact.channel))
    if kind is None or (kind != ChannelKind.EMAIL and not contact.external_ref):
        return
    account = s.execute(
        select(ChannelAccount).where(ChannelAccount.queue_id == contact.queue_id,
                                     ChannelAccount.kind == kind, ChannelAccount.enabled)
        .order_by(ChannelAccount.id).limit(1)).scalar()
    if account is None:
        return
    domain = (str(account.settings.get("address", "")).rpartition("@")[2]
              if kind == ChannelKind.EMAIL else f"{kind.value}.switchboard.invalid")
    domain = domain or "switchboard.invalid"
    job = DeliveryJobRow(message_id=message.id, channel_account_id=account.id,
                         state=DeliveryState.QUEUED, attempts=0, next_attempt_at=now,
                         rfc822_message_id=f"<{message.id.hex}@{domain}>",
                         created_at=now, updated_at=now)
    s.add(job)
    s.flush()
    changes.record(s, "delivery", job.id, "insert")


def job_parts(s: Session, job_id: int) -> tuple[DeliveryJobRow, ChannelAccount, Message, Contact]:
    """A delivery job with its account, message and contact (what sending it needs).

    Raises:
        NotFound: no such job, or its account was removed.
    """
    job = s.get(DeliveryJobRow, job_id)
    if job is None:
        raise NotFound(f"There is no delivery job {job_id}.")
    account = (s.get(ChannelAccount, job.channel_account_id)
               if job.channel_account_id is not None else None)
    if account is None:
        raise NotFound(f"The channel account of delivery job {job_id} was removed.")
    message = s.get_one(Message, job.message_id)
    return job, account, message, s.get_one(Contact, message.contact_id)


class DeliveryQueue:
    """What gateways send, and what they report back (see the module docstring).

    Args:
        db: the database.
        clock: where "now" comes from when a call does not pass it.
        max_attempts: claims after which a temporary failure becomes a permanent one.
        first_retry: the wait after the first temporary failure; it doubles each time.
        longest_wait: the cap on that wait.
    """

    def __init__(self, db: Database, clock: Clock, *, max_attempts: int = 8,
                 first_retry: timedelta = timedelta(minutes=1),
                 longest_wait: timedelta = timedelta(hours=1)) -> None:
        self._db = db
        self._clock = clock
        self._max_attempts = max_attempts
        self._first_retry = first_retry
        self._longest_wait = longest_wait

    def claim_due(self, holder: str, *, limit: int = 10, lock_for: timedelta = timedelta(minutes=5),
                  now: datetime | None = None) -> builtins.list[DeliveryJob]:
        """Takes up to ``limit`` jobs that are due for ``holder`` to send, until ``now + lock_for``.

        Due: queued and past ``next_attempt_at``, or sending with a lock that
        has run out; only for enabled accounts.
        """
        holder = _holder(holder)
        now = now or self._clock.now()
        with self._db.write() as s:
            picked = select(_J.id).where(_claimable(now)).order_by(_J.next_attempt_at, _J.id)
            picked = picked.limit(max(1, min(limit, 1000)))
            if self._db.is_postgres:
                # Rows another gateway is claiming right now are skipped, not waited for.
                picked = picked.with_for_update(skip_locked=True, of=_J)
            ids = builtins.list(s.execute(picked).scalars())
            if not ids:
                return []
            # Conditional: between the SELECT and here nobody else can have claimed them
            # (row locks, or SQLite's write lock), but the UPDATE checks again anyway.
            won = s.execute(update(_J).where(_J.id.in_(ids), _claimable(now)).values(
                state=DeliveryState.SENDING, locked_by=holder, locked_until=now + lock_for,
                attempts=_J.attempts + 1, updated_at=now).returning(_J.id)
                .execution_options(synchronize_session=False)).scalars().all()
            return [self._moved(s, job_id) for job_id in sorted(won)]

    def mark_sent(self, job_id: int, *, smtp_response: str = "", method: str | None = None,
                  provider_message_id: str | None = None,
                  now: datetime | None = None) -> DeliveryJob:
        """The server accepted the message: it is sent, whoever held the job.

        A gateway whose lock ran out still reports the truth; a job marked sent
        twice (the resend after a crash) stays sent.

        Args:
            smtp_response: the server's or provider's answer, for people.
            method: how a messaging reply went out (LINE "reply" or "push").
            provider_message_id: the provider's id of the message (delivery reports name it).
        """
        now = now or self._clock.now()
        with self._db.write() as s:
            self._row(s, job_id)
            s.execute(update(_J).where(_J.id == job_id).values(
                state=DeliveryState.SENT, locked_by=None, locked_until=None, last_error=None,
                smtp_response=_clean(smtp_response, MAX_RESPONSE) or None, updated_at=now,
                method=(method or None) and method[:16],
                provider_message_id=(provider_message_id or None) and provider_message_id[:120])
                .execution_options(synchronize_session=False))
            return self._moved(s, job_id)

    def report_provider_status(self, provider_message_id: str, status: str, *, reason: str = "",
                               now: datetime | None = None) -> DeliveryJob | None:
        """A provider's delivery report (Twilio's status callback) on a message we sent.

        ``failed``/``undelivered`` make it not delivered, with the reason; other
        statuses (sent, delivered, read) leave it sent. Returns the job, or None
        when no job sent that message.
        """
        now = now or self._clock.now()
        with self._db.write() as s:
            row = s.execute(select(_J).where(
                _J.provider_message_id == provider_message_id[:120])).scalar()
            if row is None:
                return None
            if status in ("failed", "undelivered") and row.state == DeliveryState.SENT:
                s.execute(update(_J).where(_J.id == row.id).values(
                    state=DeliveryState.FAILED, updated_at=now,
                    last_error=_clean(f"the provider reports it {status}"
                                      + (f": {reason}" if reason else ""), MAX_ERROR))
                    .execution_options(synchronize_session=False))
            return self._moved(s, row.id)

    def mark_temporary_failure(self, job_id: int, *, holder: str, reason: str,
                               now: datetime | None = None) -> DeliveryJob:
        """The server or the network said "later" (4xx, refused): retry with a growing wait.

        After ``max_attempts`` claims the job fails for good. Only the gateway
        holding the job may report: a report from one whose lock ran out
        (someone else has the job now) changes nothing.
        """
        now = now or self._clock.now()
        reason = _clean(reason, MAX_ERROR)
        with self._db.write() as s:
            row = self._row(s, job_id)
            if row.state != DeliveryState.SENDING or row.locked_by != holder:
                return _job(s, row)
            if row.attempts >= self._max_attempts:
                values: dict[str, object] = {
                    "state": DeliveryState.FAILED,
                    "last_error": f"gave up after {row.attempts} attempts: {reason}"[:MAX_ERROR]}
            else:
                values = {"state": DeliveryState.QUEUED, "last_error": reason,
                          "next_attempt_at": now + self.retry_wait(row.attempts)}
            s.execute(update(_J).where(_J.id == job_id, _held(holder)).values(
                locked_by=None, locked_until=None, updated_at=now, **values)
                .execution_options(synchronize_session=False))
            return self._moved(s, job_id)

    def mark_permanent_failure(self, job_id: int, *, holder: str, reason: str,
                               now: datetime | None = None) -> DeliveryJob:
        """The server refused the message for good (5xx): not delivered, with its reason."""
        now = now or self._clock.now()
        with self._db.write() as s:
            self._row(s, job_id)
            s.execute(update(_J).where(_J.id == job_id, _held(holder)).values(
                state=DeliveryState.FAILED, last_error=_clean(reason, MAX_ERROR), locked_by=None,
                locked_until=None, updated_at=now).execution_options(synchronize_session=False))
            return self._moved(s, job_id)

    def release(self, job_id: int, *, holder: str, now: datetime | None = None) -> DeliveryJob:
        """Gives back a job ``holder`` claimed but did not start sending (a clean shutdown).

        It is due again at once and the claim does not count as an attempt;
        another gateway need not wait for the lock to run out.
        """
        now = now or self._clock.now()
        with self._db.write() as s:
            self._row(s, job_id)
            s.execute(update(_J).where(_J.id == job_id, _held(holder)).values(
                state=DeliveryState.QUEUED, attempts=_J.attempts - 1, locked_by=None,
                locked_until=None, next_attempt_at=now, updated_at=now)
                .execution_options(synchronize_session=False))
            return self._moved(s, job_id)

    def retry_wait(self, attempts: int) -> timedelta:
        """How long to wait after the ``attempts``-th try failed: doubling, capped."""
        doubled: timedelta = self._first_retry * (2 ** min(max(attempts - 1, 0), 30))
        return min(doubled, self._longest_wait)

    def get(self, job_id: int) -> DeliveryJob:
        with self._db.read() as s:
            return _job(s, self._row(s, job_id))

    def for_message(self, message_id: uuid.UUID) -> DeliveryJob | None:
        """The delivery of one message (None: nobody sends it, e.g. a phone contact's reply)."""
        with self._db.read() as s:
            row = s.execute(select(_J).where(_J.message_id == message_id)).scalar()
            return None if row is None else _job(s, row)

    def _row(self, s: Session, job_id: int) -> DeliveryJobRow:
        row = s.get(DeliveryJobRow, job_id, populate_existing=True)
        if row is None:
            raise NotFound(f"There is no delivery job {job_id}.")
        return row

    def _moved(self, s: Session, job_id: int) -> DeliveryJob:
        row = self._row(s, job_id)
        changes.record(s, "delivery", job_id)
        changes.record(s, "message", row.message_id)
        return _job(s, row)


def _claimable(now: datetime) -> ColumnElement[bool]:
    enabled = select(ChannelAccount.id).where(ChannelAccount.enabled)
    due = and_(_J.state == DeliveryState.QUEUED, _J.next_attempt_at <= now)
    abandoned = and_(_J.state == DeliveryState.SENDING, _J.locked_until <= now)
    return and_(or_(due, abandoned), _J.channel_account_id.in_(enabled))


def _held(holder: str) -> ColumnElement[bool]:
    return and_(_J.state == DeliveryState.SENDING, _J.locked_by == holder)


def _holder(holder: str) -> str:
    if not holder or len(holder) > 120:
        raise ValidationError("A gateway's name is 1 to 120 characters.")
    return holder


def _clean(text: str, longest: int) -> str:
    """A server's words, on one line: they are shown to agents and administrators."""
    return " ".join(text.split())[:longest]


def _job(s: Session, row: DeliveryJobRow) -> DeliveryJob:
    contact_id = s.execute(select(Message.contact_id).where(Message.id == row.message_id)).scalar_one()
    return DeliveryJob(
        id=row.id, message_id=row.message_id, contact_id=contact_id,
        channel_account_id=row.channel_account_id, state=row.state, attempts=row.attempts,
        next_attempt_at=row.next_attempt_at, locked_by=row.locked_by, locked_until=row.locked_until,
        last_error=row.last_error, rfc822_message_id=row.rfc822_message_id,
        smtp_response=row.smtp_response, created_at=row.created_at, updated_at=row.updated_at,
        method=row.method, provider_message_id=row.provider_message_id)
