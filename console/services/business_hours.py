"""Business-time arithmetic: adding and counting seconds that fall inside opening hours.

A ``WorkCalendar`` is a weekly timetable in one time zone plus closed days.
SLA clocks only run inside it; everything here is pure and works on aware
UTC datetimes, converting to the calendar's local time per day (so daylight
saving changes are handled by ``zoneinfo``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.errors import ValidationError

MINUTES_PER_DAY = 24 * 60
# A due time further than this is a configuration mistake (e.g. every day a holiday).
MAX_SEARCH_DAYS = 3 * 366

Interval = tuple[int, int]  # minutes after local midnight: [opens, closes)


@dataclass(frozen=True)
class WorkCalendar:
    """Opening hours per weekday (0 = Monday) in ``timezone``, minus ``holidays``.

    Attributes:
        timezone: an IANA zone name such as ``Asia/Tokyo``.
        hours: weekday -> sorted, non-overlapping (opens_min, closes_min) intervals.
        holidays: local dates on which the calendar is closed all day.
    """

    timezone: str
    hours: Mapping[int, tuple[Interval, ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @property
    def zone(self) -> ZoneInfo:
        return zone(self.timezone)

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The opening intervals of a local date (none on a holiday)."""
        if day in self.holidays:
            return ()
        return self.hours.get(day.weekday(), ())


ALWAYS_OPEN = WorkCalendar("UTC", dict.fromkeys(range(7), ((0, MINUTES_PER_DAY),)))


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name.

    Raises:
        ValidationError: the name is not a known time zone.
    """
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"'{name}' is not a time zone (use a name like Asia/Tokyo).") from None


def check_intervals(intervals: list[Interval]) -> tuple[Interval, ...]:
    """Sorts one weekday's intervals, rejecting empty, reversed or overlapping ones."""
    ordered = sorted(intervals)
    for opens, closes in ordered:
        if not 0 <= opens < closes <= MINUTES_PER_DAY:
            raise ValidationError(
                f"Opening hours {_hm(opens)}-{_hm(closes)} are not a time range within one day.")
    for (_, end), (start, _) in itertools.pairwise(ordered):
        if start < end:
            raise ValidationError(f"Opening hours overlap at {_hm(start)}.")
    return tuple(ordered)


def _hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _local(day: date, minutes: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of ``minutes`` after local midnight of ``day`` (24:00 = next midnight)."""
    base = datetime.combine(day, time(0), tzinfo=tz)
    if minutes == MINUTES_PER_DAY:
        nxt = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        return nxt.astimezone(UTC)
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)
    return (wall if wall >= base else base).astimezone(UTC)


def open_spans(cal: WorkCalendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """Opening spans (UTC) that end after ``start``, clipped to begin no earlier than it."""
    tz = cal.zone
    day = start.astimezone(tz).date() - timedelta(days=1)  # a span may straddle midnight UTC
    for _ in range(MAX_SEARCH_DAYS):
        for opens, closes in cal.intervals_on(day):
            a, b = _local(day, opens, tz), _local(day, closes, tz)
            if b > start:
                yield max(a, start), b
        day += timedelta(days=1)


def add_business_seconds(cal: WorkCalendar, start: datetime, seconds: float) -> datetime:
    """The moment ``seconds`` of opening time after ``start``.

    Raises:
        ValidationError: the calendar has no opening hours within three years.
    """
    left = timedelta(seconds=seconds)
    if left <= timedelta(0):
        return start
    for a, b in open_spans(cal, start):
        if b - a >= left:
            return a + left
        left -= b - a
    raise ValidationError("The business calendar has no opening hours in the next three years.")


def business_seconds_between(cal: WorkCalendar, start: datetime, end: datetime) -> int:
    """Whole seconds of opening time in [start, end) (0 when end is not after start)."""
    if end <= start:
        return 0
    total = timedelta(0)
    for a, b in open_spans(cal, start):
        if a >= end:
            break
        total += min(b, end) - a
    return int(total.total_seconds())
