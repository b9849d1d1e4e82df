"""The agent's window tells a web chat customer that the agent is typing, every few seconds."""

from __future__ import annotations

import pytest
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from console.clock import ManualClock
from console.store.models import ChangeLogEntry
from tests.factories import World
from tests.gui.conftest import WindowFactory
from ui.agent.main_window import MainWindow

pytestmark = pytest.mark.gui


def typing_entries(world: World, contact: int) -> int:
    with world.services.db.read() as s:
        return int(s.execute(select(func.count()).select_from(ChangeLogEntry).where(
            ChangeLogEntry.entity == "typing", ChangeLogEntry.entity_id == str(contact)))
            .scalar_one())


def show(window: MainWindow, qtbot: QtBot, contact: int) -> None:
    window.open_contact(contact)
    qtbot.waitUntil(lambda: window.conversation.detail is not None
                    and window.conversation.detail.contact.id == contact, timeout=5000)


def settled(window: MainWindow, qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: window.bench.jobs.writes_pending == 0, timeout=5000)


def test_typing_on_a_chat_is_announced_at_most_every_three_seconds(
        make_window: WindowFactory, world: World, clock: ManualClock, qtbot: QtBot) -> None:
    window = make_window("kenji")
    chat, mail = world.contacts[2].id, world.contacts[1].id
    show(window, qtbot, chat)
    editor = window.conversation.composer.editor
    QTest.keyClicks(editor, "Let me check")
    qtbot.waitUntil(lambda: typing_entries(world, chat) == 1, timeout=5000)
    QTest.keyClicks(editor, " your limit")
    settled(window, qtbot)
    assert typing_entries(world, chat) == 1  # within three seconds: nothing more
    clock.advance(3)
    QTest.keyClicks(editor, " now")
    qtbot.waitUntil(lambda: typing_entries(world, chat) == 2, timeout=5000)

    show(window, qtbot, mail)  # an e-mail customer sees no typing: nothing is sent
    clock.advance(5)
    QTest.keyClicks(window.conversation.composer.editor, "Dear Mr Yamada")
    settled(window, qtbot)
    assert typing_entries(world, mail) == 0
    clock.advance(5)
    show(window, qtbot, chat)  # the draft coming back is not typing
    assert window.conversation.composer.text() == "Let me check your limit now"
    settled(window, qtbot)
    assert typing_entries(world, chat) == 2
    window.conversation.composer.set_text("")
    QTest.keyClicks(editor, "x")
    qtbot.waitUntil(lambda: typing_entries(world, chat) == 3, timeout=5000)
