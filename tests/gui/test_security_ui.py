"""The sign-in dialog and the branch lookup screen, driven like a person would."""

from __future__ import annotations

from datetime import date

import pytest
from argon2 import PasswordHasher
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from console.clock import ManualClock
from console.domain import Role
from console.domain.audit import AuditFilter
from console.security.guard import Entrance, authorize
from console.security.principal import Principal
from console.services.auth import AuthService
from console.store.db import Database
from console.store.models import Account, Customer
from tests.factories import World
from ui.branch.lookup import BranchLookupPane
from ui.shell.jobs import Jobs
from ui.sign_in import SignInDialog

pytestmark = pytest.mark.gui
CARD = "4111111111111111"


@pytest.fixture
def auth(world: World, db: Database, clock: ManualClock) -> AuthService:
    service = AuthService(db, clock, hasher=PasswordHasher(time_cost=1, memory_cost=8,
                                                           parallelism=1))
    service.set_password("emma", "correct horse battery")
    return service


def test_sign_in_shows_refusals_and_closes_on_success(qtbot: QtBot, auth: AuthService,
                                                      world: World, jobs: Jobs) -> None:
    world.services.auth = auth
    dialog = SignInDialog(Entrance(world.services), jobs, "WS-01")
    qtbot.addWidget(dialog)
    dialog.login.setText("emma")
    dialog.password.setText("wrong password")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.error.text() == "Wrong login or password.")
    assert dialog.password.text() == "" and dialog.buttons.isEnabled()
    dialog.password.setText("correct horse battery")
    with qtbot.waitSignal(dialog.signed_in) as signal:
        dialog.submit()
    assert signal.args[0].principal.login == "emma" and dialog.door is not None
    assert dialog.password.text() == ""


@pytest.fixture
def branch_world(world: World, db: Database) -> World:
    world.services.admin.create_agent("bea", "Bea Branch", role=Role.BRANCH)
    with db.write() as s:
        s.execute(update(Customer).where(Customer.id == world.alice).values(
            date_of_birth=date(1984, 2, 29), national_id="123456789012"))
        s.add(Account(customer_id=world.alice, product="card", number=CARD, last4=CARD[-4:]))
    return world


def _pane(qtbot: QtBot, world: World, jobs: Jobs, login: str) -> BranchLookupPane:
    a = world.services.agents.get(login)
    guarded = authorize(world.services, Principal(a.id, a.login, a.name, a.role, "BR-1"))
    pane = BranchLookupPane(guarded, jobs)
    qtbot.addWidget(pane)
    return pane


def _texts(widget: QWidget) -> str:
    from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QPlainTextEdit

    parts = [w.text() for w in widget.findChildren(QLabel) + widget.findChildren(QLineEdit)]
    parts += [w.toPlainText() for w in widget.findChildren(QPlainTextEdit)]
    parts += [c.itemText(i) for c in widget.findChildren(QComboBox) for i in range(c.count())]
    return "\n".join(parts)


def test_lookup_card_verify_and_unmask(qtbot: QtBot, qtmodeltester: ModelTester,
                                       branch_world: World, jobs: Jobs) -> None:
    pane = _pane(qtbot, branch_world, jobs, "bea")
    pane.query.setText("smith")
    pane.search()
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    qtmodeltester.check(pane.model)
    assert pane.model.index(0, 2).data() == "1984"
    qtbot.mouseClick(pane.results.viewport(), Qt.MouseButton.LeftButton,
                     pos=pane.results.visualRect(pane.model.index(0, 0)).center())
    qtbot.waitUntil(lambda: pane.card is not None)
    assert "************1111" in pane.card_view.toPlainText() and CARD not in _texts(pane)
    pane.unmask()
    qtbot.waitUntil(lambda: "Verify the customer's identity first" in pane.error.text())
    pane.answer_dob.setText("1984-02-29")
    pane.answer_email.setText("alice.smith@example.com")
    pane.verify()
    qtbot.waitUntil(lambda: pane.error.text() == "Identity checked.")
    pane.unmask()
    qtbot.waitUntil(lambda: pane.full_number.text() == CARD)
    pane.clear()
    assert CARD not in _texts(pane) and "Alice" not in _texts(pane)
    actions = [e.action for e in branch_world.services.audit.list(AuditFilter(person="bea"))]
    assert actions == ["search", "view", "verify", "unmask"]


def test_an_agent_is_refused_in_the_pane(qtbot: QtBot, branch_world: World, jobs: Jobs) -> None:
    pane = _pane(qtbot, branch_world, jobs, "emma")
    pane.query.setText("smith")
    pane.search()
    qtbot.waitUntil(lambda: "may not use 'branch.lookup'" in pane.error.text())
    assert pane.model.rowCount() == 0


def test_counter_work_books_records_escalates_and_updates_after_the_check(
        qtbot: QtBot, branch_world: World, jobs: Jobs) -> None:
    pane = _pane(qtbot, branch_world, jobs, "bea")
    assert not pane.counter_actions.isEnabled()  # nobody chosen yet
    pane.open_card(branch_world.alice)
    qtbot.waitUntil(lambda: pane.card is not None and pane.counter_actions.isEnabled())
    actions = pane.counter_actions
    actions.purpose.setText("Mortgage consultation")
    actions.book()
    qtbot.waitUntil(lambda: pane.error.text() == "Appointment booked.")
    qtbot.waitUntil(lambda: "Mortgage consultation" in pane.card_view.toPlainText())
    actions.complaint.setText("Card blocked twice abroad")
    actions.complain()
    qtbot.waitUntil(lambda: pane.error.text() == "Complaint recorded.")
    actions.escalate_to.setEditText("@sara")
    actions.escalate()
    qtbot.waitUntil(lambda: pane.error.text() == "Complaint escalated.")
    qtbot.waitUntil(lambda: pane.card is not None
                    and pane.card.complaints[0].escalated_to == "Sara Lind")
    [complaint] = pane.card.complaints if pane.card else []
    actions.email.setText("alice.new@example.com")
    actions.details()
    qtbot.waitUntil(lambda: "Verify the customer's identity first" in pane.error.text())
    pane.answer_dob.setText("1984-02-29")
    pane.answer_email.setText("alice.smith@example.com")
    pane.verify()
    qtbot.waitUntil(lambda: pane.error.text() == "Identity checked.")
    actions.email.setText("alice.new@example.com")
    actions.details()
    qtbot.waitUntil(lambda: pane.error.text().startswith("Contact details updated"))
    qtbot.waitUntil(lambda: "alice.new@example.com" in pane.card_view.toPlainText())
    assert complaint.summary == "Card blocked twice abroad"
