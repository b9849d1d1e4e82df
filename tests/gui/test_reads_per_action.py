"""What one claim, reply and resolve cost the database, counted until the window has settled.

The window applies what its own write returned and the change feed skips
those changes when they come back, so an action re-reads only what it cannot
know from its result (the customer's timeline). Each test counts the SELECTs
from the click until the feed has caught up with the write and no background
job is left (tools.statements), and fails when an action reads more than it
did when this was measured. Before, when the window re-read everything after
its own write and again when the feed brought the change back, a claim took
21 reads (18 of customer records), a reply 28 (21) and a resolve 24 (19), each
with two audited contact views.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from console.store import changes
from console.store.db import Database
from tests.factories import World
from tests.gui.conftest import WindowFactory
from tools.statements import Tally, counting
from ui.agent.main_window import MainWindow
from ui.shell.dialogs import ResolveDialog

pytestmark = pytest.mark.gui


@pytest.fixture
def probe(db: Database) -> Iterator[Database]:
    """A second handle on the database, whose own reads are not counted."""
    other = Database(db.url)
    yield other
    other.dispose()


@pytest.fixture
def signed_in(make_window: WindowFactory) -> MainWindow:
    """Emma's window: signed in, so every look at a contact is audited."""
    return make_window("emma")


def settle(qtbot: QtBot, window: MainWindow, probe: Database) -> None:
    """Waits until the feed has seen every committed change and no job is left."""
    with probe.read() as s:
        target = changes.last_seq(s)
    qtbot.waitUntil(lambda: (window.feed.last_seq or 0) >= target
                    and window.bench.jobs.pending == 0)


def measure(qtbot: QtBot, window: MainWindow, db: Database, probe: Database,
            act: Callable[[], None], done: Callable[[], bool]) -> Tally:
    settle(qtbot, window, probe)
    with counting(db) as tally:
        act()
        qtbot.waitUntil(done)
        settle(qtbot, window, probe)
    print(tally.summary())  # the figures in the closing note come from here (pytest -s)
    return tally


def _open(qtbot: QtBot, window: MainWindow, contact_id: int) -> None:
    window.open_contact(contact_id)
    qtbot.waitUntil(lambda: window.conversation.detail is not None
                    and window.conversation.detail.contact.id == contact_id)


def _claimed(window: MainWindow, contact_id: int) -> bool:
    detail = window.conversation.detail
    row = window.inbox.model.row_of(contact_id)
    shown = window.inbox.model.contact_at(row) if row is not None else None
    return (detail is not None and detail.contact.assignee_login == "emma"
            and shown is not None and shown.assignee_login == "emma")


def test_a_claim_reads_little(qtbot: QtBot, signed_in: MainWindow, world: World, db: Database,
                              probe: Database) -> None:
    contact = world.contacts[0]
    _open(qtbot, signed_in, contact.id)
    tally = measure(qtbot, signed_in, db, probe, signed_in.commands.claim.trigger,
                    lambda: _claimed(signed_in, contact.id))
    # The claim itself (agent, contact row, the audit chain's last hash: a claim is an audited
    # change), the customer's timeline (customer, timeline, the chain's last hash) and, now and
    # then, who else is on the contact: the row goes to the inbox and the conversation as returned.
    assert len(tally.reads) <= 7
    assert len(tally.customer_reads) <= 3
    assert len(tally.audit_writes) <= 2  # the claim and the timeline view; no second contact view


def test_a_reply_reads_little(qtbot: QtBot, signed_in: MainWindow, world: World, db: Database,
                              probe: Database) -> None:
    contact = world.contacts[0]
    _open(qtbot, signed_in, contact.id)
    signed_in.commands.claim.trigger()
    qtbot.waitUntil(lambda: _claimed(signed_in, contact.id))
    signed_in.conversation.composer.set_text("We have frozen your card.")
    tally = measure(qtbot, signed_in, db, probe, signed_in.commands.send_reply.trigger,
                    lambda: signed_in.banner.text == "Reply recorded.")
    text = signed_in.conversation.thread_view.toPlainText()
    assert text.count("We have frozen your card.") == 1
    # The reply itself (key, agent, contact, row, and the new message's delivery job and
    # attachments in one query: issue 11 added that one), the timeline (3), and the presence
    # beat the cleared composer sends (agent, contact and one or two reads of who else is there).
    assert len(tally.reads) <= 14
    assert len(tally.customer_reads) <= 7
    assert len(tally.audit_writes) <= 1


def test_a_resolve_reads_little(qtbot: QtBot, signed_in: MainWindow, world: World, db: Database,
                                probe: Database) -> None:
    contact = world.contacts[0]
    _open(qtbot, signed_in, contact.id)
    signed_in.commands.claim.trigger()
    qtbot.waitUntil(lambda: _claimed(signed_in, contact.id))

    def resolve() -> None:
        signed_in.commands.resolve.trigger()
        dialog = signed_in.flow.dialog
        assert isinstance(dialog, ResolveDialog)
        dialog.disposition.setCurrentIndex(dialog.disposition.findData("solved"))
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()

    tally = measure(qtbot, signed_in, db, probe, resolve,
                    lambda: signed_in.banner.text == f"Contact {contact.id} resolved.")
    # The resolve itself (agent, disposition, contact, queue settings, row) and the timeline.
    assert len(tally.reads) <= 8
    assert len(tally.customer_reads) <= 4
    assert len(tally.audit_writes) <= 1
