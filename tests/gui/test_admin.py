"""The administration window: agents, queues and greeting templates, as an admin."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenuBar, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from console.clock import ManualClock
from console.domain import Role
from console.domain.audit import AuditFilter
from console.store.models import Agent
from console.sync.follow import ChangeSource
from tests.factories import World
from tests.gui.benches import bench_for
from ui.admin.common import select_key
from ui.admin.launcher import AdminLauncher
from ui.admin.window import AdminWindow
from ui.shell.change_feed import ChangeFeed
from ui.shell.jobs import Jobs

pytestmark = pytest.mark.gui


@pytest.fixture
def admin(qtbot: QtBot, world: World, jobs: Jobs) -> Iterator[AdminWindow]:
    sv = world.services
    sv.admin.create_agent("root", "Ada Admin", role=Role.ADMIN, team="Ops")
    window = AdminWindow(bench_for(sv, jobs, "root"))
    qtbot.addWidget(window)
    window.resize(1000, 700)
    window.start()
    window.show()
    qtbot.waitUntil(lambda: jobs.pending == 0 and window.templates.model.rowCount() > 0,
                    timeout=5000)
    yield window
    window.close()
    jobs.wait_idle()


def _idle(jobs: Jobs) -> None:
    assert jobs.wait_idle()


def _cell(view: object, key: str, column: int) -> str:
    model = view.model()  # type: ignore[attr-defined]
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == key)
    return str(model.index(row, column).data())


def test_models_pass_the_model_tester(admin: AdminWindow, qtmodeltester: ModelTester,
                                      jobs: Jobs) -> None:
    for model in (admin.agents.model, admin.queues.model, admin.templates.model):
        qtmodeltester.check(model)
    assert admin.agents.model.rowCount() == 4 and admin.queues.model.rowCount() == 2
    admin.agents.new_login.setText("kim.lee")
    admin.agents.create_agent()
    admin.queues.new_name.setText("Mortgages")
    admin.queues.create_queue()
    _idle(jobs)
    assert admin.agents.model.rowCount() == 5 and admin.queues.model.rowCount() == 3
    for model in (admin.agents.model, admin.queues.model, admin.templates.model):
        qtmodeltester.check(model)


def test_create_an_agent_and_see_it_in_the_table(admin: AdminWindow, world: World,
                                                 jobs: Jobs) -> None:
    tab = admin.agents
    assert _cell(tab.view, "emma", 4) == "Cards, Loans"
    tab.new_login.setText("kim.lee")
    tab.new_name.setText("Kim Lee")
    tab.new_role.setCurrentIndex(tab.new_role.findData(Role.SUPERVISOR))
    tab.new_team.setEditText("Osaka B")
    loans = tab.new_queues.findItems("Loans", Qt.MatchFlag.MatchExactly)[0]
    loans.setCheckState(Qt.CheckState.Checked)
    tab.create_button.click()
    tab.create_button.click()  # a double click creates one agent
    _idle(jobs)
    assert not tab.error.isVisible()
    assert [_cell(tab.view, "kim.lee", c) for c in range(6)] == [
        "kim.lee", "Kim Lee", "Supervisor", "Osaka B", "Loans", "Active"]
    assert tab.selected() is not None and tab.selected().login == "kim.lee"  # type: ignore[union-attr]
    assert "kim.lee created" in admin.banner.text and tab.new_login.text() == ""
    assert tab.new_team.findText("Osaka B") >= 0
    last = world.services.audit.list(AuditFilter(person="root"))[-1]
    assert (last.entity, last.entity_id) == ("agent", "kim.lee")


def test_a_bad_login_is_refused_inline(admin: AdminWindow, world: World, jobs: Jobs) -> None:
    tab = admin.agents
    tab.new_login.setText("kim lee; drop table")
    tab.create_button.click()
    _idle(jobs)
    assert tab.error.isVisible() and "is not a valid login" in tab.error.text()
    assert len(world.services.admin.accounts()) == 4


def test_change_a_role_and_not_ones_own(admin: AdminWindow, world: World, jobs: Jobs) -> None:
    tab = admin.agents
    assert not tab.change_role_button.isEnabled()
    select_key(tab.view, "emma")
    assert tab.role.currentData() == Role.AGENT and tab.change_role_button.isEnabled()
    tab.role.setCurrentIndex(tab.role.findData(Role.SUPERVISOR))
    tab.change_role_button.click()
    _idle(jobs)
    assert world.services.agents.get("emma").role is Role.SUPERVISOR
    assert _cell(tab.view, "emma", 2) == "Supervisor"
    select_key(tab.view, "root")
    tab.role.setCurrentIndex(tab.role.findData(Role.AGENT))
    tab.change_role_button.click()
    _idle(jobs)
    assert "cannot take the admin role from yourself" in tab.error.text()
    assert world.services.agents.get("root").role is Role.ADMIN


def test_move_an_agent_to_another_team_and_queues(admin: AdminWindow, world: World,
                                                  jobs: Jobs) -> None:
    tab = admin.agents
    select_key(tab.view, "emma")
    ticked = {tab.queues.item(n).text() for n in range(tab.queues.count())
              if tab.queues.item(n).checkState() == Qt.CheckState.Checked}
    assert ticked == {"Cards", "Loans"}  # the form starts from what the agent has
    tab.team.setEditText("Osaka")
    for n in range(tab.queues.count()):
        item = tab.queues.item(n)
        item.setCheckState(Qt.CheckState.Checked if item.text() == "Loans"
                           else Qt.CheckState.Unchecked)
    tab.assign_button.click()
    _idle(jobs)
    emma = next(a for a in world.services.admin.accounts() if a.login == "emma")
    assert (emma.team, emma.queues) == ("Osaka", ("Loans",))
    assert _cell(tab.view, "emma", 3) == "Osaka"
    changes = [e for e in world.services.audit.list() if e.entity == "agent"
               and e.entity_id == "emma" and e.action == "change"]
    assert changes and changes[-1].actor_login == "root"


def test_unlock_set_password_and_deactivate(admin: AdminWindow, world: World, jobs: Jobs,
                                            clock: ManualClock) -> None:
    sv, tab = world.services, admin.agents
    with sv.db.write() as s:
        emma = s.execute(select(Agent).where(Agent.login == "emma")).scalar_one()
        emma.locked_until = clock.now() + timedelta(minutes=15)
    tab.refresh()
    _idle(jobs)
    select_key(tab.view, "emma")
    assert _cell(tab.view, "emma", 5).startswith("Locked until") and tab.unlock_button.isEnabled()
    tab.unlock_button.click()
    _idle(jobs)
    assert _cell(tab.view, "emma", 5) == "Active" and not tab.unlock_button.isEnabled()
    tab.password.setText("short")
    tab.password_button.click()
    _idle(jobs)
    assert "at least 10 characters" in tab.error.text() and tab.password.text() == ""
    tab.password.setText("a long enough secret")
    tab.password_button.click()
    _idle(jobs)
    assert not tab.error.isVisible() and "New password set for emma" in admin.banner.text
    assert sv.auth.sign_in("emma", "a long enough secret").login == "emma"
    tab.deactivate_button.click()
    assert isinstance(tab.confirm, QMessageBox)
    tab.confirm.button(QMessageBox.StandardButton.Yes).click()
    _idle(jobs)
    assert _cell(tab.view, "emma", 5) == "Deactivated"
    assert "emma" not in [a.login for a in sv.agents.list()]
    assert not tab.deactivate_button.isEnabled()


def test_change_a_queue_priority_and_goal(admin: AdminWindow, world: World, jobs: Jobs) -> None:
    tab = admin.queues
    assert not tab.save_button.isEnabled()
    select_key(tab.view, "Cards")
    assert tab.priority.currentData() == 3 and tab.goal.value() == 80
    tab.priority.setCurrentIndex(tab.priority.findData(1))
    tab.goal.setValue(90)
    tab.answer.setValue(30)
    tab.save_button.click()
    _idle(jobs)
    setup = world.services.sla.setup("Cards")
    assert (setup.priority, setup.service_level_goal, setup.answer_target_s) == (1, 0.9, 30)
    assert _cell(tab.view, "Cards", 2) == "1 Urgent" and _cell(tab.view, "Cards", 3) == "90%"
    assert "Cards: priority 1" in admin.banner.text


def test_create_a_queue_with_its_targets(admin: AdminWindow, world: World, jobs: Jobs) -> None:
    tab = admin.queues
    tab.new_name.setText("Mortgages")
    tab.new_language.setCurrentIndex(tab.new_language.findData("ja"))
    tab.first_response.setValue(30)
    tab.resolution.setValue(48)
    tab.create_button.click()
    _idle(jobs)
    queue = next(q for q in world.services.agents.queues() if q.name == "Mortgages")
    assert (queue.language, queue.first_response_target_s, queue.resolution_target_s) == (
        "ja", 1800, 172800)
    assert [_cell(tab.view, "Mortgages", c) for c in (1, 5, 6)] == ["ja", "30 min", "2 d"]
    tab.new_name.setText("Mortgages")
    tab.create_button.click()
    _idle(jobs)
    assert "already exists" in tab.error.text()
    assert admin.agents.new_queues.findItems("Mortgages", Qt.MatchFlag.MatchExactly)


def test_a_bad_template_shows_its_error_and_saves_nothing(admin: AdminWindow, world: World,
                                                         jobs: Jobs) -> None:
    tab = admin.templates
    admin.tabs.setCurrentWidget(tab)
    assert select_key(tab.view, "en\tChat welcome")
    before = world.services.templates.list()
    assert tab.name.text() == "Chat welcome" and "Alice" in tab.preview.text()
    assert "Ada" in tab.preview.text()  # the admin's first name stands in for the agent's
    tab.body.setPlainText("Hi {customer.nickname}!")
    assert tab.error.isVisible() and "Unknown placeholder {customer.nickname}" in tab.error.text()
    assert tab.preview.text() == "No preview until the template is fixed."
    tab.save_button.click()
    _idle(jobs)
    assert "Unknown placeholder" in tab.error.text()
    assert world.services.templates.list() == before


def test_edit_and_add_templates(admin: AdminWindow, world: World, jobs: Jobs) -> None:
    tab = admin.templates
    select_key(tab.view, "en\tChat welcome")
    tab.body.setPlainText("Hello {customer.first_name}, {agent.first_name} here.")
    assert tab.preview.text() == "Hello Alice, Ada here." and not tab.error.isVisible()
    tab.save_button.click()
    _idle(jobs)
    saved = next(t for t in world.services.templates.list() if t.name == "Chat welcome"
                 and t.language == "en")
    assert saved.body == "Hello {customer.first_name}, {agent.first_name} here."
    tab.new_template()
    tab.name.setText("LINE welcome")
    tab.language.setCurrentText("ja")
    tab.channel.setCurrentIndex(tab.channel.findText("Line"))
    tab.body.setPlainText("{customer.last_name}様、こんにちは。")
    assert tab.preview.text() == "山田様、こんにちは。"
    tab.save_button.click()
    _idle(jobs)
    assert tab.selected() is not None and tab.selected().name == "LINE welcome"  # type: ignore[union-attr]
    assert "LINE welcome" in admin.banner.text


def test_changes_elsewhere_arrive_through_the_feed(qtbot: QtBot, world: World,
                                                   jobs: Jobs) -> None:
    sv = world.services
    sv.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    feed = ChangeFeed(jobs, ChangeSource(sv.db), interval_ms=50)
    window = AdminWindow(bench_for(sv, jobs, "root"), feed)
    qtbot.addWidget(window)
    window.start()
    feed.start()
    # The feed reports changes after the end of the log it read at start: a change
    # made before that read has landed would be taken as already on screen.
    qtbot.waitUntil(lambda: window.queues.model.rowCount() == 2 and feed.last_seq is not None,
                    timeout=5000)
    sv.admin.create_queue("Insurance")
    qtbot.waitUntil(lambda: window.queues.model.rowCount() == 3, timeout=5000)
    qtbot.waitUntil(lambda: window.agents.new_queues.count() == 3, timeout=5000)
    sv.staff.set_role("emma", Role.BRANCH)
    qtbot.waitUntil(lambda: _cell(window.agents.view, "emma", 2) == "Branch", timeout=5000)
    feed.stop()
    window.close()
    jobs.wait_idle()


@pytest.mark.qt_log_ignore("This plugin does not support raise")  # offscreen has no stacking
def test_menu_only_for_admins(qtbot: QtBot, world: World, jobs: Jobs) -> None:
    sv = world.services
    sv.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    launchers = {}
    for login, shown in (("root", True), ("sara", False), ("emma", False)):
        owner = QWidget()
        qtbot.addWidget(owner)
        bar = QMenuBar(owner)
        feed = ChangeFeed(jobs, ChangeSource(sv.db), parent=owner)
        launchers[login] = AdminLauncher(bench_for(sv, jobs, login), feed,
                                         bar, owner)
        assert bool(bar.actions()) is shown
    assert launchers["root"].action.shortcut().toString() == "Ctrl+Shift+A"
    window = launchers["root"].open()
    qtbot.waitUntil(lambda: window.agents.model.rowCount() == 4, timeout=5000)
    assert launchers["root"].open() is window and window.isVisible()
    jobs.wait_idle()
    launchers["root"].close()
    assert launchers["root"].window is None and not window.isVisible()
