"""KPI formulas and the supervisor monitor, with hand-computed expected values.

The monitored day: T0 is Fri 2026-11-20 10:30 JST; "today" starts 00:00 JST.
small_world's Cards queue answers within 600 s, Loans within 1800 s, 24x7.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from console.clock import ManualClock
from console.domain import AgentState, Channel, ContactStatus
from console.domain.sla import SurveyKind
from console.errors import NotFound, ValidationError
from console.services import kpi
from console.store.db import Database
from console.store.models import Contact
from tests.conftest import T0
from tests.factories import World, services_for, small_world

START = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


# -- pure formulas ---------------------------------------------------------
def test_service_level_counts_only_decided_contacts() -> None:
    now = START + timedelta(hours=2)
    rows = [
        kpi.FirstResponse(START + timedelta(minutes=5), START + timedelta(minutes=10)),  # met
        kpi.FirstResponse(START + timedelta(minutes=20), START + timedelta(minutes=10)),  # late
        kpi.FirstResponse(None, START + timedelta(minutes=30)),  # unanswered, overdue: miss
        kpi.FirstResponse(None, now + timedelta(minutes=5)),  # still inside target: not counted
        kpi.FirstResponse(START - timedelta(minutes=5), START),  # answered before the window
    ]
    assert kpi.service_level(rows, START, now) == pytest.approx(1 / 3)
    assert kpi.service_level([], START, now) is None


def test_survey_scores() -> None:
    assert kpi.csat([5, 4, 2]) == pytest.approx(2 / 3)  # 4 and 5 are "satisfied"
    assert kpi.nps([10, 9, 6, 8]) == pytest.approx(25.0)  # (2 promoters - 1 detractor) / 4
    assert kpi.nps([0, 3]) == pytest.approx(-100.0)
    assert kpi.ces([6, 4]) == pytest.approx(5.0)
    assert kpi.csat([]) is None and kpi.nps([]) is None and kpi.ces([]) is None


def test_rates() -> None:
    assert kpi.fcr(4, 3) == 0.75
    assert kpi.fcr(0, 0) is None
    assert kpi.rate(1, 2) == 0.5
    assert kpi.mean([600.0, 300.0]) == 450.0


# -- the monitor -----------------------------------------------------------
def _monitored_day(db: Database, clock: ManualClock) -> World:
    world = small_world(db, clock)  # c1 Cards phone T0, c2 Loans email T0+60, c3 Cards chat T0+120
    sv = world.services
    c1 = world.contacts[0]
    sv.agents.set_state("emma", AgentState.AVAILABLE)
    sv.agents.set_state("kenji", AgentState.ON_CONTACT)
    clock.set(T0 + timedelta(seconds=200))
    c4 = sv.intake.create_contact(Channel.PHONE, "Loans", "Hung up")
    clock.set(T0 + timedelta(seconds=300))
    sv.inbox.claim(c1.id, "emma")
    clock.set(T0 + timedelta(seconds=360))
    sv.inbox.reply(c1.id, "emma", "We have blocked the card.")
    clock.set(T0 + timedelta(seconds=400))
    with db.write() as s:  # the caller hung up before anyone answered
        s.execute(update(Contact).where(Contact.id == c4.id)
                  .values(status=ContactStatus.CLOSED, resolved_at=clock.now()))
    clock.set(T0 + timedelta(seconds=900))
    sv.inbox.resolve(c1.id, "emma", "solved")
    for kind, score in ((SurveyKind.CSAT, 5), (SurveyKind.CSAT, 4), (SurveyKind.CSAT, 2),
                        (SurveyKind.NPS, 10), (SurveyKind.NPS, 9), (SurveyKind.NPS, 6),
                        (SurveyKind.NPS, 8), (SurveyKind.CES, 6), (SurveyKind.CES, 4)):
        sv.monitor.record_survey(c1.id, kind, score)
    clock.set(T0 + timedelta(seconds=1200))
    return world


def test_queue_figures(db: Database, clock: ManualClock) -> None:
    sv = _monitored_day(db, clock).services
    snap = sv.monitor.snapshot()
    cards, loans = snap.queues
    assert (cards.queue, loans.queue) == ("Cards", "Loans")
    # Cards: c3 waits since T0+120 (1080 s) and missed its T0+720 due; c1 answered on time.
    assert (cards.waiting, cards.longest_wait_s, cards.breaches) == (1, 1080, 1)
    assert cards.service_level_today == 0.5 and cards.service_level_30m == 0.5
    assert cards.aht_s == 600.0  # claimed T0+300, resolved T0+900
    assert (cards.arrivals_today, cards.handled_today, cards.abandonment_rate) == (2, 1, 0.0)
    assert (cards.agents_available, cards.agents_needed) == (1, 1)
    # Loans: c2 waits 1140 s, due T0+1860 (not decided yet); c4 abandoned of 2 arrivals.
    assert (loans.waiting, loans.longest_wait_s, loans.breaches) == (1, 1140, 0)
    assert loans.service_level_today is None and loans.aht_s is None
    assert loans.abandonment_rate == 0.5 and loans.agents_needed is None
    assert snap.per_channel == ((Channel.CHAT, 1), (Channel.EMAIL, 1), (Channel.PHONE, 2))


def test_centre_kpis(db: Database, clock: ManualClock) -> None:
    sv = _monitored_day(db, clock).services
    k = sv.monitor.snapshot().kpis
    # Resolved today: c1 (first time) and c4 (closed, first contact of an unknown caller).
    assert k.fcr == 1.0
    assert k.art_s == pytest.approx((900 + 200) / 2)  # c1 900 s, c4 T0+200 -> T0+400
    assert k.csat == pytest.approx(2 / 3) and k.nps == pytest.approx(25.0)
    assert k.ces == pytest.approx(5.0) and k.surveys == 9


def test_agent_figures(db: Database, clock: ManualClock) -> None:
    world = _monitored_day(db, clock)
    sv = world.services
    sv.inbox.claim(world.contacts[2].id, "kenji")
    agents = {a.login: a for a in sv.monitor.snapshot().agents}
    emma, kenji = agents["emma"], agents["kenji"]
    assert (emma.state, emma.time_in_state_s, emma.handled_today, emma.aht_s) == (
        AgentState.AVAILABLE, 1080, 1, 600.0)
    assert emma.current_contact_id is None
    assert (kenji.state, kenji.current_contact_id, kenji.current_subject) == (
        AgentState.ON_CONTACT, world.contacts[2].id, "Card limit")
    assert agents["sara"].state == AgentState.OFFLINE and agents["sara"].since is None


def test_chart_series(db: Database, clock: ManualClock) -> None:
    sv = _monitored_day(db, clock).services
    series = dict(sv.monitor.waiting_series(timedelta(minutes=10)))
    assert series[T0] == 1  # c1
    assert series[T0 + timedelta(minutes=10)] == 2  # c2, c3 (c1 claimed, c4 gone)
    assert series[T0 + timedelta(minutes=20)] == 2
    trend = dict(sv.monitor.service_level_series(timedelta(minutes=30)))
    assert trend[T0] == 0.5  # 10:30-10:50: c1 met, c3 missed


def test_bad_survey_scores_are_rejected(db: Database, clock: ManualClock) -> None:
    world = small_world(db, clock)
    monitor = world.services.monitor
    with pytest.raises(ValidationError, match="NPS score is 0 to 10"):
        monitor.record_survey(world.contacts[0].id, SurveyKind.NPS, 11)
    with pytest.raises(NotFound):
        monitor.record_survey(999, SurveyKind.CSAT, 3)
    assert monitor.snapshot().kpis.surveys == 0


def test_breach_notice_is_claimed_exactly_once(db: Database, clock: ManualClock) -> None:
    world = small_world(db, clock)
    contact = world.contacts[0]
    due = contact.first_response_due
    assert due is not None
    other_workstation = services_for(db, clock).monitor
    assert world.services.monitor.claim_breach_notice(contact.id, "first_response", due, "emma")
    assert not world.services.monitor.claim_breach_notice(contact.id, "first_response", due)
    assert not other_workstation.claim_breach_notice(contact.id, "first_response", due)
    # A recomputed due (policy change) is a new breach, announced once more.
    assert other_workstation.claim_breach_notice(contact.id, "first_response",
                                                 due + timedelta(minutes=5))
    with pytest.raises(ValidationError, match="SLA timer"):
        other_workstation.claim_breach_notice(contact.id, "lunch", due)


def test_fcr_counts_repeat_and_reopened_contacts_as_not_first_time(db: Database,
                                                                    clock: ManualClock) -> None:
    world = small_world(db, clock)
    sv = world.services
    lost_card, loan, limit = world.contacts  # Alice: lost card, then card limit 2 min later
    sv.inbox.resolve(lost_card.id, "emma", "solved")  # first time
    sv.inbox.resolve(limit.id, "emma", "solved")  # Alice came back within 7 days: a repeat
    sv.inbox.resolve(loan.id, "kenji", "solved")
    sv.inbox.set_status(loan.id, "kenji", ContactStatus.OPEN)  # reopened ...
    sv.inbox.resolve(loan.id, "kenji", "solved")  # ... so not first time either
    assert sv.monitor.snapshot().kpis.fcr == pytest.approx(1 / 3)
