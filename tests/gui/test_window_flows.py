"""The console window end to end: what an agent does in a shift, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QGuiApplication, QInputMethodEvent
from PySide6.QtWidgets import QDialogButtonBox, QWidget
from pytestqt.qtbot import QtBot

from console.clock import ManualClock
from console.domain import AgentState, Channel, ContactStatus
from console.errors import Unavailable
from tests.factories import World
from tests.gui.conftest import WindowFactory
from ui.agent.main_window import MainWindow
from ui.agent.models.inbox_columns import Column
from ui.shell.dialogs import ResolveDialog, TransferDialog
from ui.shell.jobs import Connection
from ui.shell.roles import BodyRole

pytestmark = pytest.mark.gui


def type_text(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Types like an agent: key presses for ASCII, an input-method commit for Japanese."""
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QCoreApplication.sendEvent(widget, event)


def _open(qtbot: QtBot, window: MainWindow, contact_id: int) -> None:
    window.open_contact(contact_id)
    qtbot.waitUntil(lambda: window.conversation.detail is not None
                    and window.conversation.detail.contact.id == contact_id)


def _idle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.bench.jobs.pending == 0)


def _row_text(window: MainWindow, contact_id: int, column: Column) -> str:
    model = window.inbox.model
    row = model.row_of(contact_id)
    assert row is not None
    return str(model.index(row, column).data())


def test_selecting_a_contact_fills_conversation_history_and_scripts(
        qtbot: QtBot, window: MainWindow, world: World) -> None:
    yamada_contact = world.contacts[1]
    window.inbox.select_contact(yamada_contact.id)
    qtbot.waitUntil(lambda: window.conversation.detail is not None)
    header = window.conversation.header
    assert header.name.text() == "山田 太郎"
    assert header.kana.text() == "ヤマダ タロウ"
    assert "住宅ローンの相談" in header.subject.text()
    assert "金利について教えてください" in window.conversation.thread_view.toPlainText()
    qtbot.waitUntil(lambda: window.history.model.rowCount() > 0)
    assert window.history.model.customer_id == world.yamada
    qtbot.waitUntil(lambda: window.scripts.model.rowCount() > 0)


def test_inserting_a_greeting_fills_in_the_customer_name(qtbot: QtBot, window: MainWindow,
                                                         world: World) -> None:
    _open(qtbot, window, world.contacts[0].id)  # Alice Smith, phone
    qtbot.waitUntil(lambda: window.scripts.model.rowCount() > 0)
    greeting = window.scripts.model.item(0)
    assert greeting is not None and greeting.template.name == "Phone greeting"
    window.scripts.view.setFocus()
    qtbot.keyClick(window.scripts.view, Qt.Key.Key_Return)
    text = window.conversation.composer.text()
    assert "Good morning" in text and "Alice Smith" in text and "Emma" in text


def test_copying_a_script_puts_it_on_the_clipboard(qtbot: QtBot, window: MainWindow,
                                                   world: World) -> None:
    _open(qtbot, window, world.contacts[0].id)
    qtbot.waitUntil(lambda: window.scripts.model.rowCount() > 0)
    window.scripts.copy_button.click()
    assert "Alice Smith" in QGuiApplication.clipboard().text()
    assert window.banner.isVisible()


@pytest.mark.parametrize(("query", "title"), [
    ("lost card", "Lost or stolen card"),
    ("金利", "住宅ローンの金利について"),
])
def test_kb_search_inserts_a_reference_into_the_reply(qtbot: QtBot, window: MainWindow,
                                                      world: World, query: str,
                                                      title: str) -> None:
    _open(qtbot, window, world.contacts[0].id)
    window.commands.focus_kb.trigger()
    type_text(qtbot, window.kb.search, query)
    assert window.kb.debounce.isActive()  # waits for a pause in typing
    qtbot.waitUntil(lambda: window.kb.model.rowCount() > 0)
    hit = window.kb.current_hit()
    assert hit is not None and hit.title == title
    assert "<span" in window.kb.model.index(0, 0).data(BodyRole)
    window.kb.insert_current_reference()
    assert f"KB#{hit.id}: {title}" in window.conversation.composer.text()


def test_kb_article_text_goes_into_the_reply(qtbot: QtBot, window: MainWindow,
                                             world: World) -> None:
    _open(qtbot, window, world.contacts[0].id)
    window.kb.search.setText("limit")
    window.kb.search_now()
    qtbot.waitUntil(lambda: window.kb.model.rowCount() > 0)
    window.kb.open_current()
    qtbot.waitUntil(lambda: window.kb.article is not None)
    assert "Raising a card limit" in window.kb.reader.toPlainText()
    window.kb.insert_article_text()
    assert "income on file" in window.conversation.composer.text()


def test_claim_reply_and_resolve(qtbot: QtBot, window: MainWindow, world: World) -> None:
    contact = world.contacts[0]
    _open(qtbot, window, contact.id)
    window.commands.claim.trigger()
    qtbot.waitUntil(lambda: _row_text(window, contact.id, Column.ASSIGNEE) == "Emma Clarke")
    composer = window.conversation.composer
    composer.set_text("We have frozen your card.")
    window.commands.send_reply.trigger()
    qtbot.waitUntil(lambda: composer.text() == "")
    qtbot.waitUntil(lambda: "We have frozen your card." in
                    window.conversation.thread_view.toPlainText())
    assert window.banner.text == "Reply recorded."
    window.commands.resolve.trigger()
    dialog = window.flow.dialog
    assert isinstance(dialog, ResolveDialog)
    dialog.disposition.setCurrentIndex(dialog.disposition.findData("solved"))
    dialog.note.setPlainText("Card frozen, replacement ordered.")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: _row_text(window, contact.id, Column.STATUS) == "Resolved")
    assert world.services.inbox.get(contact.id).status == ContactStatus.RESOLVED
    qtbot.waitUntil(lambda: "disposition: Solved" in window.conversation.header.contact_meta.text())


def test_a_claim_conflict_names_the_owner_and_keeps_the_text(
        qtbot: QtBot, window: MainWindow, world: World) -> None:
    contact = world.contacts[2]
    _open(qtbot, window, contact.id)
    composer = window.conversation.composer
    composer.set_text("Hello Alice, about your limit…")
    world.services.inbox.claim(contact.id, "kenji")  # another workstation got there first
    window.commands.claim.trigger()
    qtbot.waitUntil(window.banner.isVisible)
    assert window.banner.text == (f"Contact {contact.id} is already claimed by 佐藤 健二 (kenji).")
    window.commands.send_reply.trigger()
    _idle(qtbot, window)
    assert "already claimed by 佐藤 健二" in window.banner.text
    assert composer.text() == "Hello Alice, about your limit…"


def test_a_reply_made_offline_is_kept_shown_and_sent_once_when_back(
        qtbot: QtBot, window: MainWindow, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    contact = world.contacts[0]
    _open(qtbot, window, contact.id)
    inbox = world.services.inbox
    real_reply = inbox.reply
    keys: list[str | None] = []
    reachable = False

    def flaky(*args: object, idempotency_key: str | None = None, **kw: object) -> object:
        keys.append(idempotency_key)
        if not reachable:
            raise Unavailable("The database cannot be reached: connection refused")
        return real_reply(*args, idempotency_key=idempotency_key, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(inbox, "reply", flaky)
    states: list[str] = []
    window.bench.jobs.connection_changed.connect(states.append)
    composer = window.conversation.composer
    composer.set_text("Your new card is on its way.")
    window.commands.send_reply.trigger()
    qtbot.waitUntil(lambda: window.offline.waiting == 1)
    assert "kept on this computer" in window.banner.text
    assert composer.text() == ""  # safe in the outbox, shown in the thread instead
    assert "Waiting to be sent" in window.conversation.thread_view.toPlainText()
    assert "Your new card is on its way." in window.conversation.thread_view.toPlainText()
    assert states[0] == Connection.RECONNECTING  # shown in the status bar

    reachable = True  # the next successful call (the change feed's) brings the outbox home
    qtbot.waitUntil(lambda: window.offline.waiting == 0, timeout=10_000)
    qtbot.waitUntil(lambda: "Waiting to be sent" not in window.conversation.thread_view.toPlainText())
    assert len(set(keys)) == 1 and keys[0] is not None  # every try is the same request
    bodies = [m.body for m in inbox.detail(contact.id).messages]
    assert bodies.count("Your new card is on its way.") == 1
    assert window.bench.jobs.connection == Connection.CONNECTED


def test_an_empty_reply_is_not_sent(qtbot: QtBot, window: MainWindow, world: World) -> None:
    _open(qtbot, window, world.contacts[0].id)
    before = len(world.services.inbox.detail(world.contacts[0].id).messages)
    window.commands.add_note.trigger()
    assert window.banner.text == "Type the note first, then send it."
    _idle(qtbot, window)
    assert len(world.services.inbox.detail(world.contacts[0].id).messages) == before


def test_a_note_is_shown_as_internal(qtbot: QtBot, window: MainWindow, world: World) -> None:
    _open(qtbot, window, world.contacts[1].id)
    window.conversation.composer.set_text("Customer prefers a call after 18:00.")
    window.commands.add_note.trigger()
    qtbot.waitUntil(lambda: "Internal note" in window.conversation.thread_view.toPlainText())
    assert window.conversation.composer.text() == ""


def test_drafts_survive_switching_contacts(qtbot: QtBot, window: MainWindow,
                                           world: World) -> None:
    first, second = world.contacts[0].id, world.contacts[1].id
    _open(qtbot, window, first)
    qtbot.keyClicks(window.conversation.composer.editor, "half-typed answer")
    _open(qtbot, window, second)
    assert window.conversation.composer.text() == ""
    _open(qtbot, window, first)
    assert window.conversation.composer.text() == "half-typed answer"


def test_transfer_to_a_queue(qtbot: QtBot, window: MainWindow, world: World) -> None:
    contact = world.contacts[2]
    _open(qtbot, window, contact.id)
    qtbot.waitUntil(lambda: window.directory.ready)
    window.commands.transfer.trigger()
    dialog = window.flow.dialog
    assert isinstance(dialog, TransferDialog)
    dialog.queue.setCurrentIndex(dialog.queue.findData("Loans"))
    dialog.note.setPlainText("Needs a loan officer")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    qtbot.waitUntil(lambda: world.services.inbox.get(contact.id).queue_name == "Loans")
    qtbot.waitUntil(lambda: "transferred" in window.banner.text)


def test_get_next_claims_and_opens_the_most_urgent(qtbot: QtBot, window: MainWindow,
                                                   world: World) -> None:
    window.commands.get_next.trigger()
    urgent = world.contacts[0]
    qtbot.waitUntil(lambda: window.conversation.contact_id == urgent.id)
    qtbot.waitUntil(lambda: _row_text(window, urgent.id, Column.ASSIGNEE) == "Emma Clarke")
    assert window.inbox.selected_contact() == urgent.id


def test_a_change_from_another_workstation_appears_by_itself(
        qtbot: QtBot, window: MainWindow, world: World, clock: ManualClock) -> None:
    contact = world.contacts[1]
    window.inbox.select_contact(world.contacts[0].id)
    world.services.inbox.claim(contact.id, "kenji")
    qtbot.waitUntil(lambda: _row_text(window, contact.id, Column.ASSIGNEE) == "佐藤 健二",
                    timeout=5000)
    assert window.inbox.selected_contact() == world.contacts[0].id  # selection kept
    clock.advance(30)
    fresh = world.services.intake.create_contact(Channel.CHAT, "Cards", "Card blocked abroad",
                                                 "I am in Paris and my card does not work")
    qtbot.waitUntil(lambda: window.inbox.model.row_of(fresh.id) is not None, timeout=5000)
    assert window.inbox.selected_contact() == world.contacts[0].id


def test_timers_tick_from_the_injected_clock(qtbot: QtBot, window: MainWindow, world: World,
                                             clock: ManualClock) -> None:
    contact = world.contacts[0]
    before = _row_text(window, contact.id, Column.WAITING)
    clock.advance(timedelta(minutes=5))
    window.tick()
    after = _row_text(window, contact.id, Column.WAITING)
    assert (before, after) == ("02:00", "07:00")


def test_state_changes_by_shortcut_and_time_in_state_ticks(
        qtbot: QtBot, window: MainWindow, world: World, clock: ManualClock) -> None:
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: world.services.agents.state("emma").state == AgentState.AVAILABLE)
    assert window.status.state.currentText() == "Available"
    clock.advance(75)
    window.tick()
    assert window.status.in_state.text() == "for 01:15"
    window.commands.states[AgentState.BREAK].trigger()
    qtbot.waitUntil(lambda: world.services.agents.state("emma").state == AgentState.BREAK)


def test_claiming_puts_an_available_agent_on_contact_with_handle_time(
        qtbot: QtBot, window: MainWindow, world: World, clock: ManualClock) -> None:
    window.agent_state.request(AgentState.AVAILABLE)
    _idle(qtbot, window)
    _open(qtbot, window, world.contacts[0].id)
    window.commands.claim.trigger()
    qtbot.waitUntil(lambda: window.state == AgentState.ON_CONTACT)
    clock.advance(42)
    window.tick()
    assert window.status.handle.text() == "Handle time 00:42"


def test_shortcuts_are_shown_in_tooltips_and_menus(window: MainWindow) -> None:
    assert window.commands.claim.toolTip() == "Take this contact (Ctrl+Shift+C)"
    assert "Ctrl+E" in window.commands.resolve.toolTip()
    table = dict(window.commands.shortcut_table())
    assert table["Next contact"] == "Ctrl+Down, J"
    assert table["Search knowledge base"] == "Ctrl+K, Ctrl+F"


def test_two_windows_for_two_agents(make_window: WindowFactory, world: World,
                                    qtbot: QtBot) -> None:
    emma, kenji = make_window("emma"), make_window("kenji")
    assert "Emma Clarke (emma)" in emma.windowTitle()
    assert kenji.status.agent.text() == "佐藤 健二 (kenji)"
    _open(qtbot, kenji, world.contacts[1].id)
    kenji.commands.claim.trigger()
    qtbot.waitUntil(lambda: _row_text(emma, world.contacts[1].id, Column.ASSIGNEE) == "佐藤 健二",
                    timeout=5000)


def test_j_and_k_move_through_the_inbox_but_type_in_the_composer(
        qtbot: QtBot, window: MainWindow, world: World) -> None:
    window.inbox.focus()
    assert window.inbox.selected_contact() == world.contacts[0].id
    qtbot.keyClick(window.inbox.table, Qt.Key.Key_J)
    assert window.inbox.selected_contact() == world.contacts[1].id
    qtbot.keyClick(window.inbox.table, Qt.Key.Key_K)
    assert window.inbox.selected_contact() == world.contacts[0].id
    qtbot.waitUntil(lambda: window.conversation.detail is not None  # contact 1's may come first
                    and window.conversation.detail.contact.id == world.contacts[0].id)
    editor = window.conversation.composer.editor
    editor.setFocus()
    qtbot.keyClicks(editor, "jk")
    assert window.conversation.composer.text() == "jk"
    assert window.inbox.selected_contact() == world.contacts[0].id


def test_postgresql_pushes_changes_without_polling(make_window: WindowFactory, world: World,
                                                   qtbot: QtBot) -> None:
    window = make_window("emma", poll_ms=3_600_000)  # the timer never fires in this test
    if not window.bench.door.changes.notifies:
        assert not window.feed.pushed
        pytest.skip("SQLite has no notifications; the timer polls")
    assert window.feed.pushed
    contact = world.contacts[1]
    world.services.inbox.claim(contact.id, "kenji")
    qtbot.waitUntil(lambda: _row_text(window, contact.id, Column.ASSIGNEE) == "佐藤 健二",
                    timeout=5000)


def test_a_reply_on_a_stale_view_is_stopped_shown_and_sent_when_the_agent_decides(
        qtbot: QtBot, window: MainWindow, world: World) -> None:
    contact = world.contacts[0]
    _open(qtbot, window, contact.id)
    window.feed.stop()  # this workstation misses the change for a moment
    world.services.inbox.add_note(contact.id, "kenji", "Customer called again: card found")
    composer = window.conversation.composer
    composer.set_text("We have cancelled your card.")
    window.commands.send_reply.trigger()
    qtbot.waitUntil(lambda: "changed by someone else" in window.banner.text)
    assert composer.text() == "We have cancelled your card."  # nothing lost
    qtbot.waitUntil(lambda: "card found" in window.conversation.thread_view.toPlainText())
    window.commands.send_reply.trigger()  # read it, still wants to send: the agent decides
    qtbot.waitUntil(lambda: composer.text() == "")
    bodies = [m.body for m in world.services.inbox.detail(contact.id).messages]
    assert bodies.count("We have cancelled your card.") == 1
