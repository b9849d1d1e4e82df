"""Tables for SLA policies, business hours, holidays, surveys (issue 5).

Registered on the shared Base by console.store.models.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from console.domain import Channel
from console.store.models import Base, _enum
from console.store.types import UTCDateTime


class BusinessCalendar(Base):
    """A named working week in one time zone (e.g. "Tokyo office", Asia/Tokyo)."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))


class BusinessHours(Base):
    """One opening interval on one weekday (0 = Monday), in minutes after local midnight."""

    __tablename__ = "business_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("business_calendars.id"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens_min: Mapped[int] = mapped_column(Integer)
    closes_min: Mapped[int] = mapped_column(Integer)


class CalendarHoliday(Base):
    """A closed day of one calendar (public holidays, company days off)."""

    __tablename__ = "calendar_holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("business_calendars.id"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(120), default="")


class QueueSettings(Base):
    """Per-queue supervisor settings: business calendar, routing priority, service-level goal.

    Kept beside ``queues`` rather than in it so the queue table of the previous
    release stays untouched.
    """

    __tablename__ = "queue_settings"

    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"), primary_key=True)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendars.id"))
    priority: Mapped[int] = mapped_column(Integer, default=3)
    service_level_goal: Mapped[float] = mapped_column(Float, default=0.8)
    answer_target_s: Mapped[int] = mapped_column(Integer, default=20)


class SlaPolicy(Base):
    """Targets for a queue, optionally narrowed to one priority and/or one channel."""

    __tablename__ = "sla_policies"
    __table_args__ = (Index("ix_sla_policies_queue", "queue_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("queues.id"))
    priority: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[Channel | None] = mapped_column(_enum(Channel, "channel"))
    first_response_target_s: Mapped[int] = mapped_column(Integer)
    resolution_target_s: Mapped[int] = mapped_column(Integer)
    warning_ratio: Mapped[float] = mapped_column(Float, default=0.8)


class SurveyResponse(Base):
    """A post-contact survey answer: CSAT 1-5, NPS 0-10 or CES 1-7."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_created", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    score: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SlaBreachNotice(Base):
    """One row per (contact, timer) breach already announced: the unique key makes it once."""

    __tablename__ = "sla_breach_notices"
    __table_args__ = (UniqueConstraint("contact_id", "timer", "due"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"))
    timer: Mapped[str] = mapped_column(String(16))
    due: Mapped[datetime] = mapped_column(UTCDateTime())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime())
