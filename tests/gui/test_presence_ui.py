"""Two agents on one contact: each window says who else is there and what they are doing."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.factories import World
from tests.gui.conftest import WindowFactory


def test_each_window_shows_who_else_is_on_the_contact(make_window: WindowFactory, world: World,
                                                      qtbot: QtBot) -> None:
    emma, kenji = make_window("emma"), make_window("kenji")
    contact = world.contacts[1].id
    emma.open_contact(contact)
    kenji.open_contact(contact)
    label = emma.conversation.presence
    qtbot.waitUntil(lambda: "佐藤 健二 is viewing" in label.text(), timeout=5000)
    assert label.isVisible()
    kenji.conversation.composer.editor.setPlainText("Let me check that for you")
    qtbot.waitUntil(lambda: "佐藤 健二 is replying" in label.text(), timeout=5000)
    qtbot.waitUntil(lambda: "Emma Clarke is viewing" in kenji.conversation.presence.text(),
                    timeout=5000)
    kenji.open_contact(world.contacts[0].id)  # moves on: emma's warning goes away
    qtbot.waitUntil(lambda: not label.isVisible(), timeout=5000)
    assert "Emma" not in kenji.conversation.presence.text()
