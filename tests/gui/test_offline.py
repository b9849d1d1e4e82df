"""The shared database goes away mid-session (a real cut on the wire) and comes back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot
from sqlalchemy import text as sql
from sqlalchemy.exc import DBAPIError

from console.app import Services, build_services
from console.clock import ManualClock
from console.config import Settings
from console.domain import AgentState, ContactStatus, MessageKind
from console.errors import Unavailable
from console.store.db import Database
from tests.factories import World
from tests.gui.conftest import WindowFactory
from tests.gui.test_window_flows import _open, _row_text
from tests.tcp_proxy import TcpProxy
from ui.agent.main_window import MainWindow
from ui.agent.models.inbox_columns import Column
from ui.agent.panes.thread_view import TAKE_BACK
from ui.shell.dialogs import ResolveDialog
from ui.shell.jobs import Connection


@pytest.fixture
def proxied(db: Database, clock: ManualClock) -> Iterator[tuple[Services, TcpProxy]]:
    if not db.is_postgres:
        pytest.skip("a network cut needs a server")
    proxy = TcpProxy((db.url.host or "127.0.0.1", db.url.port or 5432))
    services = build_services(Database(db.url.set(host="127.0.0.1", port=proxy.port)), clock,
                              Settings(timezone="Asia/Tokyo"))
    yield services, proxy
    services.close()
    proxy.close()


def test_a_network_cut_keeps_the_window_working_and_loses_nothing(
        qtbot: QtBot, make_window: WindowFactory, world: World, clock: ManualClock,
        proxied: tuple[Services, TcpProxy], tmp_path: Path) -> None:
    services, proxy = proxied
    window = make_window("emma", services=services)
    contact = world.contacts[0]
    _open(qtbot, window, contact.id)
    proxy.cut()
    qtbot.waitUntil(lambda: window.bench.jobs.connection == Connection.OFFLINE, timeout=15_000)
    assert "cannot be reached" in window.banner.text
    assert "Offline" in window.status.connection.text() or "offline" in \
        window.status.connection.text().lower()
    assert window.inbox.model.rowCount() > 0  # what it had stays on screen
    before = _row_text(window, contact.id, Column.WAITING)
    clock.advance(timedelta(minutes=3))
    window.tick()
    assert _row_text(window, contact.id, Column.WAITING) != before  # timers keep running

    composer = window.conversation.composer
    for text, action in (("Checked with the card team", window.commands.add_note),
                         ("We are on it, sorry for the wait.", window.commands.send_reply)):
        composer.set_text(text)
        action.trigger()
        qtbot.waitUntil(lambda: composer.text() == "", timeout=15_000)
    assert window.offline.waiting == 2
    assert window.conversation.thread_view.toPlainText().count("Waiting to be sent") == 2

    proxy.restore()
    qtbot.waitUntil(lambda: window.offline.waiting == 0, timeout=30_000)
    qtbot.waitUntil(lambda: window.bench.jobs.connection == Connection.CONNECTED, timeout=15_000)
    bodies = [m.body for m in world.services.inbox.detail(contact.id).messages]
    assert bodies.count("Checked with the card team") == 1
    assert bodies.count("We are on it, sorry for the wait.") == 1


def test_a_refused_entry_keeps_its_text_until_the_agent_takes_it_back(
        qtbot: QtBot, window: MainWindow, world: World) -> None:
    contact = world.contacts[0]
    _open(qtbot, window, contact.id)
    window.offline.keep_message(contact.id, MessageKind.OUTBOUND, "Your card has been unblocked.",
                                None)
    world.services.inbox.claim(contact.id, "kenji")  # someone else took it meanwhile
    window.offline.replay()
    qtbot.waitUntil(lambda: bool(window.offline.entries_for(contact.id))
                    and window.offline.entries_for(contact.id)[0].failed)
    thread = window.conversation.thread_view.toPlainText()
    assert "Not sent" in thread and "Your card has been unblocked." in thread
    assert "already claimed by 佐藤 健二" in thread
    key = window.offline.entries_for(contact.id)[0].key
    window.conversation.thread_view.anchorClicked.emit(QUrl(TAKE_BACK + key))
    assert window.conversation.composer.text() == "Your card has been unblocked."
    assert window.offline.entries_for(contact.id) == []
    assert "Not sent" not in window.conversation.thread_view.toPlainText()


def test_a_resolution_and_a_state_change_made_offline_are_recorded_when_back(
        qtbot: QtBot, window: MainWindow, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    contact = world.contacts[0]
    _open(qtbot, window, contact.id)
    inbox, agents = world.services.inbox, world.services.agents
    real = {"resolve": inbox.resolve, "set_state": agents.set_state}

    def away(*_args: object, **_kwargs: object) -> None:
        raise Unavailable("The database cannot be reached: connection refused")

    monkeypatch.setattr(inbox, "resolve", away)
    monkeypatch.setattr(agents, "set_state", away)
    window.commands.resolve.trigger()
    dialog = window.flow.dialog
    assert isinstance(dialog, ResolveDialog)
    dialog.disposition.setCurrentIndex(dialog.disposition.findData("solved"))
    dialog.note.setPlainText("Card replaced")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: window.offline.waiting == 1)
    assert "Resolution (solved)" in window.conversation.thread_view.toPlainText()
    window.commands.states[AgentState.BREAK].trigger()
    qtbot.waitUntil(lambda: window.offline.waiting == 2)
    assert window.state == AgentState.BREAK  # the agent's state stands while offline

    monkeypatch.setattr(inbox, "resolve", real["resolve"])
    monkeypatch.setattr(agents, "set_state", real["set_state"])
    window.offline.replay()
    qtbot.waitUntil(lambda: window.offline.waiting == 0)
    assert inbox.get(contact.id).status == ContactStatus.RESOLVED
    assert agents.state("emma").state == AgentState.BREAK


def test_a_bug_during_replay_reaches_the_crash_handler_and_later_replays_still_run(
        qtbot: QtBot, window: MainWindow, world: World, db: Database) -> None:
    contact, jobs = world.contacts[0], window.bench.jobs
    _open(qtbot, window, contact.id)
    window.offline.keep_message(contact.id, MessageKind.NOTE, "typed while offline", None)
    with qtbot.captureExceptions() as bugs:
        with db.begin() as conn:  # a schema this code does not expect: a bug, not an outage
            conn.execute(sql("ALTER TABLE messages RENAME TO messages_elsewhere"))
        try:
            window.offline.replay()
            qtbot.waitUntil(lambda: any(isinstance(b[1], DBAPIError) for b in bugs))
        finally:
            with db.begin() as conn:
                conn.execute(sql("ALTER TABLE messages_elsewhere RENAME TO messages"))
        qtbot.waitUntil(lambda: jobs.pending == 0)  # reads that met the renamed table, too
    window.offline.keep_message(contact.id, MessageKind.NOTE, "typed later", None)
    window.offline.replay()
    qtbot.waitUntil(lambda: window.offline.waiting == 0)
    [refused] = window.offline.entries_for(contact.id)
    assert refused.failed and refused.text == "typed while offline"
    qtbot.waitUntil(lambda: "typed later" in window.conversation.thread_view.toPlainText())
