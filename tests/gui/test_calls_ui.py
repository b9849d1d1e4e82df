"""Calls in the agent window: ringing in the inbox, the screen pop, wrap-up, click-to-dial.

The test applies the phone system's events through the service, as the
gateway would from its own process; the windows learn of them only through
the change feed. Real widgets, a real database, a real HTTP server for the
phone system's originate URL.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.channels.cti import parse_cti_form
from console.clock import ManualClock
from console.domain import AgentState
from console.domain.calls import CallState
from tests.factories import World
from tests.gui.conftest import WindowFactory
from tests.pbx import FakePbx, running_pbx
from ui.agent.main_window import MainWindow
from ui.agent.models.inbox_columns import Column
from ui.shell import palette
from ui.shell.jobs import Connection

pytestmark = pytest.mark.gui


@pytest.fixture
def pbx() -> Iterator[FakePbx]:
    with running_pbx() as server:
        yield server


@pytest.fixture
def account(world: World, pbx: FakePbx) -> int:
    """The phone account of Cards, dialling through ``pbx``; emma is on extension 201."""
    account = world.services.channels.add_cti("PBX", queue="Cards", token="pbx-secret", originate_url=pbx.url)
    world.services.channels.set_extension("PBX", "emma", "201")
    return account.value.id


def cti(world: World, account: int, **form: str) -> int:
    """Applies one event as the gateway would; the contact id of its call."""
    outcome = world.services.calls.apply(account, parse_cti_form(form))
    assert outcome.contact_id is not None
    return outcome.contact_id


def cell(window: MainWindow, contact_id: int, column: Column, role: int) -> object:
    row = window.inbox.model.row_of(contact_id)
    assert row is not None
    return window.inbox.model.index(row, column).data(role)


def shown_state(window: MainWindow) -> str:
    return window.status.state.currentText()


def test_a_call_rings_in_the_inbox_of_its_queues_agents(make_window: WindowFactory,
                                                        world: World, account: int,
                                                        qtbot: QtBot,
                                                        qtmodeltester: ModelTester) -> None:
    emma, sara = make_window("emma"), make_window("sara", ready=False)
    contact_id = cti(world, account, event="newCall", callId="c-1", **{"from": "08099990000"},
                     direction="in")
    model = emma.inbox.model
    # The call's state and the contact's row come by two ways (the calls the window
    # follows, the inbox's own refresh): wait for both.
    qtbot.waitUntil(lambda: model.call_state(contact_id) is CallState.RINGING
                    and model.row_of(contact_id) is not None)
    assert cell(emma, contact_id, Column.STATUS, Qt.ItemDataRole.DisplayRole) == "Ringing"
    assert cell(emma, contact_id, Column.CHANNEL, Qt.ItemDataRole.ToolTipRole) == "Phone: ringing"
    tint = cell(emma, contact_id, Column.SUBJECT, Qt.ItemDataRole.BackgroundRole)
    assert tint.color().name() == palette.RINGING_BG  # type: ignore[attr-defined]
    assert cell(emma, contact_id, Column.CUSTOMER, Qt.ItemDataRole.DisplayRole) == "Unknown caller"
    qtmodeltester.check(model)
    assert sara.calls.calls == {}  # the supervisor works no queue: nothing rings for her
    cti(world, account, event="hangup", callId="c-1")  # the caller gives up
    qtbot.waitUntil(lambda: model.call_state(contact_id) is None and cell(
        emma, contact_id, Column.STATUS, Qt.ItemDataRole.DisplayRole) == "Resolved")


def test_the_answered_call_pops_with_the_customer_and_wrap_up_follows(
        make_window: WindowFactory, world: World, account: int, qtbot: QtBot,
        clock: ManualClock) -> None:
    emma, kenji = make_window("emma"), make_window("kenji")
    emma.agent_state.request(AgentState.AVAILABLE)
    qtbot.waitUntil(lambda: shown_state(emma) == "Available")
    contact_id = cti(world, account, event="newCall", callId="c-2",
                     **{"from": "+81 90-1234-5678"}, direction="in")
    qtbot.waitUntil(lambda: kenji.inbox.model.call_state(contact_id) is CallState.RINGING)
    world.services.calls.apply(account, parse_cti_form(
        {"event": "answer", "callId": "c-2", "user": "emma"}))

    qtbot.waitUntil(lambda: emma.inbox.selected_contact() == contact_id
                    and emma.conversation.detail is not None
                    and emma.conversation.detail.contact.id == contact_id
                    and emma.history.model.customer_id == world.yamada
                    and emma.history.model.rowCount() > 0)
    header = emma.conversation.header
    assert header.name.text() == "山田 太郎"
    assert "On call with 090-1234-5678" in header.call_line.text()
    qtbot.waitUntil(lambda: shown_state(emma) == "On contact")
    qtbot.waitUntil(lambda: emma.banner.text
                    == f"On a call with 山田 太郎: contact {contact_id} is open.")
    assert emma.status.handle.text().startswith("Handle time")
    # Kenji's window stops ringing and pops nothing.
    qtbot.waitUntil(lambda: kenji.inbox.model.call_state(contact_id) is None)
    assert kenji.conversation.contact_id != contact_id

    clock.advance(100)
    cti(world, account, event="hangup", callId="c-2", cause="normal")
    qtbot.waitUntil(lambda: shown_state(emma) == "Wrap-up")
    qtbot.waitUntil(lambda: "ended · talked 01:40 · wrap up and resolve"
                    in header.call_line.text()
                    and emma.inbox.model.call_state(contact_id) is CallState.ENDED)


def test_click_to_dial_rings_the_agents_phone_and_the_call_pops(make_window: WindowFactory,
                                                                world: World, account: int,
                                                                pbx: FakePbx,
                                                                qtbot: QtBot) -> None:
    emma = make_window("emma")
    emma.open_contact(world.contacts[0].id)  # Alice Smith's lost card, +1 415 555 2671
    button = emma.conversation.header.call_button
    qtbot.waitUntil(lambda: emma.conversation.detail is not None and button.isVisible())
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: emma.banner.text == "Calling +1 415-555-2671: pick up your phone "
                                                "(extension 201).")
    (request,) = pbx.requests
    assert request.query == {"ext": ["201"], "to": ["+14155552671"]}
    assert button.isEnabled()

    # The phone system reports the call it placed: a new contact, emma's, pops.
    contact_id = cti(world, account, event="newCall", callId="o-1", **{"from": "201"},
                     to="+14155552671", direction="out", user="emma")
    qtbot.waitUntil(lambda: emma.conversation.contact_id == contact_id
                    and emma.inbox.selected_contact() == contact_id
                    and emma.banner.text == f"Calling out: contact {contact_id} is open.")
    qtbot.waitUntil(lambda: "Calling +1 415-555-2671…" in emma.conversation.header.call_line.text())

    pbx.status, pbx.body = 503, b"busy"  # the phone system is overloaded
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "could not place the call right now (503" in emma.banner.text)
    assert emma.bench.jobs.connection is Connection.CONNECTED  # the database is fine
    assert "Connected" in emma.status.connection.text()
