"""SLA set-up: business calendars, holidays, per-queue policies and queue settings.

Every change that can move a due time recomputes the queue's active contacts
in the same transaction, so the inbox never shows targets from an old policy.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import Channel, Priority
from console.domain.sla import CalendarInfo, PolicyInfo, QueueSetup
from console.errors import NotFound, ValidationError
from console.services import sla_engine
from console.services.business_hours import check_intervals, zone
from console.services.rows import queue_by_name
from console.store import changes
from console.store.db import Database
from console.store.models import Queue
from console.store.models_sla import (
    BusinessCalendar,
    BusinessHours,
    CalendarHoliday,
    QueueSettings,
    SlaPolicy,
)

WeeklyHours = Mapping[int, Sequence[tuple[time, time]]]
MAX_TARGET_S = 366 * 86400


class SlaService:
    """Configures how SLA clocks run.

    Args:
        db: the database.
        clock: where "now" comes from.
    """

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    # -- calendars -------------------------------------------------------
    def create_calendar(self, name: str, timezone: str, hours: WeeklyHours) -> CalendarInfo:
        """Creates a calendar; ``hours`` maps weekday (0 = Monday) to (opens, closes) times.

        A closing time of 00:00 means midnight at the end of the day.
        """
        name = name.strip()
        if not name:
            raise ValidationError("A business calendar needs a name.")
        zone(timezone)
        rows = _hour_rows(hours)
        with self._db.write() as s:
            if s.execute(select(BusinessCalendar.id).where(BusinessCalendar.name == name)).first():
                raise ValidationError(f"A business calendar named '{name}' already exists.")
            cal = BusinessCalendar(name=name, timezone=timezone)
            s.add(cal)
            s.flush()
            s.add_all(BusinessHours(calendar_id=cal.id, weekday=d, opens_min=a, closes_min=b)
                      for d, a, b in rows)
            changes.record(s, "calendar", cal.id, "insert")
            s.flush()
            return _calendar_info(s, cal)

    def calendar(self, name: str) -> CalendarInfo:
        with self._db.read() as s:
            return _calendar_info(s, _calendar(s, name))

    def add_holidays(self, calendar: str, days: Iterable[tuple[date, str]]) -> int:
        """Closes the calendar on these local dates (already present ones are kept).

        Returns:
            How many days were added.
        """
        with self._db.write() as s:
            cal = _calendar(s, calendar)
            have = set(s.execute(select(CalendarHoliday.day)
                                 .where(CalendarHoliday.calendar_id == cal.id)).scalars())
            new = {d: n for d, n in days if d not in have}
            s.add_all(CalendarHoliday(calendar_id=cal.id, day=d, name=n[:120])
                      for d, n in sorted(new.items()))
            self._after_calendar_change(s, cal.id)
            return len(new)

    def remove_holiday(self, calendar: str, day: date) -> None:
        with self._db.write() as s:
            cal = _calendar(s, calendar)
            s.execute(delete(CalendarHoliday).where(CalendarHoliday.calendar_id == cal.id,
                                                    CalendarHoliday.day == day))
            self._after_calendar_change(s, cal.id)

    def import_public_holidays(self, calendar: str, country: str,
                               years: Sequence[int]) -> int:
        """Adds a country's public holidays (the ``holidays`` package) for some years.

        Raises:
            ValidationError: the country code is unknown.
        """
        import holidays

        try:
            days = holidays.country_holidays(country.upper(), years=list(years), language="en_US")
        except NotImplementedError:
            raise ValidationError(f"No public holiday calendar for country '{country}'.") from None
        return self.add_holidays(calendar, sorted(days.items()))

    def _after_calendar_change(self, s: Session, calendar_id: int) -> None:
        changes.record(s, "calendar", calendar_id)
        s.flush()
        for qs in s.execute(select(QueueSettings).where(QueueSettings.calendar_id == calendar_id)
                            ).scalars():
            sla_engine.recompute_queue(s, qs.queue_id)

    # -- queues ----------------------------------------------------------
    def setup(self, queue: str) -> QueueSetup:
        with self._db.read() as s:
            q = queue_by_name(s, queue)
            return _setup(s, q, s.get(QueueSettings, q.id))

    def configure_queue(self, queue: str, *, calendar: str | bool | None = False,
                        priority: int | None = None, service_level_goal: float | None = None,
                        answer_target_s: int | None = None) -> QueueSetup:
        """Changes a queue's settings; leave an argument out to keep its value.

        Args:
            queue: the queue's name.
            calendar: a calendar name, or None for always open.
            priority: routing priority, 1 (urgent) to 4 (low).
            service_level_goal: the fraction to answer within ``answer_target_s``.
            answer_target_s: the service-level threshold in seconds.
        """
        if priority is not None and priority not in {int(p) for p in Priority}:
            raise ValidationError("A queue priority is 1 (urgent) to 4 (low).")
        if service_level_goal is not None and not 0 < service_level_goal < 1:
            raise ValidationError("The service-level goal is a fraction between 0 and 1.")
        if answer_target_s is not None and not 0 < answer_target_s <= 86400:
            raise ValidationError("The answer target is 1 to 86400 seconds.")
        with self._db.write() as s:
            q = queue_by_name(s, queue)
            qs = queue_settings(s, q.id)
            if calendar is not False:
                qs.calendar_id = _calendar(s, str(calendar)).id if calendar else None
            qs.priority = priority if priority is not None else qs.priority
            qs.service_level_goal = service_level_goal or qs.service_level_goal
            qs.answer_target_s = answer_target_s or qs.answer_target_s
            changes.record(s, "queue", q.id)
            s.flush()
            if calendar is not False:
                sla_engine.recompute_queue(s, q.id)
            return _setup(s, q, qs)

    # -- policies --------------------------------------------------------
    def set_policy(self, queue: str, *, first_response_target_s: int, resolution_target_s: int,
                   warning_ratio: float = 0.8, priority: int | None = None,
                   channel: Channel | None = None) -> PolicyInfo:
        """Creates or replaces the policy for queue x priority x channel; recomputes open contacts."""
        _check_targets(first_response_target_s, resolution_target_s, warning_ratio)
        if priority is not None and priority not in {int(p) for p in Priority}:
            raise ValidationError("A policy priority is 1 (urgent) to 4 (low), or none for all.")
        with self._db.write() as s:
            q = queue_by_name(s, queue)
            policy = s.execute(select(SlaPolicy).where(
                SlaPolicy.queue_id == q.id,
                SlaPolicy.priority.is_(None) if priority is None else SlaPolicy.priority == priority,
                SlaPolicy.channel.is_(None) if channel is None else SlaPolicy.channel == channel,
            )).scalar()
            if policy is None:
                policy = SlaPolicy(queue_id=q.id, priority=priority, channel=channel)
                s.add(policy)
            policy.first_response_target_s = first_response_target_s
            policy.resolution_target_s = resolution_target_s
            policy.warning_ratio = warning_ratio
            s.flush()
            changes.record(s, "sla_policy", policy.id)
            sla_engine.recompute_queue(s, q.id)
            return _policy_info(policy, q.name)

    def remove_policy(self, policy_id: int) -> None:
        with self._db.write() as s:
            policy = s.get(SlaPolicy, policy_id)
            if policy is None:
                raise NotFound(f"There is no SLA policy {policy_id}.")
            queue_id = policy.queue_id
            s.delete(policy)
            s.flush()
            changes.record(s, "sla_policy", policy_id, "delete")
            sla_engine.recompute_queue(s, queue_id)

    def policies(self, queue: str | None = None) -> builtins.list[PolicyInfo]:
        with self._db.read() as s:
            stmt = select(SlaPolicy, Queue.name).join(Queue, Queue.id == SlaPolicy.queue_id)
            if queue is not None:
                stmt = stmt.where(Queue.id == queue_by_name(s, queue).id)
            rows = s.execute(stmt.order_by(Queue.name, SlaPolicy.id)).all()
            return [_policy_info(p, name) for p, name in rows]


def queue_settings(s: Session, queue_id: int) -> QueueSettings:
    """The queue's settings row, created with defaults on first use."""
    qs = s.get(QueueSettings, queue_id)
    if qs is None:
        qs = QueueSettings(queue_id=queue_id, calendar_id=None, priority=3,
                           service_level_goal=0.8, answer_target_s=20)
        s.add(qs)
    return qs


def _check_targets(first: int, resolution: int, warning: float) -> None:
    if not 0 < first <= MAX_TARGET_S or not 0 < resolution <= MAX_TARGET_S:
        raise ValidationError("SLA targets are positive numbers of seconds (a year at most).")
    if first > resolution:
        raise ValidationError("The first-response target cannot be longer than the resolution target.")
    if not 0 < warning < 1:
        raise ValidationError("The warning threshold is a fraction between 0 and 1.")


def _hour_rows(hours: WeeklyHours) -> list[tuple[int, int, int]]:
    rows: list[tuple[int, int, int]] = []
    for weekday, spans in sorted(hours.items()):
        if weekday not in range(7):
            raise ValidationError(f"Weekday {weekday} is not 0 (Monday) to 6 (Sunday).")
        minutes = [(a.hour * 60 + a.minute, (b.hour * 60 + b.minute) or 24 * 60) for a, b in spans]
        rows.extend((weekday, a, b) for a, b in check_intervals(minutes))
    if not rows:
        raise ValidationError("A business calendar needs opening hours on at least one day.")
    return rows


def _calendar(s: Session, name: str) -> BusinessCalendar:
    cal = s.execute(select(BusinessCalendar).where(BusinessCalendar.name == name)).scalar()
    if cal is None:
        raise NotFound(f"There is no business calendar named '{name}'.")
    return cal


def _calendar_info(s: Session, cal: BusinessCalendar) -> CalendarInfo:
    hours = s.execute(select(BusinessHours).where(BusinessHours.calendar_id == cal.id)
                      .order_by(BusinessHours.weekday, BusinessHours.opens_min)).scalars()
    days = s.execute(select(CalendarHoliday).where(CalendarHoliday.calendar_id == cal.id)
                     .order_by(CalendarHoliday.day)).scalars()
    return CalendarInfo(cal.id, cal.name, cal.timezone,
                        tuple((h.weekday, _hm(h.opens_min), _hm(h.closes_min)) for h in hours),
                        tuple((d.day, d.name) for d in days))


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _setup(s: Session, q: Queue, qs: QueueSettings | None) -> QueueSetup:
    if qs is None:
        return QueueSetup(q.name, None, 3, 0.8, 20)
    cal = s.get(BusinessCalendar, qs.calendar_id) if qs.calendar_id else None
    return QueueSetup(q.name, cal.name if cal else None, qs.priority, qs.service_level_goal,
                      qs.answer_target_s)


def _policy_info(p: SlaPolicy, queue: str) -> PolicyInfo:
    return PolicyInfo(p.id, queue, p.priority, Channel(p.channel) if p.channel else None,
                      p.first_response_target_s, p.resolution_target_s, p.warning_ratio)
