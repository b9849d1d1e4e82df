"""A window starts its change feed before it loads: a colleague's change at start-up is never lost."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from console.domain import Channel, ContactRow
from console.sync.follow import ChangeSource
from tests.factories import World
from tests.gui.conftest import WindowFactory

pytestmark = pytest.mark.gui


def test_a_contact_created_while_the_window_starts_is_listed(
        make_window: WindowFactory, world: World, qtbot: QtBot,
        monkeypatch: pytest.MonkeyPatch) -> None:
    created: list[ContactRow] = []
    real = ChangeSource.last_seq

    def last_seq_just_after_a_colleague(source: ChangeSource) -> int:
        if not created:  # another workstation commits just before the feed learns where the log ends
            created.append(world.services.intake.create_contact(
                Channel.CHAT, "Cards", "Arrived while the window started", "Hello?"))
        return real(source)

    monkeypatch.setattr(ChangeSource, "last_seq", last_seq_just_after_a_colleague)
    window = make_window("emma")
    # Its change is at or before the feed's starting point, so only the first load can show it.
    qtbot.waitUntil(lambda: window.inbox.model.row_of(created[0].id) is not None)
