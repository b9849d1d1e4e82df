"""SLA due times across business hours, holidays and pauses; policies and recompute.

Expected values are worked out by hand in the comments (JST = UTC+9).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.clock import ManualClock
from console.domain import Channel, ContactStatus, Priority
from console.errors import NotFound, ValidationError
from console.services.business_hours import (
    WorkCalendar,
    add_business_seconds,
    business_seconds_between,
)
from console.store.db import Database
from tests.factories import services_for, small_world

NINE_TO_SIX = {d: [(time(9), time(18))] for d in range(5)}
# Tokyo, Mon-Fri 09:00-18:00, with Monday 2026-11-23 (Labour Thanksgiving Day) closed.
TOKYO = WorkCalendar("Asia/Tokyo", dict.fromkeys(range(5), ((540, 1080),)),
                     frozenset({date(2026, 11, 23)}))


def jst(day: int, hour: int, minute: int = 0) -> datetime:
    """A November 2026 Tokyo wall time, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=9)


# -- pure business-time arithmetic -----------------------------------------
def test_friday_evening_plus_one_hour_skips_weekend_and_holiday() -> None:
    # Fri 17:30 -> 30 min left on Friday; Sat, Sun closed; Mon holiday; Tue 09:00 + 30 min.
    assert add_business_seconds(TOKYO, jst(20, 17, 30), 3600) == jst(24, 9, 30)


def test_start_before_opening_counts_from_opening() -> None:
    assert add_business_seconds(TOKYO, jst(20, 7, 0), 1800) == jst(20, 9, 30)


def test_target_spanning_several_days() -> None:
    # Thu 16:00 + 12 h: Thu 2 h, Fri 9 h (-> 11 h), Tue 1 h -> Tue 10:00.
    assert add_business_seconds(TOKYO, jst(19, 16), 12 * 3600) == jst(24, 10)


def test_business_seconds_between_skips_closed_time() -> None:
    # Fri 17:00 -> Tue 10:00 = Fri 1 h + Tue 1 h.
    assert business_seconds_between(TOKYO, jst(20, 17), jst(24, 10)) == 7200
    assert business_seconds_between(TOKYO, jst(24, 10), jst(20, 17)) == 0


def test_daylight_saving_is_local_wall_time() -> None:
    # New York 09:00-17:00; DST ends Sun 2026-11-01. Fri Oct 30 16:00 EDT (20:00 UTC)
    # + 2 h -> Fri 1 h, then Mon Nov 2 09:00 EST (14:00 UTC) + 1 h = 15:00 UTC.
    ny = WorkCalendar("America/New_York", dict.fromkeys(range(5), ((540, 1020),)))
    start = datetime(2026, 10, 30, 20, tzinfo=UTC)
    assert add_business_seconds(ny, start, 7200) == datetime(2026, 11, 2, 15, tzinfo=UTC)


def test_lunch_break_and_midnight_spans() -> None:
    # Mon 09:00-12:00 and 13:00-24:00 in Tokyo; Mon 11:30 + 2 h = 30 min + 1 h 30 -> 14:30.
    split = WorkCalendar("Asia/Tokyo", {0: ((540, 720), (780, 1440))})
    assert add_business_seconds(split, jst(23, 11, 30), 7200) == jst(23, 14, 30)
    # Mon 23:00 + 2 h: 1 h to midnight, then next Monday 09:00 + 1 h.
    assert add_business_seconds(split, jst(23, 23), 7200) == jst(30, 10)


@given(start_min=st.integers(0, 14 * 24 * 60), seconds=st.integers(1, 40 * 3600))
def test_adding_then_counting_business_time_round_trips(start_min: int, seconds: int) -> None:
    start = jst(16, 0) + timedelta(minutes=start_min)
    due = add_business_seconds(TOKYO, start, seconds)
    assert due > start
    assert business_seconds_between(TOKYO, start, due) == seconds


# -- the service -----------------------------------------------------------
def _tokyo_queue(db: Database, clock: ManualClock) -> None:
    sv = services_for(db, clock)
    sv.admin.create_queue("Cards", first_response_target_s=3600, resolution_target_s=4 * 3600)
    sv.admin.create_agent("emma", "Emma Clarke", queues=["Cards"])
    sv.admin.add_disposition("solved", "Solved")
    sv.sla.create_calendar("Tokyo office", "Asia/Tokyo", NINE_TO_SIX)
    sv.sla.import_public_holidays("Tokyo office", "JP", [2026])
    sv.sla.configure_queue("Cards", calendar="Tokyo office")


def test_intake_stamps_business_hour_due_times(db: Database, clock: ManualClock) -> None:
    _tokyo_queue(db, clock)
    sv = services_for(db, clock)
    assert (date(2026, 11, 23), "Labor Thanksgiving Day") in sv.sla.calendar("Tokyo office").holidays
    clock.set(jst(20, 17, 30))
    row = sv.intake.create_contact(Channel.PHONE, "Cards", "Lost card")
    assert row.first_response_due == jst(24, 9, 30)
    # 4 h: Fri 30 min, Tue 09:00 + 3.5 h = 12:30.
    assert row.resolution_due == jst(24, 12, 30)


def test_policy_by_priority_and_channel_wins_over_queue_default(db: Database,
                                                                clock: ManualClock) -> None:
    _tokyo_queue(db, clock)
    sv = services_for(db, clock)
    clock.set(jst(24, 10))
    sv.sla.set_policy("Cards", first_response_target_s=600, resolution_target_s=7200,
                      priority=int(Priority.URGENT))
    sv.sla.set_policy("Cards", first_response_target_s=300, resolution_target_s=3600,
                      priority=int(Priority.URGENT), channel=Channel.CHAT)
    sv.sla.set_policy("Cards", first_response_target_s=1200, resolution_target_s=7200,
                      channel=Channel.CHAT)
    urgent_chat = sv.intake.create_contact(Channel.CHAT, "Cards", "a", priority=Priority.URGENT)
    urgent_phone = sv.intake.create_contact(Channel.PHONE, "Cards", "b", priority=Priority.URGENT)
    normal_chat = sv.intake.create_contact(Channel.CHAT, "Cards", "c")
    normal_mail = sv.intake.create_contact(Channel.EMAIL, "Cards", "d")
    assert urgent_chat.first_response_due == jst(24, 10, 5)
    assert urgent_phone.first_response_due == jst(24, 10, 10)
    assert normal_chat.first_response_due == jst(24, 10, 20)
    assert normal_mail.first_response_due == jst(24, 11)  # queue default, 1 h


def test_changing_a_policy_recomputes_open_contacts_only(db: Database, clock: ManualClock) -> None:
    _tokyo_queue(db, clock)
    sv = services_for(db, clock)
    clock.set(jst(24, 10))
    open_one = sv.intake.create_contact(Channel.EMAIL, "Cards", "open")
    done = sv.intake.create_contact(Channel.EMAIL, "Cards", "done")
    sv.inbox.resolve(done.id, "emma", "solved")
    policy = sv.sla.set_policy("Cards", first_response_target_s=1800, resolution_target_s=3600)
    assert sv.inbox.get(open_one.id).first_response_due == jst(24, 10, 30)
    assert sv.inbox.get(open_one.id).version == open_one.version + 1
    assert sv.inbox.get(done.id).first_response_due == jst(24, 11)  # history is kept
    sv.sla.remove_policy(policy.id)
    assert sv.inbox.get(open_one.id).first_response_due == jst(24, 11)


def test_pending_pauses_the_clock_in_business_time(db: Database, clock: ManualClock) -> None:
    _tokyo_queue(db, clock)
    sv = services_for(db, clock)
    clock.set(jst(20, 16))
    row = sv.intake.create_contact(Channel.EMAIL, "Cards", "Statement")
    assert row.resolution_due == jst(24, 11)  # Fri 2 h + Tue 2 h
    sv.inbox.claim(row.id, "emma")
    clock.set(jst(20, 17))
    paused = sv.inbox.set_status(row.id, "emma", ContactStatus.PENDING).value
    assert paused.resolution_due is None and paused.first_response_due is None
    clock.set(jst(24, 10))  # paused for Fri 1 h + Tue 1 h of business time
    resumed = sv.inbox.set_status(row.id, "emma", ContactStatus.OPEN).value
    assert resumed.resolution_due == jst(24, 13)
    # 1 h target + 2 h paused = 3 h from Fri 16:00: Fri 2 h, Tue 09:00 + 1 h.
    assert resumed.first_response_due == jst(24, 10)


def test_first_response_due_is_kept_once_answered(db: Database, clock: ManualClock) -> None:
    _tokyo_queue(db, clock)
    sv = services_for(db, clock)
    clock.set(jst(24, 10))
    row = sv.intake.create_contact(Channel.EMAIL, "Cards", "Statement")
    clock.set(jst(24, 11, 30))
    sv.inbox.reply(row.id, "emma", "Looking into it")  # late by 30 min
    sv.inbox.set_status(row.id, "emma", ContactStatus.PENDING)
    clock.set(jst(24, 15))
    after = sv.inbox.set_status(row.id, "emma", ContactStatus.OPEN).value
    assert after.first_response_due == jst(24, 11)
    assert after.resolution_due == jst(24, 14) + timedelta(hours=3, minutes=30)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"first_response_target_s": 0, "resolution_target_s": 60}, "positive"),
    ({"first_response_target_s": 600, "resolution_target_s": 60}, "cannot be longer"),
    ({"first_response_target_s": 60, "resolution_target_s": 600, "warning_ratio": 1.5}, "fraction"),
    ({"first_response_target_s": 60, "resolution_target_s": 600, "priority": 9}, "priority"),
])
def test_bad_policies_are_rejected(db: Database, clock: ManualClock, kwargs: dict[str, int],
                                   message: str) -> None:
    small_world(db, clock)
    sv = services_for(db, clock)
    with pytest.raises(ValidationError, match=message):
        sv.sla.set_policy("Cards", **kwargs)  # type: ignore[arg-type]
    assert sv.sla.policies() == []


def test_bad_calendars_are_rejected_and_nothing_is_written(db: Database,
                                                           clock: ManualClock) -> None:
    sv = services_for(db, clock)
    with pytest.raises(ValidationError, match="time zone"):
        sv.sla.create_calendar("X", "Mars/Olympus", NINE_TO_SIX)
    with pytest.raises(ValidationError, match="overlap"):
        sv.sla.create_calendar("X", "UTC", {0: [(time(9), time(12)), (time(11), time(14))]})
    with pytest.raises(ValidationError, match="not a time range"):
        sv.sla.create_calendar("X", "UTC", {0: [(time(12), time(9))]})
    with pytest.raises(ValidationError, match="at least one day"):
        sv.sla.create_calendar("X", "UTC", {})
    with pytest.raises(NotFound):
        sv.sla.calendar("X")
    sv.sla.create_calendar("X", "UTC", {6: [(time(22), time(0))]})  # 00:00 closes at midnight
    assert sv.sla.calendar("X").hours == ((6, "22:00", "24:00"),)


def test_queue_priority_and_settings(db: Database, clock: ManualClock) -> None:
    small_world(db, clock)
    sv = services_for(db, clock)
    assert sv.sla.setup("Cards").priority == 3
    changed = sv.sla.configure_queue("Cards", priority=1, service_level_goal=0.9,
                                     answer_target_s=30)
    assert (changed.priority, changed.service_level_goal, changed.answer_target_s) == (1, 0.9, 30)
    with pytest.raises(ValidationError, match="1 \\(urgent\\) to 4"):
        sv.sla.configure_queue("Cards", priority=7)
    with pytest.raises(NotFound):
        sv.sla.configure_queue("Nope", priority=2)


def test_holiday_changes_recompute_the_queues_using_the_calendar(db: Database,
                                                                 clock: ManualClock) -> None:
    _tokyo_queue(db, clock)
    sv = services_for(db, clock)
    clock.set(jst(24, 17, 30))  # Tuesday 17:30, 1 h target -> Wednesday 09:30
    row = sv.intake.create_contact(Channel.EMAIL, "Cards", "Statement")
    assert row.first_response_due == jst(25, 9, 30)
    assert sv.sla.add_holidays("Tokyo office", [(date(2026, 11, 25), "Company day off")]) == 1
    assert sv.inbox.get(row.id).first_response_due == jst(26, 9, 30)
    sv.sla.remove_holiday("Tokyo office", date(2026, 11, 25))
    assert sv.inbox.get(row.id).first_response_due == jst(25, 9, 30)
    sv.sla.configure_queue("Cards", calendar=None)  # always open: 17:30 + 1 h
    assert sv.inbox.get(row.id).first_response_due == jst(24, 18, 30)


def test_unknown_holiday_country_is_a_clear_error(db: Database, clock: ManualClock) -> None:
    sv = services_for(db, clock)
    sv.sla.create_calendar("X", "UTC", NINE_TO_SIX)
    with pytest.raises(ValidationError, match="No public holiday calendar for country 'ZZ'"):
        sv.sla.import_public_holidays("X", "ZZ", [2026])
    assert sv.sla.calendar("X").holidays == ()
