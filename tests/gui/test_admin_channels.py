"""The administration window's Channels tab: e-mail accounts added, paused and removed, as an admin."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QLabel,
    QLineEdit,
    QMenuBar,
    QMessageBox,
    QTabBar,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from console.app import Services
from console.clock import ManualClock
from console.domain import Role
from console.domain.audit import AuditFilter
from console.sync.follow import ChangeSource
from tests.conftest import MemoryKeyring
from tests.factories import World
from tests.gui.benches import bench_for
from ui.admin.channel_dialog import RETYPE_HINT, AddEmailDialog
from ui.admin.channels_tab import ChannelsTab
from ui.admin.common import select_key
from ui.admin.launcher import AdminLauncher
from ui.admin.window import AdminWindow
from ui.shell import palette
from ui.shell.change_feed import ChangeFeed
from ui.shell.jobs import Jobs

pytestmark = pytest.mark.gui

PASSWORD = "mailbox-S3cret-パスワード"
IMAP, SMTP = "imaps://cards%40bank.example@mail.bank.example/INBOX", "smtps://mail.bank.example:465"
COLUMNS = ("Name", "Kind", "Address", "Queue", "Enabled", "Password", "Last poll", "Last error",
           "Queued", "Failed", "Gateway")


def _add(sv: Services, name: str = "cards-mail", queue: str = "Cards", **kw: str) -> int:
    options = {"address": f"{name}@bank.example", "imap_url": IMAP, "smtp_url": SMTP} | kw
    return sv.channels.add_email(name, queue=queue, password=PASSWORD, **options).value.id


def _open(qtbot: QtBot, world: World, jobs: Jobs, feed: ChangeFeed | None = None,
          login: str = "root") -> AdminWindow:
    window = AdminWindow(bench_for(world.services, jobs, login), feed)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.tabs.setCurrentWidget(window.channels)
    window.start()
    window.show()
    return window


@pytest.fixture
def admin(qtbot: QtBot, world: World, jobs: Jobs) -> Iterator[AdminWindow]:
    world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    window = _open(qtbot, world, jobs)
    qtbot.waitUntil(lambda: jobs.pending == 0 and window.channels.queue_names != [], timeout=5000)
    yield window
    window.close()
    jobs.wait_idle()


def _row(tab: ChannelsTab, name: str) -> dict[str, str]:
    model = tab.view.model()
    rows = [r for r in range(model.rowCount()) if model.index(r, 0).data() == name]
    assert rows, f"no row {name!r}"
    return {h: str(model.index(rows[0], c).data()) for c, h in enumerate(COLUMNS)}


def _names(tab: ChannelsTab) -> set[str]:
    return {a.name for a in tab.accounts()}


def _reload(qtbot: QtBot, tab: ChannelsTab) -> None:
    with qtbot.waitSignal(tab.loaded, timeout=5000):
        tab.refresh()


def _fill(dialog: AddEmailDialog, qtbot: QtBot, *, imap: str = IMAP, queue: str = "Cards") -> None:
    for edit, text in ((dialog.name, "cards-mail"), (dialog.address, "cards@bank.example"),
                       (dialog.imap_url, imap), (dialog.smtp_url, SMTP),
                       (dialog.from_name, "Bank cards team"), (dialog.password, PASSWORD)):
        edit.clear()
        if text.isascii():
            qtbot.keyClicks(edit, text)
        else:  # QTest types Latin-1 only
            edit.insert(text)
    dialog.queue.setCurrentIndex(dialog.queue.findText(queue))


def test_the_model_passes_the_model_tester(admin: AdminWindow, world: World, qtbot: QtBot,
                                           qtmodeltester: ModelTester) -> None:
    tab = admin.channels
    qtmodeltester.check(tab.model)
    _add(world.services)
    _add(world.services, "loans-mail", "Loans")
    _reload(qtbot, tab)
    assert tab.model.rowCount() == 2
    qtmodeltester.check(tab.model)
    world.services.channels.disable("loans-mail")
    _reload(qtbot, tab)
    qtmodeltester.check(tab.model)


def test_add_an_account_through_the_dialog_and_see_it_in_the_table(
        admin: AdminWindow, world: World, qtbot: QtBot, memory_keyring: MemoryKeyring,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tab = admin.channels
    tab.add_button.click()
    dialog = tab.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.queue.currentText() == "Cards"  # the first queue without an e-mail account
    _fill(dialog, qtbot)
    qtbot.keyClick(dialog.smtp_url, Qt.Key.Key_Return)  # Enter submits the form
    qtbot.waitUntil(lambda: tab.dialog is None and "cards-mail" in _names(tab), timeout=5000)
    row = _row(tab, "cards-mail")
    assert row == {"Name": "cards-mail", "Kind": "E-mail", "Address": "cards@bank.example",
                   "Queue": "Cards", "Enabled": "Yes", "Password": "OS keyring",
                   "Last poll": "never", "Last error": "", "Queued": "0", "Failed": "0",
                   "Gateway": ""}
    assert tab.selected() is not None and tab.selected().name == "cards-mail"  # type: ignore[union-attr]
    assert tab.details.lines["From name"].text() == "Bank cards team"
    assert "cards-mail added for queue Cards" in admin.banner.text
    assert list(memory_keyring.store.values()) == [PASSWORD]
    last = world.services.audit.list(AuditFilter(person="root"))[-1]
    assert (last.action, last.entity, last.entity_id) == ("change", "channel", "cards-mail")
    # The password went to the keyring and nowhere else: no widget holds it, no log line has it.
    texts = [w.text() for w in admin.findChildren(QLineEdit) + admin.findChildren(QLabel)]
    assert not any(PASSWORD in t for t in texts)
    assert not any(PASSWORD in r.getMessage() for r in caplog.records)


def test_a_bad_url_shows_the_reason_and_keeps_what_was_typed(admin: AdminWindow, world: World,
                                                             qtbot: QtBot) -> None:
    tab = admin.channels
    dialog = tab.open_add_dialog()
    _fill(dialog, qtbot, imap="imaps://mail.bank.example/INBOX")  # no user to sign in as
    dialog.ok.click()
    beside = dialog.field_errors[dialog.imap_url]
    qtbot.waitUntil(beside.isVisible, timeout=5000)
    assert beside.text().startswith("The IMAP URL needs the user to sign in as")
    assert tab.dialog is dialog and dialog.isVisible() and dialog.ok.isEnabled()
    layout = dialog.layout()
    assert dialog.height() >= layout.totalHeightForWidth(dialog.width())  # no row squeezed
    assert not dialog.error.isVisible() and not tab.error.isVisible()
    assert (dialog.name.text(), dialog.address.text(), dialog.imap_url.text(),
            dialog.smtp_url.text(), dialog.from_name.text()) == (
        "cards-mail", "cards@bank.example", "imaps://mail.bank.example/INBOX", SMTP,
        "Bank cards team")
    assert dialog.password.text() == "" and dialog.password.placeholderText() == RETYPE_HINT
    assert world.services.channels.list() == []

    dialog.imap_url.setText(IMAP)
    dialog.password.setText(PASSWORD)
    dialog.ok.click()
    qtbot.waitUntil(lambda: tab.dialog is None and "cards-mail" in _names(tab), timeout=5000)


def test_a_refusal_about_no_one_field_shows_in_the_dialog(admin: AdminWindow, world: World,
                                                          qtbot: QtBot) -> None:
    _add(world.services)
    tab = admin.channels
    _reload(qtbot, tab)
    dialog = tab.open_add_dialog()
    assert dialog.queue.currentText() == "Loans"  # Cards has its e-mail account
    _fill(dialog, qtbot, queue="Loans")  # ... but the name is cards-mail's
    dialog.ok.click()
    qtbot.waitUntil(dialog.error.isVisible, timeout=5000)
    assert "already a channel account named 'cards-mail'" in dialog.error.text()
    assert not any(label.isVisible() for label in dialog.field_errors.values())
    dialog.name.setText("loans-mail")
    dialog.use_env.setChecked(True)
    assert not dialog.password.isEnabled() and dialog.env_name.isEnabled()
    dialog.env_name.setText("LOANS MAIL")
    dialog.ok.click()
    beside = dialog.field_errors[dialog.env_name]
    qtbot.waitUntil(beside.isVisible, timeout=5000)
    assert "is not a secret reference" in beside.text() and not dialog.error.isVisible()
    dialog.env_name.setText("LOANS_MAIL_PASSWORD")
    dialog.ok.click()
    qtbot.waitUntil(lambda: tab.dialog is None and "loans-mail" in _names(tab), timeout=5000)
    assert _row(tab, "loans-mail")["Password"] == "Environment"
    select_key(tab.view, "loans-mail")
    assert tab.details.lines["Password"].text() == "environment variable LOANS_MAIL_PASSWORD of the gateway"
    assert world.services.channels.show("loans-mail").secret_ref == "env:LOANS_MAIL_PASSWORD"


def test_escape_closes_the_dialog_and_adds_nothing(admin: AdminWindow, world: World,
                                                  qtbot: QtBot) -> None:
    tab = admin.channels
    dialog = tab.open_add_dialog()
    _fill(dialog, qtbot)
    qtbot.keyClick(dialog.name, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: tab.dialog is None, timeout=5000)
    assert world.services.channels.list() == []


def _mnemonics(widgets: list[QWidget]) -> list[str]:
    found = []
    for widget in widgets:
        if widget.isVisibleTo(widget.window()) and isinstance(widget, QAbstractButton | QLabel):
            found += [m.lower() for m in re.findall(r"&([^&])", widget.text())]
    return found


def test_every_control_has_its_own_mnemonic(admin: AdminWindow, qtbot: QtBot) -> None:
    tab = admin.channels
    bar = admin.tabs.findChild(QTabBar)
    assert bar is not None
    tabs = [m.lower() for i in range(bar.count()) for m in re.findall(r"&([^&])", bar.tabText(i))]
    window = tabs + _mnemonics(tab.findChildren(QWidget))
    assert {"c", "m", "d", "r"} <= set(window) and len(window) == len(set(window))
    dialog = tab.open_add_dialog()
    inside = _mnemonics(dialog.findChildren(QWidget))
    assert len(inside) >= 8 and len(inside) == len(set(inside))
    dialog.reject()
    admin.tabs.setCurrentWidget(admin.agents)
    qtbot.keyClick(admin, Qt.Key.Key_C, Qt.KeyboardModifier.AltModifier)
    assert admin.tabs.currentWidget() is tab


def test_disable_and_enable_update_the_row(admin: AdminWindow, world: World, qtbot: QtBot) -> None:
    _add(world.services)
    tab = admin.channels
    _reload(qtbot, tab)
    assert not tab.enable_button.isEnabled()
    assert select_key(tab.view, "cards-mail")
    assert tab.enable_button.text() == "&Disable" and tab.enable_button.isEnabled()
    tab.enable_button.click()
    qtbot.waitUntil(lambda: _row(tab, "cards-mail")["Enabled"] == "Paused", timeout=5000)
    assert not world.services.channels.show("cards-mail").enabled
    assert tab.enable_button.text() == "&Enable" and "paused" in tab.details.lines["Account"].text()
    assert "cards-mail is paused" in admin.banner.text
    tab.enable_button.click()
    qtbot.waitUntil(lambda: _row(tab, "cards-mail")["Enabled"] == "Yes", timeout=5000)
    assert world.services.channels.show("cards-mail").enabled
    tab.enable_button.click()
    qtbot.waitUntil(lambda: _row(tab, "cards-mail")["Enabled"] == "Paused", timeout=5000)
    _add(world.services, "cards-new")  # Cards is free while the first one is paused
    _reload(qtbot, tab)
    tab.enable_button.click()  # two enabled accounts on one queue: refused, shown under the table
    qtbot.waitUntil(tab.error.isVisible, timeout=5000)
    assert "already has the enabled e-mail account 'cards-new'" in tab.error.text()
    assert _row(tab, "cards-mail")["Enabled"] == "Paused"


def test_remove_asks_first_and_is_refused_while_a_reply_waits(
        admin: AdminWindow, world: World, qtbot: QtBot, memory_keyring: MemoryKeyring) -> None:
    sv, tab = world.services, admin.channels
    _add(sv)
    _add(sv, "loans-mail", "Loans")
    sv.inbox.reply(world.contacts[1].id, "kenji", "金利は年1.2%です。")  # an e-mail contact on Loans
    _reload(qtbot, tab)
    assert _row(tab, "loans-mail")["Queued"] == "1"
    select_key(tab.view, "loans-mail")
    tab.remove_button.click()
    assert isinstance(tab.confirm, QMessageBox) and tab.confirm.isVisible()
    assert "refused while replies are queued or being sent through it (1 now)" in tab.confirm.text()
    tab.confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(tab.error.isVisible, timeout=5000)
    assert "1 reply is still waiting to be sent through 'loans-mail'" in tab.error.text()
    assert _names(tab) == {"cards-mail", "loans-mail"}

    select_key(tab.view, "cards-mail")
    tab.remove_button.click()
    tab.confirm.button(QMessageBox.StandardButton.Cancel).click()
    assert _names(tab) == {"cards-mail", "loans-mail"} and sv.channels.show("cards-mail").enabled
    tab.remove_button.click()
    tab.confirm.button(QMessageBox.StandardButton.Yes).click()
    qtbot.waitUntil(lambda: _names(tab) == {"loans-mail"}, timeout=5000)
    assert [a.name for a in sv.channels.list()] == ["loans-mail"]
    assert len(memory_keyring.store) == 1  # the removed account's password is forgotten
    assert tab.selected() is None and not tab.remove_button.isEnabled()


def test_the_gateways_report_with_the_whole_last_error(admin: AdminWindow, world: World,
                                                        qtbot: QtBot, clock: ManualClock) -> None:
    sv, tab = world.services, admin.channels
    account = _add(sv)
    sv.mailboxes.acquire_lease(account, "gw-osaka", ttl=timedelta(seconds=30))
    sv.mailboxes.record_poll(account, "gw-osaka", error="LOGIN failed: bad\ncredentials for cards")
    _reload(qtbot, tab)
    row = _row(tab, "cards-mail")
    # The small world's clock stands at 01:32 UTC: 10:32 at the site (Tokyo).
    assert (row["Last poll"], row["Last error"], row["Gateway"]) == (
        "10:32", "LOGIN failed: bad", "gw-osaka")
    cell = tab.view.model().index(0, COLUMNS.index("Last error"))
    assert cell.data(Qt.ItemDataRole.ToolTipRole) == "LOGIN failed: bad\ncredentials for cards"
    assert cell.data(Qt.ItemDataRole.ForegroundRole).name() == palette.URGENT_FG
    select_key(tab.view, "cards-mail")
    assert tab.details.last_error.toPlainText() == "10:32:00 — LOGIN failed: bad\ncredentials for cards"
    assert tab.details.lines["Gateway"].text() == "gw-osaka, lease until 10:32:30"

    clock.advance(timedelta(seconds=20))
    sv.mailboxes.record_poll(account, "gw-osaka")  # the next poll goes through
    _reload(qtbot, tab)
    cell = tab.view.model().index(0, COLUMNS.index("Last error"))
    assert cell.data(Qt.ItemDataRole.ForegroundRole).name() == palette.MUTED
    assert tab.details.last_error.toPlainText().endswith("(A later poll went through.)")
    clock.advance(timedelta(minutes=5))  # the gateway stopped renewing its lease
    _reload(qtbot, tab)
    assert _row(tab, "cards-mail")["Gateway"] == "gw-osaka (lapsed)"
    clock.advance(timedelta(days=1))
    _reload(qtbot, tab)
    assert _row(tab, "cards-mail")["Last poll"] == "20 Nov 10:32"
    assert tab.details.lines["Last poll"].text() == "2026-11-20 10:32:20"


def _header_fits(tab: ChannelsTab) -> None:
    header = tab.view.horizontalHeader()
    for column, title in enumerate(COLUMNS):
        if column == header.sortIndicatorSection():
            assert header.sectionSize(column) >= header.sectionSizeHint(column), title
        else:
            assert header.sectionSize(column) > header.fontMetrics().horizontalAdvance(title), title


def test_nothing_is_cut_off_at_1280_by_800(admin: AdminWindow, world: World, qtbot: QtBot) -> None:
    sv, tab = world.services, admin.channels
    account = _add(sv, "cards-mail-osaka-branch", address="customer.service.cards@osaka.bank.example")
    _add(sv, "loans-mail", "Loans")
    sv.mailboxes.acquire_lease(account, "gateway-osaka-01.bank.example", ttl=timedelta(seconds=30))
    sv.mailboxes.record_poll(account, "gateway-osaka-01.bank.example",
                             error="IMAP LOGIN failed: [AUTHENTICATIONFAILED] Invalid credentials "
                                   "(Failure) and a long explanation from the server " * 3)
    _reload(qtbot, tab)
    select_key(tab.view, "cards-mail-osaka-branch")
    assert tab.view.horizontalScrollBar().maximum() == 0  # every column on screen
    assert tab.view.columnWidth(COLUMNS.index("Last error")) >= 200  # room to read the error
    _header_fits(tab)
    tab.view.sortByColumn(COLUMNS.index("Queued"), Qt.SortOrder.DescendingOrder)
    _header_fits(tab)  # the sort arrow's room moved with it
    assert tab.view.horizontalScrollBar().maximum() == 0
    for button in (tab.add_button, tab.enable_button, tab.remove_button):
        assert button.width() >= button.sizeHint().width()
    for line in tab.details.lines.values():
        assert line.height() >= line.minimumSizeHint().height() and line.width() >= 150
    assert tab.view.height() >= 150


def test_changes_made_elsewhere_arrive_through_the_change_feed(qtbot: QtBot, world: World,
                                                               jobs: Jobs) -> None:
    sv = world.services
    sv.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    feed = ChangeFeed(jobs, ChangeSource(sv.db), interval_ms=50)
    window = _open(qtbot, world, jobs, feed)
    tab = window.channels
    feed.start()
    qtbot.waitUntil(lambda: tab.queue_names != [] and feed.last_seq is not None, timeout=5000)
    account = _add(sv, "loans-mail", "Loans")  # as another workstation would
    qtbot.waitUntil(lambda: _names(tab) == {"loans-mail"}, timeout=5000)
    sv.channels.disable("loans-mail")
    qtbot.waitUntil(lambda: _row(tab, "loans-mail")["Enabled"] == "Paused", timeout=5000)
    sv.channels.enable("loans-mail")
    sv.mailboxes.acquire_lease(account, "gw-1", ttl=timedelta(seconds=30))
    sv.mailboxes.record_poll(account, "gw-1", error="connection refused")
    qtbot.waitUntil(lambda: "connection refused" in _row(tab, "loans-mail")["Last error"],
                    timeout=5000)
    sv.inbox.reply(world.contacts[1].id, "kenji", "ご連絡ありがとうございます。")  # a delivery job
    qtbot.waitUntil(lambda: _row(tab, "loans-mail")["Queued"] == "1", timeout=5000)
    sv.admin.create_queue("Insurance")
    qtbot.waitUntil(lambda: "Insurance" in tab.queue_names, timeout=5000)
    feed.stop()
    window.close()
    jobs.wait_idle()


def test_a_non_admin_has_no_way_in_and_sees_nothing(qtbot: QtBot, world: World,
                                                    jobs: Jobs) -> None:
    sv = world.services
    _add(sv)
    owner = QWidget()
    qtbot.addWidget(owner)
    bar = QMenuBar(owner)
    AdminLauncher(bench_for(sv, jobs, "sara"), ChangeFeed(jobs, ChangeSource(sv.db), parent=owner),
                  bar, owner)
    assert bar.actions() == []  # the window's gate: no Admin menu for a supervisor
    window = _open(qtbot, world, jobs, login="sara")  # and were it opened anyway
    tab = window.channels
    qtbot.waitUntil(lambda: "may not use 'channels.list'" in tab.error.text(), timeout=5000)
    assert tab.model.rowCount() == 0
    window.close()
    jobs.wait_idle()
