"""The window applies what its own writes return, and the change feed does not bring them back.

What is on screen after an action must be what a fresh read would show, with
no duplicate; a change another workstation makes meanwhile must still arrive.
"""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from console.store import changes
from console.sync.follow import ChangeSource
from tests.factories import World
from ui.agent.main_window import MainWindow
from ui.shell.change_feed import ChangeFeed
from ui.shell.dialogs import ResolveDialog
from ui.shell.jobs import Jobs

pytestmark = pytest.mark.gui
QUIET_MS = 600_000  # the feed reads only when the test asks (or PostgreSQL wakes it)


def _open(qtbot: QtBot, window: MainWindow, contact_id: int) -> None:
    window.open_contact(contact_id)
    qtbot.waitUntil(lambda: window.conversation.detail is not None
                    and window.conversation.detail.contact.id == contact_id)


def _settled(qtbot: QtBot, window: MainWindow, world: World) -> None:
    with world.services.db.read() as s:
        target = changes.last_seq(s)
    qtbot.waitUntil(lambda: (window.feed.last_seq or 0) >= target
                    and window.bench.jobs.pending == 0)


def _shown_row(window: MainWindow, contact_id: int) -> object:
    row = window.inbox.model.row_of(contact_id)
    return window.inbox.model.contact_at(row) if row is not None else None


def test_after_a_reply_the_window_shows_what_a_fresh_read_shows(
        qtbot: QtBot, window: MainWindow, world: World) -> None:
    contact = world.contacts[0]
    _open(qtbot, window, contact.id)
    window.conversation.composer.set_text("We have frozen your card.")
    window.commands.send_reply.trigger()
    qtbot.waitUntil(lambda: window.banner.text == "Reply recorded.")
    _settled(qtbot, window, world)
    assert window.conversation.thread_view.toPlainText().count("We have frozen your card.") == 1
    assert window.conversation.detail == world.services.inbox.detail(contact.id)
    assert _shown_row(window, contact.id) == world.services.inbox.get(contact.id)


def test_a_resolution_with_a_note_shows_the_note_and_the_disposition(
        qtbot: QtBot, window: MainWindow, world: World) -> None:
    contact = world.contacts[0]
    _open(qtbot, window, contact.id)
    window.commands.resolve.trigger()
    dialog = window.flow.dialog
    assert isinstance(dialog, ResolveDialog)
    dialog.disposition.setCurrentIndex(dialog.disposition.findData("solved"))
    dialog.note.setPlainText("Card frozen, replacement ordered.")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: window.banner.text == f"Contact {contact.id} resolved.")
    _settled(qtbot, window, world)
    detail = window.conversation.detail
    assert detail == world.services.inbox.detail(contact.id)
    assert detail is not None and detail.disposition == "Solved"
    assert window.conversation.thread_view.toPlainText().count("replacement ordered") == 1


def test_a_change_from_elsewhere_during_an_own_write_still_arrives(qtbot: QtBot, world: World,
                                                                  jobs: Jobs) -> None:
    sv = world.services
    feed = ChangeFeed(jobs, ChangeSource(sv.db), interval_ms=QUIET_MS)
    reported: list[dict[str, set[str]]] = []
    feed.entities_changed.connect(reported.append)
    feed.start()
    qtbot.waitUntil(lambda: feed.last_seq is not None and jobs.pending == 0)
    cid = world.contacts[0].id
    feed.expect_own_write()
    own = sv.inbox.claim(cid, "emma")  # this window's write...
    other = sv.inbox.add_note(cid, "kenji", "Customer called again")  # ...and someone else's
    feed.poll()
    qtbot.waitUntil(lambda: feed.last_seq == other.changes.seq and jobs.pending == 0)
    assert reported == []  # held until the window knows its own write's change set
    with qtbot.waitSignal(feed.contacts_changed) as got:
        feed.own_write_done(own.changes)
    assert got.args == [{cid}]  # the same contact: compared by seq, not by id
    assert reported == [{"contact": {str(cid)}, "message": {other.value.message.id}}]
    feed.stop()


def test_the_feed_drops_only_what_was_applied(qtbot: QtBot, world: World, jobs: Jobs) -> None:
    sv = world.services
    feed = ChangeFeed(jobs, ChangeSource(sv.db), interval_ms=QUIET_MS)
    reported: list[dict[str, set[str]]] = []
    feed.entities_changed.connect(reported.append)
    feed.start()
    qtbot.waitUntil(lambda: feed.last_seq is not None and jobs.pending == 0)
    feed.expect_own_write()
    mine = sv.inbox.reply(world.contacts[0].id, "emma", "On it")
    feed.poll()
    qtbot.waitUntil(lambda: feed.last_seq == mine.changes.seq and jobs.pending == 0)
    feed.own_write_done(mine.changes)
    assert reported == []  # the window applied all of it
    feed.expect_own_write()  # a write that fails: whatever arrived meanwhile is reported
    note = sv.inbox.add_note(world.contacts[1].id, "kenji", "From another desk")
    feed.poll()
    qtbot.waitUntil(lambda: feed.last_seq == note.changes.seq and jobs.pending == 0)
    feed.own_write_done(None)
    assert reported == [{"contact": {str(world.contacts[1].id)},
                         "message": {note.value.message.id}}]
    feed.stop()
