"""Branch staff open the counter lookup from the console; what they see is checked and audited."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from console.domain import Role
from tests.factories import World
from tests.gui.benches import bench_for
from ui.agent.main_window import MainWindow
from ui.shell.jobs import Jobs
from ui.shell.settings import UiSettings


def _window(qtbot: QtBot, world: World, login: str, tmp_path: Path) -> tuple[MainWindow, Jobs]:
    jobs = Jobs()
    window = MainWindow(bench_for(world.services, jobs, login, "COUNTER-2"),
                        UiSettings(login, tmp_path / "ui.ini"), 50)
    qtbot.addWidget(window)
    window.start()
    return window, jobs


def test_branch_staff_look_up_a_customer_and_each_look_is_audited(
        qtbot: QtBot, world: World, tmp_path: Path) -> None:
    world.services.admin.create_agent("bea", "Bea Branch", role=Role.BRANCH)
    window, jobs = _window(qtbot, world, "bea", tmp_path)
    try:
        assert window.branch.action in window.actions()  # on the Branch menu, with its shortcut
        lookup = window.branch.open()
        assert lookup is not None and lookup.isVisible()
        lookup.query.setText("Smith")
        lookup.search()
        qtbot.waitUntil(lambda: lookup.model.rowCount() > 0)
        qtbot.waitUntil(lambda: jobs.pending == 0)
        searches = [e for e in world.services.audit.list() if e.action == "search"]
        assert searches and searches[-1].actor_login == "bea"
        window.close()  # sign-out or quit: nothing of the customer stays on screen
        assert lookup.model.rowCount() == 0 and lookup.query.text() == ""
    finally:
        window.close()
        assert jobs.shutdown()


def test_agents_have_no_branch_menu(qtbot: QtBot, world: World, tmp_path: Path) -> None:
    window, jobs = _window(qtbot, world, "emma", tmp_path)
    try:
        assert window.branch.action not in window.actions()
    finally:
        window.close()
        assert jobs.shutdown()
