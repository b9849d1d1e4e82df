"""Mailbox intake state for the gateway: one poller per mailbox, and where its intake stands.

Several gateways may run at once; each mailbox is polled by the one holding
its *lease*. Acquiring, renewing and releasing are conditional UPDATEs (like
claims in console.services.inbox): the database picks the single winner and
the row count tells each gateway whether it was them. A gateway that dies
stops renewing; its lease runs out and another takes over.

``record_intake`` moves the UIDVALIDITY/UID position only for the lease
holder, and never backwards within one UIDVALIDITY, so a message is taken in
once across restarts and gateways.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, update

from console.clock import Clock
from console.domain.channel_accounts import MailboxState
from console.errors import NotFound, ValidationError
from console.store import changes
from console.store.db import Database
from console.store.models_channels import ChannelAccount, ChannelIntake

MAX_HOLDER = 120
MAX_ERROR = 1000
_I = ChannelIntake


class MailboxLeases:
    """Leases and intake positions of channel accounts' mailboxes (see the module docstring)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def acquire_lease(self, account_id: int, holder: str, *, ttl: timedelta,
                      now: datetime | None = None) -> bool:
        """Takes the mailbox for ``holder`` until ``now + ttl`` if nobody else holds it.

        Holding it already renews it. A disabled account is never leased.
        Returns whether ``holder`` holds it now.
        """
        now = now or self._clock.now()
        enabled = select(ChannelAccount.id).where(ChannelAccount.enabled)
        free = or_(_I.lease_holder.is_(None), _I.lease_holder == _holder(holder),
                   _I.lease_expires_at <= now)
        return self._update(and_(_I.account_id == account_id, _I.account_id.in_(enabled), free),
                            lease_holder=holder, lease_expires_at=now + _ttl(ttl))

    def renew_lease(self, account_id: int, holder: str, *, ttl: timedelta,
                    now: datetime | None = None) -> bool:
        """Extends ``holder``'s lease; False when it has run out and someone else took it."""
        now = now or self._clock.now()
        return self._update(self._held(account_id, holder), lease_expires_at=now + _ttl(ttl))

    def release_lease(self, account_id: int, holder: str) -> bool:
        """Gives the mailbox up (a clean shutdown), so another gateway need not wait."""
        return self._update(self._held(account_id, holder), lease_holder=None,
                            lease_expires_at=None)

    def record_intake(self, account_id: int, holder: str, *, uidvalidity: int, last_uid: int,
                      now: datetime | None = None) -> bool:
        """Records that every message up to ``last_uid`` of ``uidvalidity`` is taken in.

        Only the lease holder may, and within one UIDVALIDITY the position
        never moves back. Call it in the transaction that stored the messages.
        Returns whether it was recorded.
        """
        if uidvalidity < 0 or last_uid < 0:
            raise ValidationError("UIDVALIDITY and UIDs are positive numbers.")
        now = now or self._clock.now()
        forward = or_(_I.uidvalidity.is_(None), _I.uidvalidity != uidvalidity,
                      _I.last_uid <= last_uid)
        return self._update(and_(self._held(account_id, holder, now), forward),
                            uidvalidity=uidvalidity, last_uid=last_uid, last_poll_at=now)

    def record_poll(self, account_id: int, holder: str, *, error: str | None = None,
                    now: datetime | None = None) -> bool:
        """Records that an intake pass ended (with the problem it met, if any)."""
        now = now or self._clock.now()
        values: dict[str, object] = {"last_poll_at": now}
        if error is not None:
            values |= {"last_error": error[:MAX_ERROR], "last_error_at": now}
        return self._update(self._held(account_id, holder, now), **values)

    def state(self, account_id: int) -> MailboxState:
        with self._db.read() as s:
            row = s.get(ChannelIntake, account_id)
            if row is None:
                raise NotFound(f"There is no channel account {account_id}.")
            return _state(row)

    def _held(self, account_id: int, holder: str,
              now: datetime | None = None) -> ColumnElement[bool]:
        held = and_(_I.account_id == account_id, _I.lease_holder == _holder(holder))
        return held if now is None else and_(held, _I.lease_expires_at > now)

    def _update(self, where: ColumnElement[bool], **values: object) -> bool:
        with self._db.write() as s:
            result = s.execute(update(ChannelIntake).where(where).values(**values)
                               .returning(_I.account_id)
                               .execution_options(synchronize_session=False))
            won = result.scalars().all()
            if "last_poll_at" in values:
                # ``channels list`` shows the last poll and error: the admin view follows them.
                for account_id in won:
                    changes.record(s, "channel", account_id)
            return bool(won)


def _holder(holder: str) -> str:
    if not holder or len(holder) > MAX_HOLDER:
        raise ValidationError(f"A gateway's name is 1 to {MAX_HOLDER} characters.")
    return holder


def _ttl(ttl: timedelta) -> timedelta:
    if ttl <= timedelta(0):
        raise ValidationError("A lease lasts a positive time.")
    return ttl


def _state(row: ChannelIntake) -> MailboxState:
    return MailboxState(row.account_id, row.uidvalidity, row.last_uid, row.lease_holder,
                        row.lease_expires_at)
