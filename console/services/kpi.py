"""KPI formulas as pure functions over plain values (documented in docs/kpis.md).

Each returns None when there is nothing to measure, so a quiet queue shows
"-" rather than a misleading 0 % or 100 %.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FirstResponse:
    """What service level needs to know about one contact."""

    answered_at: datetime | None
    due: datetime | None


def service_level(contacts: Iterable[FirstResponse], start: datetime, now: datetime) -> float | None:
    """Share of contacts answered by their first-response due, over contacts decided in [start, now].

    A contact is decided in the window when it was answered in it, or when it
    is still unanswered and its due time passed in it (a miss that is already
    certain). Contacts still inside their target are not counted yet.
    """
    met = decided = 0
    for c in contacts:
        if c.answered_at is not None and start <= c.answered_at <= now:
            decided += 1
            met += c.due is None or c.answered_at <= c.due
        elif c.answered_at is None and c.due is not None and start <= c.due <= now:
            decided += 1
    return met / decided if decided else None


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def csat(scores: Sequence[int]) -> float | None:
    """Share of CSAT answers (1-5) that are 4 or 5."""
    return rate(sum(1 for s in scores if s >= 4), len(scores))


def nps(scores: Sequence[int]) -> float | None:
    """Net promoter score, -100..100: % promoters (9-10) minus % detractors (0-6)."""
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return 100.0 * (promoters - detractors) / len(scores)


def ces(scores: Sequence[int]) -> float | None:
    """Customer effort score: the mean answer on the 1-7 scale (higher is easier)."""
    return mean([float(s) for s in scores])


def fcr(resolved: int, first_time: int) -> float | None:
    """First-contact resolution: resolved first time / resolved."""
    return rate(first_time, resolved)
