"""How times and timers read on screen: waiting times, SLA countdowns, time stamps.

Pure functions of stored UTC times and "now", so tests move a ManualClock
instead of sleeping.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, tzinfo

from console.domain import ContactRow, ContactStatus

DEFAULT_WARNING_RATIO = 0.8


class SlaState(enum.StrEnum):
    """Where a contact stands against its first-response target."""

    NONE = "none"  # no target, or already answered, or closed
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"


@dataclass(frozen=True)
class SlaReading:
    """An SLA countdown as shown: text, state and the sentence for the tooltip."""

    text: str
    state: SlaState
    detail: str


def duration(seconds: float) -> str:
    """A timer: "0:45" under an hour, "1:02:03" under a day, "3d 04h" beyond."""
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d {hours:02d}h"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def waiting(row: ContactRow, now: datetime) -> str:
    """How long the customer has been waiting (frozen once the contact is resolved)."""
    end = row.resolved_at or now
    return duration((end - row.created_at).total_seconds())


def sla(row: ContactRow, now: datetime, warning_ratio: float = DEFAULT_WARNING_RATIO,
        tz: tzinfo | None = None) -> SlaReading:
    """The first-response countdown: "12:34" left, "-03:10" when breached.

    Warning starts when less than ``1 - warning_ratio`` of the target is left.
    """
    due = row.first_response_due
    if due is None and row.status == ContactStatus.PENDING:
        return SlaReading("paused", SlaState.NONE, "Waiting on the customer: the SLA clock is stopped")
    if due is None:
        return SlaReading("—", SlaState.NONE, "No first-response target")
    if row.first_response_at is not None:
        return SlaReading("✓", SlaState.NONE, "Answered " + clock_time(row.first_response_at, tz))
    if not row.status.is_active:
        return SlaReading("—", SlaState.NONE, f"Contact is {row.status.value}")
    left = (due - now).total_seconds()
    target = max(1.0, (due - row.created_at).total_seconds())
    if left < 0:
        return SlaReading("-" + duration(left), SlaState.BREACHED,
                          f"First response overdue by {duration(left)} (due {clock_time(due, tz)})")
    state = SlaState.WARNING if left < (1 - warning_ratio) * target else SlaState.OK
    return SlaReading(duration(left), state,
                      f"First response due {clock_time(due, tz)}, {duration(left)} left")


def clock_time(at: datetime, tz: tzinfo | None = None) -> str:
    """A time stamp for lists: "10:30" (converted to ``tz`` when given)."""
    return (at.astimezone(tz) if tz else at).strftime("%H:%M")


def stamp(at: datetime, now: datetime, tz: tzinfo | None = None) -> str:
    """A history time stamp: the time today, else the date and time."""
    local, today = (at.astimezone(tz), now.astimezone(tz)) if tz else (at, now)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return local.strftime("%d %b %H:%M")
    return local.strftime("%Y-%m-%d")
