"""Agent-side SLA alerts: a breach is announced exactly once; a long wrap-up warns once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.domain import AgentState
from tests.conftest import T0
from tests.factories import World
from tests.gui.conftest import WindowFactory
from ui.agent.main_window import MainWindow

pytestmark = pytest.mark.gui


def _mine_in_inbox(window: MainWindow, contact_id: int) -> bool:
    model = window.inbox.model
    row = model.row_of(contact_id)
    contact = model.contact_at(row) if row is not None else None
    return contact is not None and contact.assignee_login == window.bench.agent.login


def test_breach_is_announced_exactly_once(make_window: WindowFactory, world: World,
                                          clock: ManualClock, qtbot: QtBot) -> None:
    lost_card = world.contacts[0]  # Cards: first response due T0 + 600 s
    world.services.inbox.claim(lost_card.id, "emma")
    first = make_window("emma")
    second = make_window("emma")  # the same agent on a second workstation
    for w in (first, second):
        qtbot.waitUntil(lambda w=w: _mine_in_inbox(w, lost_card.id), timeout=5000)
    announced: list[tuple[int, str]] = []
    for w in (first, second):
        w.alerts.breached.connect(lambda row, timer: announced.append((row.id, timer)))
    clock.set(T0 + timedelta(seconds=599))
    first.tick()
    second.tick()
    first.bench.jobs.wait_idle()
    assert announced == []
    clock.set(T0 + timedelta(seconds=601))
    for _ in range(5):  # five seconds of ticking in both windows
        first.tick()
        second.tick()
        clock.advance(1)
    qtbot.waitUntil(lambda: announced == [(lost_card.id, "first_response")], timeout=5000)
    for w in (first, second):
        w.bench.jobs.wait_idle()
    qtbot.wait(100)
    assert announced == [(lost_card.id, "first_response")]
    shown = [w for w in (first, second) if "SLA breached" in w.banner.text]
    assert len(shown) == 1 and f"contact {lost_card.id}" in shown[0].banner.text


def test_wrap_up_over_the_limit_warns_once(window: MainWindow, clock: ManualClock,
                                           qtbot: QtBot) -> None:
    warnings: list[int] = []
    window.alerts.wrap_up_exceeded.connect(warnings.append)
    window.agent_state.request(AgentState.WRAP_UP)
    qtbot.waitUntil(lambda: window.agent_state.current.state == AgentState.WRAP_UP, timeout=5000)
    clock.advance(window.alerts.wrap_up_limit_s)
    window.tick()
    assert warnings == []
    clock.advance(5)
    window.tick()
    window.tick()
    assert warnings == [window.alerts.wrap_up_limit_s + 5]
    assert "Wrap-up has run" in window.banner.text


def test_a_pending_contact_reads_paused(world: World, clock: ManualClock) -> None:
    from console.domain import ContactStatus
    from ui.shell import timefmt

    contact = world.contacts[1]
    world.services.inbox.claim(contact.id, "kenji")
    row = world.services.inbox.set_status(contact.id, "kenji", ContactStatus.PENDING).value
    reading = timefmt.sla(row, clock.now())
    assert reading.text == "paused" and reading.state == timefmt.SlaState.NONE
    assert "stopped" in reading.detail


def test_conversation_shows_live_timers(window: MainWindow, world: World, clock: ManualClock,
                                        qtbot: QtBot) -> None:
    from ui.shell import timefmt

    lost_card = world.contacts[0]  # created T0, first response due T0 + 600 s
    window.open_contact(lost_card.id)
    timers = window.alerts.timers
    assert timers is not None
    qtbot.waitUntil(lambda: timers.row is not None and timers.row.id == lost_card.id, timeout=5000)
    clock.set(T0 + timedelta(seconds=100))
    window.tick()
    assert timers.text().strip() == "Waiting 01:40 · SLA 08:20"
    assert timers.state == timefmt.SlaState.OK
    clock.set(T0 + timedelta(seconds=560))
    window.tick()
    assert timers.state == timefmt.SlaState.WARNING
    clock.set(T0 + timedelta(seconds=660))
    window.tick()
    assert timers.state == timefmt.SlaState.BREACHED and "SLA -01:00" in timers.text()


def test_a_notice_that_could_not_be_written_is_retried_later(
        window: MainWindow, world: World, clock: ManualClock, qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from console.errors import Unavailable
    from ui.agent.sla_alerts import RETRY_AFTER

    lost_card = world.contacts[0]
    row = world.services.inbox.claim(lost_card.id, "emma").value
    monitor = world.services.monitor
    real_claim = monitor.claim_breach_notice
    calls: list[int] = []

    def offline(*args: object, **kwargs: object) -> bool:
        calls.append(1)
        raise Unavailable("The database cannot be reached")

    monkeypatch.setattr(monitor, "claim_breach_notice", offline)
    announced: list[str] = []
    window.alerts.breached.connect(lambda _row, timer: announced.append(timer))
    clock.set(T0 + timedelta(seconds=601))
    for _ in range(3):
        window.alerts.tick(clock.now(), [row], AgentState.AVAILABLE, None)
        window.bench.jobs.wait_idle()
        qtbot.wait(10)
    assert len(calls) == 1 and announced == []
    monkeypatch.setattr(monitor, "claim_breach_notice", real_claim)
    clock.advance(RETRY_AFTER)
    window.alerts.tick(clock.now(), [row], AgentState.AVAILABLE, None)
    qtbot.waitUntil(lambda: announced == ["first_response"], timeout=5000)
