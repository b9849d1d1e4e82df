"""Layout and drafts per agent: what one window leaves, the next window brings back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.factories import World
from tests.gui.conftest import WindowFactory
from ui.agent.main_window import MainWindow
from ui.agent.models.inbox_columns import Column
from ui.agent.models.inbox_scope import Scope
from ui.shell.settings import UiSettings, default_path

pytestmark = pytest.mark.gui


def test_docks_columns_sort_and_filters_are_restored(make_window: WindowFactory, qtbot: QtBot,
                                                      tmp_path: Path) -> None:
    settings = tmp_path / "layout.ini"
    first = make_window(settings_path=settings)
    history = first.docks["historyDock"]
    kb = first.docks["kbDock"]
    first.removeDockWidget(kb)
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, kb)
    kb.show()
    history.close()
    header = first.inbox.table.horizontalHeader()
    header.resizeSection(Column.CUSTOMER, 211)
    header.setSortIndicator(Column.WAITING, Qt.SortOrder.DescendingOrder)
    first.inbox.scopes.buttons()[2].click()  # "All"
    qtbot.waitUntil(lambda: not first.inbox.model.loading)
    first.close()

    second = make_window(settings_path=settings)
    assert second.dockWidgetArea(second.docks["kbDock"]) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert second.docks["historyDock"].isHidden()
    header = second.inbox.table.horizontalHeader()
    assert header.sectionSize(Column.CUSTOMER) == 211
    assert header.sortIndicatorSection() == Column.WAITING
    assert second.inbox.model.query is not None
    assert second.inbox.model.query.sort == "waiting"
    assert second.inbox.view_state.scope == Scope.ALL


# Floating a dock raises it, which the offscreen platform only warns about.
@pytest.mark.qt_log_ignore("This plugin does not support raise")
def test_a_closed_dock_comes_back_from_the_view_menu(window: MainWindow) -> None:
    dock = window.docks["scriptsDock"]
    dock.close()
    assert dock.isHidden()
    dock.toggleViewAction().trigger()
    assert dock.isVisible()
    window.docks["historyDock"].setFloating(True)
    window.reset_layout()
    assert not window.docks["historyDock"].isFloating()


def test_each_agent_has_their_own_layout(make_window: WindowFactory, tmp_path: Path) -> None:
    settings = tmp_path / "shared-pc.ini"
    emma = make_window("emma", settings_path=settings)
    emma.docks["kbDock"].close()
    emma.close()
    kenji = make_window("kenji", settings_path=settings)
    assert kenji.docks["kbDock"].isVisible()


def test_drafts_survive_a_restart(make_window: WindowFactory, qtbot: QtBot, world: World,
                                  tmp_path: Path) -> None:
    settings = tmp_path / "drafts.ini"
    first = make_window(settings_path=settings)
    contact_id = world.contacts[1].id
    first.open_contact(contact_id)
    qtbot.waitUntil(lambda: first.conversation.detail is not None)
    qtbot.keyClicks(first.conversation.composer.editor, "Dear Mr Yamada")
    first.drafts.flush()  # what the save timer does a moment after typing stops
    assert UiSettings("emma", settings).group("drafts") == {str(contact_id): "Dear Mr Yamada"}
    first.close()
    second = make_window(settings_path=settings)
    second.open_contact(contact_id)
    assert second.conversation.composer.text() == "Dear Mr Yamada"


def test_settings_live_in_the_users_config_dir(tmp_path: Path) -> None:
    assert default_path() == tmp_path / "xdg_config_home" / "switchboard" / "ui.ini"


def test_a_first_start_fills_most_of_the_screen(window: MainWindow) -> None:
    area = window.screen().availableGeometry()
    window.fit_to_screen(0.9)
    assert (window.width(), window.height()) == (
        max(int(area.width() * 0.9), window.minimumSizeHint().width()),
        max(int(area.height() * 0.9), window.minimumSizeHint().height()))
