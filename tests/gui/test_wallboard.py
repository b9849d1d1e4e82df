"""The supervisor wallboard: live updates from the change feed, CSV export, actions, charts."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenuBar, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.domain import Channel, Role
from console.sync.follow import ChangeSource
from tests.factories import World
from tests.gui.benches import bench_for
from ui.shell.change_feed import ChangeFeed
from ui.shell.dialogs import TransferRequest
from ui.shell.jobs import Jobs
from ui.supervisor.launcher import WallboardLauncher
from ui.supervisor.models import duration
from ui.supervisor.window import WallboardWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def board(qtbot: QtBot, world: World, jobs: Jobs) -> Iterator[WallboardWindow]:
    sv = world.services
    bench = bench_for(sv, jobs, "sara")
    feed = ChangeFeed(jobs, ChangeSource(sv.db), interval_ms=50)
    window = WallboardWindow(bench, feed, refresh_ms=60_000)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.refreshed, timeout=5000):
        window.start()
        feed.start()
    # Changes count from the end of the log the feed read at start, so tests change
    # things only once it has that starting point.
    qtbot.waitUntil(lambda: feed.last_seq is not None, timeout=5000)
    yield window
    feed.stop()
    window.close()
    jobs.wait_idle()


def _queue(board: WallboardWindow, name: str) -> int:
    return next(q for q in board.data.snapshot.queues if q.queue == name).waiting  # type: ignore[union-attr]


def test_models_pass_the_model_tester(board: WallboardWindow, qtmodeltester: ModelTester,
                                      world: World, qtbot: QtBot) -> None:
    qtmodeltester.check(board.queues)
    qtmodeltester.check(board.agents)
    assert board.queues.rowCount() == 2 and board.agents.rowCount() == 3
    with qtbot.waitSignal(board.refreshed, timeout=5000):
        world.services.intake.create_contact(Channel.SMS, "Loans", "Balance please")
    qtmodeltester.check(board.queues)
    qtmodeltester.check(board.agents)


def test_board_updates_when_a_contact_changes(board: WallboardWindow, world: World,
                                              qtbot: QtBot) -> None:
    assert _queue(board, "Cards") == 2
    world.services.intake.create_contact(Channel.CHAT, "Cards", "Card declined abroad")
    qtbot.waitUntil(lambda: _queue(board, "Cards") == 3, timeout=5000)
    row = next(r for r in range(board.queues.rowCount()) if board.queues.row(r).queue == "Cards")  # type: ignore[union-attr]
    assert board.queues.index(row, 2).data() == "3"
    world.services.inbox.claim(world.contacts[0].id, "kenji")
    qtbot.waitUntil(lambda: _queue(board, "Cards") == 2, timeout=5000)
    kenji = next(a for a in board.data.snapshot.agents if a.login == "kenji")  # type: ignore[union-attr]
    assert kenji.current_contact_id == world.contacts[0].id


def _exported(board: WallboardWindow, qtbot: QtBot, model: object, path: Path) -> str:
    board.statusBar().clearMessage()
    board.export_csv(model, path)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: board.statusBar().currentMessage() != "")
    return board.statusBar().currentMessage()


def test_export_to_csv(board: WallboardWindow, tmp_path: Path, qtbot: QtBot, world: World) -> None:
    path = tmp_path / "queues.csv"
    _exported(board, qtbot, board.queues, path)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:3] == ["Queue", "Priority", "Waiting"]
    assert [r[0] for r in rows[1:]] == ["Cards", "Loans"]
    assert "Exported 3 rows" in _exported(board, qtbot, board.agents, tmp_path / "agents.csv")
    assert "Could not write" in _exported(board, qtbot, board.agents,
                                          tmp_path / "missing" / "agents.csv")
    exports = [(e.actor_login, e.entity_id, e.detail["rows"]) for e in world.services.audit.list()
               if e.action == "export"]
    assert exports[:2] == [("sara", "wallboard-queues", 2), ("sara", "wallboard-agents", 3)]


def test_supervisor_transfers_a_contact_and_changes_priority(board: WallboardWindow, world: World,
                                                             qtbot: QtBot) -> None:
    contact = world.contacts[0]
    world.services.inbox.claim(contact.id, "kenji")
    board.transfer(contact.id, TransferRequest(None, "emma", "Emma knows this customer"))
    qtbot.waitUntil(lambda: world.services.inbox.get(contact.id).assignee_login == "emma",
                    timeout=5000)
    board.transfer(contact.id, TransferRequest("Loans", None, ""))
    qtbot.waitUntil(lambda: world.services.inbox.get(contact.id).queue_name == "Loans",
                    timeout=5000)
    board.set_queue_priority("Cards", 1)
    qtbot.waitUntil(lambda: board.queues.row(0) is not None and board.queues.row(0).priority == 1,  # type: ignore[union-attr]
                    timeout=5000)
    board.set_queue_priority("Cards", 9)
    qtbot.waitUntil(lambda: "1 (urgent) to 4" in board.statusBar().currentMessage(), timeout=5000)


def test_charts_show_today(board: WallboardWindow) -> None:
    assert board.charts.waiting.point_count() >= 1
    assert board.charts.channels.counts == {Channel.PHONE: 1, Channel.EMAIL: 1, Channel.CHAT: 1}
    assert "FCR" in board.updated.text()


def test_menu_only_for_supervisors(qtbot: QtBot, world: World, jobs: Jobs) -> None:
    sv = world.services
    for login, shown in (("sara", True), ("emma", False)):
        owner = QWidget()
        qtbot.addWidget(owner)
        bar = QMenuBar(owner)
        feed = ChangeFeed(jobs, ChangeSource(sv.db), parent=owner)
        agent = sv.agents.get(login)
        WallboardLauncher(bench_for(sv, jobs, agent.login), feed, bar, owner)
        assert bool(bar.actions()) is shown
        assert (agent.role == Role.SUPERVISOR) is shown


def test_reassign_from_the_agent_table_opens_the_transfer_dialog(board: WallboardWindow,
                                                                 world: World,
                                                                 qtbot: QtBot) -> None:
    from ui.shell.dialogs import TransferDialog

    contact = world.contacts[2]
    with qtbot.waitSignal(board.refreshed, timeout=5000):
        world.services.inbox.claim(contact.id, "kenji")
    board.reassign_selected()
    assert "Select an agent" in board.statusBar().currentMessage()
    view = board.agent_view
    row = next(r for r in range(view.model().rowCount())
               if view.model().index(r, 0).data() == "佐藤 健二")
    view.selectRow(row)
    board.reassign_selected()
    qtbot.waitUntil(lambda: isinstance(board.dialog, TransferDialog), timeout=5000)
    dialog = board.dialog
    assert isinstance(dialog, TransferDialog)
    dialog.to_agent.setChecked(True)
    dialog.agent.setCurrentIndex(dialog.agent.findData("emma"))
    with qtbot.waitSignal(dialog.finished, timeout=5000):
        dialog.buttons.accepted.emit()
    assert world.services.inbox.get(contact.id).assignee_login == "emma"


def test_queue_priority_dialog(board: WallboardWindow, world: World, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QInputDialog

    board.change_priority_selected()
    assert "Select a queue" in board.statusBar().currentMessage()
    view = board.queue_view
    view.selectRow(next(r for r in range(view.model().rowCount())
                        if view.model().index(r, 0).data() == "Loans"))
    board.change_priority_selected()
    dialog = board.dialog
    assert isinstance(dialog, QInputDialog)
    dialog.setIntValue(2)
    dialog.accept()
    qtbot.waitUntil(lambda: world.services.sla.setup("Loans").priority == 2, timeout=5000)


def test_running_durations_tick_between_refreshes(board: WallboardWindow, clock: ManualClock,
                                                  qtmodeltester: ModelTester) -> None:
    cards = next(r for r in range(board.queues.rowCount()) if board.queues.row(r).queue == "Cards")  # type: ignore[union-attr]
    longest = board.queues.index(cards, 3)
    before = board.queues.row(cards).longest_wait_s  # type: ignore[union-attr]
    clock.advance(75)
    board.tick()
    assert longest.data() == duration(before + 75)
    path_headers, rows = board.queues.table()
    assert rows[cards][3] == duration(before + 75) and path_headers[3] == "Longest wait"
    qtmodeltester.check(board.queues)
