"""The inbox model: lazy pages, service-side sorting, live updates, timer-only repaints."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.domain import Channel, ContactStatus, Priority
from console.services.inbox_query import InboxFilter
from tests.factories import World
from ui.agent.models.inbox_columns import Column, InboxQuery
from ui.agent.models.inbox_model import InboxModel
from ui.agent.models.inbox_scope import InboxView, Scope, StatusChoice, might_belong
from ui.shell.jobs import Jobs
from ui.shell.roles import ContactIdRole, SlaStateRole

pytestmark = pytest.mark.gui
TOKYO = ZoneInfo("Asia/Tokyo")


def _model(world: World, jobs: Jobs, clock: ManualClock, page_size: int = 100) -> InboxModel:
    return InboxModel(jobs, world.services.inbox, clock, TOKYO, page_size=page_size)


def _ids(model: InboxModel) -> list[int]:
    return [model.index(r, 0).data(ContactIdRole) for r in range(model.rowCount())]


def _loaded(qtbot: QtBot, model: InboxModel, jobs: Jobs) -> None:
    qtbot.waitUntil(lambda: not model.loading and jobs.pending == 0)


def test_first_page_loads_without_blocking_and_passes_the_model_tester(
        qtbot: QtBot, qtmodeltester: ModelTester, world: World, jobs: Jobs,
        clock: ManualClock) -> None:
    model = _model(world, jobs, clock)
    model.set_query(InboxQuery())
    assert model.rowCount() == 0 and model.loading  # asked, not waited for
    _loaded(qtbot, model, jobs)
    assert [model.index(r, Column.SUBJECT).data() for r in range(3)] == [
        "Lost card", "住宅ローンの相談", "Card limit"]
    qtmodeltester.check(model)
    world.services.inbox.claim(world.contacts[0].id, "emma")
    model.contacts_changed({world.contacts[0].id})
    qtbot.waitUntil(lambda: model.index(0, Column.ASSIGNEE).data() == "Emma Clarke")
    qtmodeltester.check(model)


def test_pages_arrive_through_fetch_more(qtbot: QtBot, world: World, jobs: Jobs,
                                         clock: ManualClock) -> None:
    for i in range(5):
        clock.advance(1)
        world.services.intake.create_contact(Channel.SMS, "Cards", f"sms {i}", "hi")
    model = _model(world, jobs, clock, page_size=3)
    model.set_query(InboxQuery())
    _loaded(qtbot, model, jobs)
    assert model.rowCount() == 3 and model.canFetchMore(QModelIndex())
    while model.canFetchMore(QModelIndex()):
        with qtbot.waitSignal(model.page_loaded):
            model.fetchMore(QModelIndex())
    assert model.rowCount() == 8
    assert len(set(_ids(model))) == 8


def test_sorting_asks_the_service(qtbot: QtBot, world: World, jobs: Jobs,
                                  clock: ManualClock) -> None:
    model = _model(world, jobs, clock)
    model.set_query(InboxQuery())
    _loaded(qtbot, model, jobs)
    model.sort(Column.WAITING, Qt.SortOrder.AscendingOrder)  # shortest wait first
    assert model.query is not None and model.query.sort == "waiting" and model.query.descending
    _loaded(qtbot, model, jobs)
    assert [model.index(r, Column.SUBJECT).data() for r in range(3)] == [
        "Card limit", "住宅ローンの相談", "Lost card"]
    model.sort(Column.SUBJECT, Qt.SortOrder.DescendingOrder)
    _loaded(qtbot, model, jobs)
    subjects = [model.index(r, Column.SUBJECT).data() for r in range(3)]
    assert subjects == sorted(subjects, reverse=True)


def test_filters_are_queries(qtbot: QtBot, world: World, jobs: Jobs, clock: ManualClock) -> None:
    model = _model(world, jobs, clock)
    model.set_query(InboxQuery(InboxView(Scope.ALL, Channel.CHAT).to_filter("emma")))
    _loaded(qtbot, model, jobs)
    assert _ids(model) == [world.contacts[2].id]
    model.set_filter(InboxView(Scope.MINE).to_filter("emma"))
    _loaded(qtbot, model, jobs)
    assert _ids(model) == []


def test_waiting_and_sla_cells_follow_the_clock(qtbot: QtBot, world: World, jobs: Jobs,
                                                clock: ManualClock) -> None:
    model = _model(world, jobs, clock)
    model.set_query(InboxQuery())
    _loaded(qtbot, model, jobs)
    lost_card = model.index(0, Column.WAITING)  # arrived at T0, the clock is at T0 + 2 min
    sla = model.index(0, Column.SLA)  # Cards: 10-minute first-response target
    assert lost_card.data() == "02:00"
    assert sla.data() == "08:00" and sla.data(SlaStateRole) == "ok"
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles: changed.append(
        (a.row(), a.column(), b.row(), b.column())))
    clock.advance(timedelta(minutes=7))
    model.tick()
    assert changed == [(0, Column.WAITING, 2, Column.SLA)]  # only the timer columns
    assert lost_card.data() == "09:00"
    assert sla.data() == "01:00" and sla.data(SlaStateRole) == "warning"
    clock.advance(timedelta(minutes=3, seconds=10))
    model.tick()
    assert sla.data() == "-02:10" and sla.data(SlaStateRole) == "breached"
    assert "overdue" in sla.data(Qt.ItemDataRole.ToolTipRole)


def test_a_change_replaces_the_row_in_place(qtbot: QtBot, world: World, jobs: Jobs,
                                             clock: ManualClock) -> None:
    model = _model(world, jobs, clock)
    model.set_query(InboxQuery())
    _loaded(qtbot, model, jobs)
    before = _ids(model)
    row = world.services.inbox.claim(world.contacts[1].id, "kenji").value
    model.apply_rows([row])
    assert _ids(model) == before
    assert model.index(1, Column.ASSIGNEE).data() == "佐藤 健二"
    assert model.index(1, Column.STATUS).data() == "Open"


def test_a_newcomer_is_merged_where_it_sorts(qtbot: QtBot, world: World, jobs: Jobs,
                                             clock: ManualClock) -> None:
    model = _model(world, jobs, clock)
    model.set_query(InboxQuery())
    _loaded(qtbot, model, jobs)
    clock.advance(5)
    fresh = world.services.intake.create_contact(Channel.LINE, "Cards", "Card stuck in ATM", "help",
                                                 priority=Priority.HIGH)
    model.contacts_changed({fresh.id})
    qtbot.waitUntil(lambda: model.rowCount() == 4)
    assert model.index(1, Column.SUBJECT).data() == "Card stuck in ATM"  # after the urgent one


def test_might_belong_judges_from_the_row(world: World) -> None:
    row = world.contacts[1]  # Loans, e-mail, unassigned, new
    assert might_belong(row, InboxFilter(), None)
    assert not might_belong(row, InboxFilter(channels=(Channel.PHONE,)), None)
    assert not might_belong(row, InboxFilter(assignee="emma"), None)
    assert might_belong(row, InboxFilter(my_queues_of="emma"), {"Loans"})
    assert not might_belong(row, InboxFilter(my_queues_of="sara"), set())
    assert not might_belong(row, InboxFilter(statuses=(ContactStatus.RESOLVED,)), None)


def test_inbox_view_round_trips_through_settings() -> None:
    view = InboxView(Scope.MINE, Channel.LINE, StatusChoice.PENDING)
    assert InboxView.from_settings(view.to_settings()) == view
    assert InboxView.from_settings({"scope": "bogus"}) == InboxView()
    assert InboxView(status=StatusChoice.ANY).to_filter("emma").statuses == ()


def test_a_squeezed_count_keeps_its_number(qtbot: QtBot) -> None:
    from ui.widgets.compact import FittingLabel

    label = FittingLabel()
    qtbot.addWidget(label)
    label.show()  # a hidden widget gets its resize events only when shown
    label.resize(400, 20)
    label.set_texts("100+ contacts · loading…", "100+ contacts", "100+")
    assert label.text() == "100+ contacts · loading…"
    label.resize(label.fontMetrics().horizontalAdvance("100+ contact"), 20)
    assert label.text() == "100+"
    assert label.toolTip() == "100+ contacts · loading…"
