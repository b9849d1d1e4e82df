"""Every window action, as every role, through the window: allowed or refused as the matrix says.

The expectation comes from console.security.permissions itself: an action is
allowed exactly when the role is in its rule, and an allowed action whose rule
asks for an audit entry leaves one naming the person. A refusal shows the
door's message and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from console.domain import ContactStatus, MessageKind, Role
from console.domain.audit import AuditFilter
from console.security.permissions import PERMISSIONS
from console.store.db import Database
from console.store.models import Account, Customer
from console.sync.follow import ChangeSource
from tests.factories import World, add_attachment, add_messaging_account, message_from
from tests.gui.benches import bench_for, door_for
from tests.gui.conftest import WindowFactory
from tests.pbx import running_pbx
from ui.admin.window import AdminWindow
from ui.agent.main_window import MainWindow
from ui.branch.lookup import BranchLookupPane
from ui.shell.change_feed import ChangeFeed
from ui.shell.dialogs import ResolveRequest, TransferRequest
from ui.shell.jobs import Jobs
from ui.supervisor.window import WallboardWindow

pytestmark = pytest.mark.gui

ROLE_OF = {"emma": Role.AGENT, "sara": Role.SUPERVISOR, "bea": Role.BRANCH, "root": Role.ADMIN}
LOGINS = tuple(ROLE_OF)


@pytest.fixture
def staffed(world: World) -> World:
    world.services.admin.create_agent("bea", "Bea Branch", role=Role.BRANCH)
    world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    return world


def allowed(operation: str, login: str) -> bool:
    return ROLE_OF[login] in PERMISSIONS[operation].roles


def refusal(operation: str) -> str:
    return f"may not use '{operation}'"


class Messages:
    """Every message a widget showed (a later one may replace it on screen before we look)."""

    def __init__(self, signal: object) -> None:
        self.shown: list[str] = []
        signal.connect(self.shown.append)  # type: ignore[attr-defined]

    def __call__(self) -> str:
        return "\n".join(self.shown)


class Audit:
    """What the audit log gained for one person since the last look."""

    def __init__(self, world: World, login: str) -> None:
        self._world, self._login = world, login
        self._seen = len(self._entries())

    def _entries(self) -> list[tuple[str, str, str]]:
        return [(e.action, e.entity, e.entity_id) for e in
                self._world.services.audit.list(AuditFilter(person=self._login), limit=10_000)]

    def new(self) -> list[tuple[str, str, str]]:
        entries = self._entries()
        fresh, self._seen = entries[self._seen:], len(entries)
        return fresh


def check(qtbot: QtBot, audit: Audit, login: str, operation: str, act: Callable[[], None],
          happened: Callable[[], bool], message: Callable[[], str],
          settled: Callable[[], bool] = lambda: True) -> None:
    """Runs ``act`` and checks the outcome and the audit entry against the matrix.

    Args:
        settled: when the window is done with an allowed action (the next may start).
    """
    audit.new()
    act()
    if allowed(operation, login):
        qtbot.waitUntil(lambda: happened() and settled(), timeout=10_000)
        rule = PERMISSIONS[operation]
        if rule.audit:
            qtbot.waitUntil(lambda: any(a == rule.audit and e == rule.entity
                                        for a, e, _i in audit.new()), timeout=10_000)
    else:
        qtbot.waitUntil(lambda: refusal(operation) in message(), timeout=10_000)
        assert not happened()
        assert all(action == "view" for action, _e, _i in audit.new())  # nothing but looks


@pytest.mark.parametrize("login", LOGINS)
def test_contact_actions_in_the_console(login: str, qtbot: QtBot, make_window: WindowFactory,
                                        staffed: World) -> None:
    sv, audit = staffed.services, Audit(staffed, login)
    window = make_window(login, ready=False)  # only emma works the queues; all may open a contact
    banner = Messages(window.banner.shown)
    first, second = staffed.contacts[0].id, staffed.contacts[2].id
    _show(qtbot, window, first, login, banner)
    if allowed("inbox.detail", login):
        qtbot.waitUntil(lambda: ("view", "contact", str(first)) in audit.new())

    check(qtbot, audit, login, "inbox.claim", window.commands.claim.trigger,
          lambda: sv.inbox.get(first).assignee_login == login, banner)
    for kind, command in ((MessageKind.OUTBOUND, window.commands.send_reply),
                          (MessageKind.NOTE, window.commands.add_note)):
        text = f"{kind.value} from {login}"
        operation = "inbox.reply" if kind is MessageKind.OUTBOUND else "inbox.add_note"
        window.conversation.composer.set_text(text)
        check(qtbot, audit, login, operation, command.trigger,
              lambda t=text: any(m.body == t for m in sv.inbox.detail(first).messages), banner,
              settled=lambda: window.conversation.composer.text() == "")
    in_dialog = lambda: window.flow.dialog.error.text() if window.flow.dialog else ""  # noqa: E731
    check(qtbot, audit, login, "inbox.resolve", lambda: _submit(window, window.commands.resolve,
                                                                ResolveRequest("solved", "Done.")),
          lambda: sv.inbox.get(first).status == ContactStatus.RESOLVED, in_dialog)
    if window.flow.dialog is not None:
        window.flow.dialog.reject()  # a refused form stays open, as for the agent

    _show(qtbot, window, second, login, banner)
    check(qtbot, audit, login, "inbox.claim", window.commands.claim.trigger,
          lambda: sv.inbox.get(second).assignee_login == login, banner)
    check(qtbot, audit, login, "inbox.transfer",
          lambda: _submit(window, window.commands.transfer, TransferRequest("Loans", None, "")),
          lambda: sv.inbox.get(second).queue_name == "Loans", in_dialog)


@pytest.mark.parametrize("login", LOGINS)
def test_identity_actions_in_the_console(login: str, qtbot: QtBot, make_window: WindowFactory,
                                         staffed: World) -> None:
    """Link to customer (its search, then the link) and Unlink, on a LINE contact."""
    sv, audit = staffed.services, Audit(staffed, login)
    contact = message_from(sv, add_messaging_account(sv))
    newcomer = sv.inbox.get(contact).customer_id
    window = make_window(login, ready=False)
    banner = Messages(window.banner.shown)
    _show(qtbot, window, contact, login, banner)
    if allowed("messaging.identity", login) and allowed("inbox.detail", login):
        qtbot.waitUntil(window.commands.link_customer.isEnabled)
    window.identity.link()  # what the action does
    dialog = window.identity.dialog
    assert dialog is not None
    dialog.query.setText("山田")
    check(qtbot, audit, login, "customers.find", dialog.search,
          lambda: dialog.model.rowCount() == 1, dialog.error.text)
    owner = lambda: sv.inbox.get(contact).customer_id  # noqa: E731
    check(qtbot, audit, login, "messaging.link_identity",
          lambda: dialog.submitted.emit(sv.customers.get(staffed.yamada)),
          lambda: owner() == staffed.yamada, banner,
          settled=lambda: window.conversation.header.name.text() == "山田 太郎")
    if window.identity.dialog is not None and shiboken6.isValid(window.identity.dialog):
        window.identity.dialog.reject()  # a refused link leaves the dialog open

    def unlink() -> None:
        window.identity.unlink()  # what the action does: ask first
        assert window.identity.confirm is not None
        window.identity.confirm.button(QMessageBox.StandardButton.Yes).click()

    check(qtbot, audit, login, "messaging.unlink_identity", unlink,
          lambda: owner() not in (staffed.yamada, newcomer), banner)


@pytest.mark.parametrize("login", LOGINS)
def test_saving_an_attachment_in_the_console(login: str, qtbot: QtBot, make_window: WindowFactory,
                                             staffed: World, db: Database, tmp_path: Path) -> None:
    contact = staffed.contacts[1].id
    inbound = next(m.id for m in staffed.services.inbox.detail(contact).messages
                   if m.kind is MessageKind.INBOUND)
    attachment = add_attachment(db, inbound, "report.pdf", "application/pdf", content=b"%PDF-1.7")
    window = make_window(login, ready=False)
    banner = Messages(window.banner.shown)
    _show(qtbot, window, contact, login, banner)
    if not allowed("inbox.detail", login):
        return  # no thread on screen, so no attachment to save (the refusal was checked)
    window.conversation.saver.ask_path = lambda name, then: then(tmp_path / name)
    check(qtbot, Audit(staffed, login), login, "inbox.attachment",
          lambda: window.conversation.save_attachment(attachment),
          (tmp_path / "report.pdf").exists, banner)


@pytest.mark.parametrize("login", LOGINS)
def test_click_to_dial_in_the_console(login: str, qtbot: QtBot, make_window: WindowFactory,
                                      staffed: World) -> None:
    sv, audit = staffed.services, Audit(staffed, login)
    with running_pbx() as pbx:
        sv.channels.add_cti("PBX", queue="Cards", token="pbx-secret", originate_url=pbx.url)
        sv.channels.set_extension("PBX", login, "201")
        window = make_window(login, ready=False)
        banner = Messages(window.banner.shown)
        _show(qtbot, window, staffed.contacts[0].id, login, banner)  # Alice: +1 415 555 2671
        header = window.conversation.header

        def call() -> None:
            if header.call_button.isVisible():
                header.call_button.click()
            else:  # no customer record on screen (the view was refused): as the button would
                header.call_requested.emit("+14155552671")

        check(qtbot, audit, login, "calls.dial", call, lambda: bool(pbx.requests), banner,
              settled=lambda: not window.dialer.busy)


def _show(qtbot: QtBot, window: MainWindow, contact_id: int, login: str,
          banner: Messages) -> None:
    window.open_contact(contact_id)
    if allowed("inbox.detail", login):
        qtbot.waitUntil(lambda: window.conversation.detail is not None
                        and window.conversation.detail.contact.id == contact_id)
    else:
        qtbot.waitUntil(lambda: window.conversation.contact_id == contact_id
                        and refusal("inbox.detail") in banner())


def _submit(window: MainWindow, command: object, request: object) -> None:
    """Opens the action's dialog and submits it as the OK button would."""
    command.trigger()  # type: ignore[attr-defined]
    dialog = window.flow.dialog
    assert dialog is not None
    dialog.submitted.emit(request)


@pytest.fixture
def jobs_for_boards() -> Iterator[Jobs]:
    jobs = Jobs()
    yield jobs
    jobs.shutdown()


@pytest.mark.parametrize("login", LOGINS)
def test_wallboard_actions(login: str, qtbot: QtBot, staffed: World, jobs_for_boards: Jobs,
                           tmp_path: Path) -> None:
    sv, jobs, audit = staffed.services, jobs_for_boards, Audit(staffed, login)
    feed = ChangeFeed(jobs, ChangeSource(sv.db), interval_ms=50)
    board = WallboardWindow(bench_for(sv, jobs, login), feed, refresh_ms=60_000)
    qtbot.addWidget(board)
    try:
        board.start()
        if allowed("monitor.snapshot", login):
            qtbot.waitUntil(lambda: board.data is not None)
        status = Messages(board.statusBar().messageChanged)
        check(qtbot, audit, login, "sla.configure_queue",
              lambda: board.set_queue_priority("Cards", 1),
              lambda: sv.sla.setup("Cards").priority == 1,
              status)
        out = tmp_path / "queues.csv"
        check(qtbot, audit, login, "audit.record_export", lambda: board.export_csv(board.queues, out),
              out.exists, status)
    finally:
        board.close()
        jobs.wait_idle()


@pytest.mark.parametrize("login", LOGINS)
def test_admin_actions(login: str, qtbot: QtBot, staffed: World, jobs_for_boards: Jobs) -> None:
    sv, jobs, audit = staffed.services, jobs_for_boards, Audit(staffed, login)
    window = AdminWindow(bench_for(sv, jobs, login))
    qtbot.addWidget(window)
    try:
        window.start()
        qtbot.waitUntil(lambda: jobs.pending == 0)  # the tabs' first loads (refused or not)
        queues, agents = window.queues, window.agents
        queues.new_name.setText("Complaints")
        check(qtbot, audit, login, "admin.create_queue", queues.create_queue,
              lambda: "Complaints" in {q.name for q in sv.agents.queues()}, _error(queues),
              settled=lambda: not queues.writing)
        agents.new_login.setText("newbie")
        agents.new_name.setText("New Agent")
        check(qtbot, audit, login, "admin.create_agent", agents.create_agent,
              lambda: "newbie" in {a.login for a in sv.agents.list()}, _error(agents),
              settled=lambda: not agents.writing)
        check(qtbot, audit, login, "staff.deactivate", lambda: agents.deactivate("kenji"),
              lambda: "kenji" not in {a.login for a in sv.agents.list()}, _error(agents),
              settled=lambda: not agents.writing)
        _channel_actions(qtbot, audit, login, staffed, window)
    finally:
        window.close()
        jobs.wait_idle()


def _channel_actions(qtbot: QtBot, audit: Audit, login: str, world: World,
                     window: AdminWindow) -> None:
    """The Channels tab's actions on accounts another admin set up (live on Cards, paused on Loans)."""
    sv, channels = world.services, window.channels
    names = lambda: {a.name for a in sv.channels.list()}  # noqa: E731
    for name, queue in (("live-one", "Cards"), ("paused-one", "Loans")):
        sv.channels.add_email(name, address=f"{name}@bank.example", queue=queue, password="pw",
                              imap_url="imaps://u@mail.bank.example/", smtp_url="smtps://mail.bank.example")
    sv.channels.disable("paused-one")
    idle = lambda: not channels.writing  # noqa: E731
    check(qtbot, audit, login, "channels.disable",
          lambda: channels.set_enabled("live-one", enabled=False),
          lambda: not sv.channels.show("live-one").enabled, _error(channels), settled=idle)
    check(qtbot, audit, login, "channels.enable",
          lambda: channels.set_enabled("paused-one", enabled=True),
          lambda: sv.channels.show("paused-one").enabled, _error(channels), settled=idle)
    check(qtbot, audit, login, "channels.remove", lambda: channels.remove("paused-one"),
          lambda: "paused-one" not in names(), _error(channels), settled=idle)
    dialog = channels.open_add_dialog()
    for edit, text in ((dialog.name, "new-one"), (dialog.address, "new@bank.example"),
                       (dialog.imap_url, "imaps://new@mail.bank.example/"),
                       (dialog.smtp_url, "smtps://mail.bank.example"), (dialog.password, "pw")):
        edit.setText(text)
    dialog.queue.setCurrentIndex(dialog.queue.findText("Cards"))  # free once live-one is paused
    check(qtbot, audit, login, "channels.add_email", dialog.ok.click, lambda: "new-one" in names(),
          dialog.error.text, settled=lambda: channels.dialog is None)
    if channels.dialog is not None:
        channels.dialog.reject()  # a refused form stays open


def _error(tab: QWidget) -> Callable[[], str]:
    label: QLabel = tab.error  # type: ignore[attr-defined]
    return label.text


BRANCH_FLOW = ("branch.lookup", "branch.card", "branch.verify_identity", "branch.unmask_account",
               "branch.book_appointment", "branch.record_complaint")
CARD = "4111111111111111"


@pytest.mark.parametrize("login", LOGINS)
def test_branch_counter_actions(login: str, qtbot: QtBot, staffed: World, db: Database,
                                jobs_for_boards: Jobs) -> None:
    """The counter's steps in order; each one the service audits itself, in its transaction."""
    sv, audit = staffed.services, Audit(staffed, login)
    with db.write() as s:
        s.execute(update(Customer).where(Customer.id == staffed.alice).values(
            date_of_birth=date(1984, 2, 29)))
        s.add(Account(customer_id=staffed.alice, product="card", number=CARD, last4=CARD[-4:]))
    pane = BranchLookupPane(door_for(sv, sv.agents.get(login), "BR-1"), jobs_for_boards)
    qtbot.addWidget(pane)
    audit.new()
    pane.query.setText("smith")
    pane.search()
    if not allowed("branch.lookup", login):
        qtbot.waitUntil(lambda: refusal("branch.lookup") in pane.error.text())
        pane.open_card(staffed.alice)  # straight to the card: refused too
        qtbot.waitUntil(lambda: refusal("branch.card") in pane.error.text())
        assert pane.card is None and pane.model.rowCount() == 0 and audit.new() == []
        return
    assert all(allowed(op, login) for op in BRANCH_FLOW)  # the desk's roles may do it all
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    pane.open_card(staffed.alice)
    qtbot.waitUntil(lambda: pane.card is not None and pane.account.count() == 1)
    pane.answer_dob.setText("1984-02-29")
    pane.answer_email.setText("alice.smith@example.com")
    pane.verify()
    qtbot.waitUntil(lambda: pane.error.text() == "Identity checked.")
    pane.unmask()
    qtbot.waitUntil(lambda: pane.full_number.text() == CARD)
    counter = pane.counter_actions
    counter.purpose.setText("Card replacement")
    counter.book()
    qtbot.waitUntil(lambda: pane.error.text() == "Appointment booked.")
    counter.complaint.setText("Card blocked twice")
    counter.complain()
    qtbot.waitUntil(lambda: pane.error.text() == "Complaint recorded.")
    actions = [a for a, _e, _i in audit.new()]
    assert actions[:4] == ["search", "view", "verify", "unmask"]
    assert actions.count("change") >= 2  # the appointment and the complaint
