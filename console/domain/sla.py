"""Frozen dataclasses for SLA set-up, surveys and the supervisor monitor (issue 5)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from console.domain import AgentState, Channel


class SurveyKind(enum.StrEnum):
    """Post-contact survey questions and their score ranges."""

    CSAT = "csat"  # 1-5, "satisfied" is 4 or 5
    NPS = "nps"  # 0-10, promoters 9-10, detractors 0-6
    CES = "ces"  # 1-7, higher is easier

    @property
    def score_range(self) -> tuple[int, int]:
        return {"csat": (1, 5), "nps": (0, 10), "ces": (1, 7)}[self.value]


@dataclass(frozen=True, slots=True)
class CalendarInfo:
    """A business calendar: weekly hours as (weekday, "HH:MM", "HH:MM") and closed days."""

    id: int
    name: str
    timezone: str
    hours: tuple[tuple[int, str, str], ...]
    holidays: tuple[tuple[date, str], ...]


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """SLA targets for a queue, narrowed to a priority and/or channel when those are set."""

    id: int
    queue: str
    priority: int | None
    channel: Channel | None
    first_response_target_s: int
    resolution_target_s: int
    warning_ratio: float


@dataclass(frozen=True, slots=True)
class QueueSetup:
    """A queue's supervisor settings."""

    queue: str
    calendar: str | None
    priority: int
    service_level_goal: float
    answer_target_s: int


@dataclass(frozen=True, slots=True)
class QueueStats:
    """One wallboard row: a queue right now and today (see docs/kpis.md for formulas)."""

    queue_id: int
    queue: str
    priority: int
    waiting: int
    longest_wait_s: int
    service_level_today: float | None
    service_level_30m: float | None
    aht_s: float | None
    abandonment_rate: float | None
    breaches: int
    arrivals_today: int
    handled_today: int
    agents_available: int
    agents_needed: int | None


@dataclass(frozen=True, slots=True)
class AgentStats:
    """One wallboard row: an agent right now and today."""

    agent_id: int
    login: str
    name: str
    state: AgentState
    since: datetime | None
    time_in_state_s: int
    current_contact_id: int | None
    current_subject: str | None
    handled_today: int
    aht_s: float | None


@dataclass(frozen=True, slots=True)
class CentreKpis:
    """Centre-wide quality figures for today (None when there is nothing to measure)."""

    fcr: float | None
    art_s: float | None
    csat: float | None
    nps: float | None
    ces: float | None
    surveys: int


@dataclass(frozen=True, slots=True)
class MonitorSnapshot:
    """Everything the wallboard and ``switchboard queues`` show, as of ``at``."""

    at: datetime
    queues: tuple[QueueStats, ...]
    agents: tuple[AgentStats, ...]
    kpis: CentreKpis
    per_channel: tuple[tuple[Channel, int], ...]
