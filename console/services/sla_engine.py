"""The SLA clock inside a write session: which targets apply, and when a contact is due.

A contact's due times are always recomputed from scratch: created time plus
the target, counted in the queue's business hours, plus the business time it
spent pending on the customer. While it is pending the clock is stopped and
the running due times are cleared (nothing can breach while paused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from console.domain import ACTIVE_STATUSES, Channel, ContactStatus
from console.services.business_hours import (
    ALWAYS_OPEN,
    WorkCalendar,
    add_business_seconds,
    business_seconds_between,
)
from console.store import changes
from console.store.models import Contact, Queue
from console.store.models_sla import (
    BusinessCalendar,
    BusinessHours,
    CalendarHoliday,
    QueueSettings,
    SlaPolicy,
)


@dataclass(frozen=True)
class Targets:
    """The targets that apply to one contact, and where they came from.

    Attributes:
        policy_id: the matching policy, or None for the queue's own default.
    """

    first_response_s: int
    resolution_s: int
    warning_ratio: float
    policy_id: int | None


def calendar_by_id(s: Session, calendar_id: int | None) -> WorkCalendar:
    """The calendar with its hours and holidays (always open when None)."""
    if calendar_id is None:
        return ALWAYS_OPEN
    cal = s.get_one(BusinessCalendar, calendar_id)
    hours: dict[int, list[tuple[int, int]]] = {}
    for h in s.execute(select(BusinessHours).where(BusinessHours.calendar_id == calendar_id)
                       .order_by(BusinessHours.weekday, BusinessHours.opens_min)).scalars():
        hours.setdefault(h.weekday, []).append((h.opens_min, h.closes_min))
    days = s.execute(select(CalendarHoliday.day)
                     .where(CalendarHoliday.calendar_id == calendar_id)).scalars()
    return WorkCalendar(cal.timezone, {d: tuple(v) for d, v in hours.items()}, frozenset(days))


def queue_calendar(s: Session, queue_id: int) -> WorkCalendar:
    settings = s.get(QueueSettings, queue_id)
    return calendar_by_id(s, settings.calendar_id if settings else None)


def targets_for(s: Session, queue: Queue, priority: int, channel: Channel) -> Targets:
    """The most specific policy for queue x priority x channel, else the queue default.

    Specificity: priority and channel > priority only > channel only > queue-wide policy.
    """
    best: SlaPolicy | None = None
    best_rank = -1
    for p in s.execute(select(SlaPolicy).where(SlaPolicy.queue_id == queue.id)).scalars():
        if (p.priority is not None and p.priority != priority) or \
                (p.channel is not None and p.channel != channel):
            continue
        rank = (2 if p.priority is not None else 0) + (1 if p.channel is not None else 0)
        if rank > best_rank:
            best, best_rank = p, rank
    if best is None:
        return Targets(queue.first_response_target_s, queue.resolution_target_s,
                       queue.warning_ratio, None)
    return Targets(best.first_response_target_s, best.resolution_target_s, best.warning_ratio,
                   best.id)


def compute_dues(cal: WorkCalendar, targets: Targets, contact: Contact,
                 ) -> tuple[datetime | None, datetime | None]:
    """(first_response_due, resolution_due) for the contact's current bookkeeping.

    A first response already given keeps its due time (a later pause must not
    turn a late answer into an on-time one); a paused contact has no running due.
    """
    paused = contact.sla_paused_at is not None
    extra = contact.sla_paused_s or 0
    if contact.first_response_at is not None:
        first = contact.first_response_due
    else:
        first = None if paused else add_business_seconds(
            cal, contact.created_at, targets.first_response_s + extra)
    resolution = None if paused else add_business_seconds(
        cal, contact.created_at, targets.resolution_s + extra)
    return first, resolution


def stamp(s: Session, contact: Contact, cal: WorkCalendar | None = None) -> None:
    """Sets the contact's due times from its queue's policy and calendar."""
    queue = s.get_one(Queue, contact.queue_id)
    cal = cal or queue_calendar(s, contact.queue_id)
    targets = targets_for(s, queue, contact.priority, Channel(contact.channel))
    contact.first_response_due, contact.resolution_due = compute_dues(cal, targets, contact)


def on_status_change(s: Session, contact: Contact, new_status: ContactStatus,
                     now: datetime) -> None:
    """Stops the clock when a contact goes pending, restarts it when it leaves pending.

    Call before assigning ``new_status`` (the contact still has its old status).
    """
    cal = queue_calendar(s, contact.queue_id)
    if new_status == ContactStatus.PENDING and contact.sla_paused_at is None:
        contact.sla_paused_at = now
        stamp(s, contact, cal)
    elif new_status != ContactStatus.PENDING and contact.sla_paused_at is not None:
        contact.sla_paused_s = (contact.sla_paused_s or 0) + business_seconds_between(
            cal, contact.sla_paused_at, now)
        contact.sla_paused_at = None
        stamp(s, contact, cal)


def recompute_queue(s: Session, queue_id: int) -> int:
    """Recomputes every active contact of a queue (after a policy or calendar change).

    Returns:
        How many contacts got new due times.
    """
    cal = queue_calendar(s, queue_id)
    changed = 0
    rows = s.execute(select(Contact).where(Contact.queue_id == queue_id,
                                           Contact.status.in_(ACTIVE_STATUSES))).scalars()
    for contact in rows:
        before = (contact.first_response_due, contact.resolution_due)
        stamp(s, contact, cal)
        if (contact.first_response_due, contact.resolution_due) != before:
            contact.version += 1
            changes.record(s, "contact", contact.id)
            changed += 1
    return changed
