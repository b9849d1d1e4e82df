"""Link to customer and Unlink, from the conversation's header (issue 12).

A LINE message from someone unknown arrives as a customer record of its own;
the agent finds the customer they really are, confirms, and the header, the
inbox row and the history (now every channel) follow. Real widgets, a real
database, the door's refusals shown where the agent looks.
"""

from __future__ import annotations

import pytest
import shiboken6
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import delete

from console.domain import Channel, TimelineEntry
from console.store.db import Database
from console.store.models import CustomerPhone
from tests.factories import World, add_messaging_account, message_from
from tests.gui.conftest import WindowFactory
from ui.agent.link_dialog import LinkCustomerDialog
from ui.agent.main_window import MainWindow
from ui.shell.roles import ObjectRole

pytestmark = pytest.mark.gui


@pytest.fixture
def line_contact(world: World) -> int:
    return message_from(world.services, add_messaging_account(world.services))


def _open(qtbot: QtBot, window: MainWindow, contact_id: int) -> None:
    qtbot.waitUntil(lambda: window.inbox.model.row_of(contact_id) is not None)
    window.open_contact(contact_id)
    qtbot.waitUntil(lambda: window.identity.identity is not None
                    and window.conversation.contact_id == contact_id)


def _history_channels(window: MainWindow) -> set[Channel]:
    model = window.history.model
    entries: list[TimelineEntry] = [model.data(model.index(r), ObjectRole)
                                    for r in range(model.rowCount())]
    return {e.channel for e in entries}


def _search(qtbot: QtBot, window: MainWindow, text: str) -> LinkCustomerDialog:
    window.commands.link_customer.trigger()
    dialog = window.identity.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.query.setText(text)
    dialog.search()
    qtbot.waitUntil(lambda: dialog.status.text().endswith(("found.", "listed.")))
    return dialog


def _customer_name(window: MainWindow, contact_id: int) -> str:
    row = window.inbox.model.row_of(contact_id)
    contact = window.inbox.model.contact_at(row) if row is not None else None
    return contact.customer_name if contact else ""


def test_a_line_sender_is_linked_and_history_shows_both_channels(
        qtbot: QtBot, make_window: WindowFactory, world: World, line_contact: int,
        qtmodeltester: ModelTester) -> None:
    window = make_window()
    _open(qtbot, window, line_contact)
    header = window.conversation.header
    assert header.sender_line.label.text() == "Writes as LINE user 山田 花子"
    assert header.sender_line.isVisibleTo(window) and window.commands.link_customer.isEnabled()
    # The record was made for this sender: unlinking would only copy it.
    assert not window.commands.unlink_customer.isEnabled()
    qtbot.waitUntil(lambda: _history_channels(window) == {Channel.LINE})

    dialog = _search(qtbot, window, "山田")
    # Both 山田 records match; the sender's own new one is not offered.
    assert dialog.status.text() == "1 customer found. The sender's own record is not listed."
    qtmodeltester.check(dialog.model)
    cells = [dialog.model.index(0, c).data() for c in range(dialog.model.columnCount())]
    assert cells == ["山田 太郎", "ヤマダ タロウ", "…5678", "t…@example.jp", f"#{world.yamada}"]
    dialog.ok.click()
    assert dialog.confirmation.text() == (
        f"Messages from LINE user 山田 花子 will belong to 山田 太郎 (#{world.yamada}).")
    assert dialog.candidate.text() == (
        f"山田 太郎 · ヤマダ タロウ · …5678 · t…@example.jp · #{world.yamada}")
    dialog.ok.click()

    qtbot.waitUntil(lambda: header.name.text() == "山田 太郎")
    qtbot.waitUntil(lambda: _history_channels(window) == {Channel.LINE, Channel.EMAIL})
    qtbot.waitUntil(lambda: _customer_name(window, line_contact) == "山田 太郎")
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()
    assert world.services.inbox.get(line_contact).customer_id == world.yamada
    assert header.sender_line.label.text() == "Writes as LINE user 山田 花子"
    qtbot.waitUntil(window.commands.unlink_customer.isEnabled)  # Yamada's record holds more


def test_unlink_gives_the_sender_a_record_of_their_own(
        qtbot: QtBot, make_window: WindowFactory, world: World, line_contact: int) -> None:
    world.services.messaging.link_identity(line_contact, world.yamada)
    window = make_window()
    _open(qtbot, window, line_contact)
    qtbot.waitUntil(lambda: _history_channels(window) == {Channel.LINE, Channel.EMAIL})
    banner: list[str] = []
    window.banner.shown.connect(banner.append)

    window.commands.unlink_customer.trigger()
    box = window.identity.confirm
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert box.text().startswith("Messages from LINE user 山田 花子 will no longer belong to "
                                 f"山田 太郎 (#{world.yamada})")
    box.button(QMessageBox.StandardButton.Yes).click()

    header = window.conversation.header
    qtbot.waitUntil(lambda: header.name.text() == "山田 花子")
    qtbot.waitUntil(lambda: _history_channels(window) == {Channel.LINE})
    qtbot.waitUntil(lambda: _customer_name(window, line_contact) == "山田 花子")
    new_customer = world.services.inbox.get(line_contact).customer_id
    assert new_customer not in (None, world.yamada)
    assert banner[-1] == (f"LINE user 山田 花子 has a customer record of their own now "
                          f"(#{new_customer}).")


def test_a_refused_link_is_shown_and_changes_nothing(
        qtbot: QtBot, make_window: WindowFactory, world: World, db: Database) -> None:
    sms = add_messaging_account(world.services, "twilio", "sms", queue="Cards")
    contact = message_from(world.services, sms, sender="+819011112222", display_name="")
    before = world.services.inbox.get(contact).customer_id
    window = make_window()
    _open(qtbot, window, contact)
    assert window.conversation.header.sender_line.label.text() == "Writes as SMS number …2222"
    banner: list[str] = []
    window.banner.shown.connect(banner.append)
    dialog = _search(qtbot, window, "Smith")
    dialog.ok.click()
    with db.write() as s:  # meanwhile the branch desk takes the number off that record
        s.execute(delete(CustomerPhone).where(CustomerPhone.e164 == "+819011112222"))
    dialog.ok.click()

    refusal = f"The sender of contact {contact} is no longer an identity of its customer."
    qtbot.waitUntil(lambda: refusal in banner)
    assert dialog.isVisible() and dialog.error.text() == refusal and dialog.ok.isEnabled()
    assert world.services.inbox.get(contact).customer_id == before
    dialog.reject()


def test_other_channels_offer_no_link(qtbot: QtBot, window: MainWindow, world: World) -> None:
    phone_call = world.contacts[0].id
    window.open_contact(phone_call)
    qtbot.waitUntil(lambda: window.conversation.detail is not None
                    and window.conversation.detail.contact.id == phone_call)
    assert not window.conversation.header.sender_line.isVisibleTo(window)
    assert not window.commands.link_customer.isEnabled()
    assert not window.commands.unlink_customer.isEnabled()


def test_the_buttons_move_under_the_sender_in_a_narrow_pane(
        qtbot: QtBot, make_window: WindowFactory, line_contact: int) -> None:
    window = make_window()
    _open(qtbot, window, line_contact)
    line = window.conversation.header.sender_line
    window.splitter.setSizes([1000, 1000])
    qtbot.waitUntil(lambda: line.buttons_beside)
    window.splitter.setSizes([1700, 300])
    qtbot.waitUntil(lambda: not line.buttons_beside)
    assert line.label.text() == "Writes as LINE user 山田 花子"
