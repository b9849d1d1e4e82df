"""The agent console window: inbox, conversation, and History/Scripts/KB docks.

The window wires panes together; each pane owns its model and talks to the
services only through the jobs helper. ``start()`` begins loading and the
one-second tick; ``closeEvent`` saves the layout and the drafts.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from datetime import datetime

from PySide6.QtCore import QByteArray, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QShowEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenuBar, QSplitter, QVBoxLayout, QWidget

from console.domain import AgentState, ChangeSet, ContactDetail, ContactRow
from console.errors import SwitchboardError
from console.sync.outbox import Outbox, ReplayReport
from ui.admin.launcher import AdminLauncher
from ui.agent import layout, screen_pop, sla_alerts
from ui.agent.actions import WindowActions
from ui.agent.agent_state import AgentStateTracker
from ui.agent.calls import CallTracker
from ui.agent.contact_flow import ContactFlow
from ui.agent.delivery_watch import DeliveryWatch
from ui.agent.dialer import Dialer
from ui.agent.directory import Directory, Reference
from ui.agent.drafts import Drafts
from ui.agent.identity_flow import IdentityFlow
from ui.agent.main_menus import build_menus, show_shortcuts
from ui.agent.offline import OfflineOutbox, outbox_path
from ui.agent.panes.conversation import ConversationPane
from ui.agent.panes.history_pane import HistoryPane
from ui.agent.panes.inbox_pane import InboxPane
from ui.agent.panes.kb_pane import KbPane
from ui.agent.panes.scripts_pane import ScriptsPane
from ui.agent.panes.thread_view import TAKE_BACK
from ui.agent.presence import PresenceTracker
from ui.agent.status_bar import AgentStatusBar
from ui.agent.typing import TypingNotice
from ui.branch.launcher import BranchLauncher
from ui.shell.change_feed import POLL_MS, ChangeFeed
from ui.shell.context import Workbench
from ui.shell.icons import icon
from ui.shell.jobs import Connection
from ui.shell.settings import UiSettings
from ui.supervisor.launcher import WallboardLauncher
from ui.widgets.banner import Banner

log = logging.getLogger(__name__)

TICK_MS = 1000
DOCK_SHARE = 0.25  # of the window, for History/Scripts/KB on first start
INBOX_SHARE = 0.57  # of what is left, for the inbox


class MainWindow(QMainWindow):
    """One agent's console.

    Args:
        bench: services, jobs, agent and clock.
        settings: the agent's UI settings (layout and drafts are kept there).
        poll_ms: how often the change feed looks for changes.

    Signals:
        first_page_shown(): the inbox's first page is in the model.
    """

    first_page_shown = Signal()

    def __init__(self, bench: Workbench, settings: UiSettings | None = None,
                 poll_ms: int = POLL_MS) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.bench = bench
        self.settings = settings or UiSettings(bench.agent.login)
        self.setWindowTitle(f"Switchboard — {bench.agent.name} ({bench.agent.login})")
        self.setWindowIcon(icon("switchboard"))
        self.commands = WindowActions(self)
        self.addActions(self.commands.all())
        self.drafts = Drafts(self.settings, self)
        self.directory = Directory(bench.jobs, bench.door, self)
        self.feed = ChangeFeed(bench.jobs, bench.door.changes, poll_ms, self)
        self.agent_state = AgentStateTracker(bench, self.feed, self)
        self.presence = PresenceTracker(bench, self)
        self.calls = CallTracker(bench, self)
        self.offline = OfflineOutbox(bench, Outbox(outbox_path(self.settings, bench.agent.login),
                                                   bench.clock), self)
        self.banner = Banner(self)
        self._build_panes()
        self.flow = ContactFlow(bench, self.conversation, self.drafts, self.banner,
                                self.directory, self.agent_state, self.feed, self)
        self.flow.outbox = self.offline
        self.identity = IdentityFlow(bench, self.conversation, self.banner, self.feed,
                                     self.commands.link_customer, self.commands.unlink_customer,
                                     self)
        self.typing = TypingNotice(bench, self.conversation, self)
        self.agent_state.outbox = self.offline
        self.deliveries = DeliveryWatch(bench, self)
        self.dialer = Dialer(bench, self.banner, self)
        self.status = AgentStatusBar(bench.agent, self)
        self.setStatusBar(self.status)
        self._handle_since: dict[int, datetime] = {}
        self.signed_out = False  # closed by "Sign out" rather than "Quit"
        self._first_page = False
        self.ticker = QTimer(self)
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self.tick)
        self.alerts = sla_alerts.attach(self)
        self._wire_actions()
        self._wire_panes()
        self._default_state = self.saveState(layout.STATE_VERSION)
        self._first_show = not layout.has_saved_layout(self.settings)
        self._inbox_view = layout.restore(self.settings, self, self.inbox.table.horizontalHeader(),
                                          self._splitters())

    # -- building --------------------------------------------------------
    def _build_panes(self) -> None:
        a = self.commands
        self.inbox = InboxPane(self.bench, self)
        self.conversation = ConversationPane(
            self.bench, self.drafts, a.send_reply, a.add_note,
            [a.get_next, a.claim, a.transfer, a.resolve], self)
        self.conversation.header.add_identity_actions(a.link_customer, a.unlink_customer)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.inbox)
        self.splitter.addWidget(self.conversation)
        self.splitter.setStretchFactor(0, 5)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setSizes([660, 520])
        self.setCentralWidget(self.splitter)
        top = QWidget(self)
        menus = QMenuBar(top)
        box = QVBoxLayout(top)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(menus)
        box.addWidget(self.banner)
        self.setMenuWidget(top)  # the banner spans the window under the menus
        self.history = HistoryPane(self.bench, self)
        self.scripts = ScriptsPane(self.bench, self)
        self.kb = KbPane(self.bench, self)
        self.docks = {name: self._dock(title, name, pane) for name, title, pane in (
            ("historyDock", "History", self.history), ("scriptsDock", "Scripts", self.scripts),
            ("kbDock", "Knowledge base", self.kb))}
        self.resizeDocks([self.docks["historyDock"]], [430], Qt.Orientation.Horizontal)
        build_menus(menus, self.commands, list(self.docks.values()))
        self.wallboard = WallboardLauncher(self.bench, self.feed, menus, self)
        self.branch = BranchLauncher(self.bench, menus, self)
        self.admin = AdminLauncher(self.bench, self.feed, menus, self)

    def _dock(self, title: str, name: str, pane: QWidget) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(pane)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        return dock

    def _splitters(self) -> dict[str, QSplitter]:
        return {"main": self.splitter, "conversation": self.conversation.splitter}

    def _wire_actions(self) -> None:
        """Connects every action to what it does."""
        a = self.commands
        for signal, slot in (
            (a.get_next.triggered, self.flow.get_next), (a.claim.triggered, self.flow.claim),
            (a.send_reply.triggered, self.flow.send_reply), (a.add_note.triggered, self.flow.add_note),
            (a.transfer.triggered, self.flow.transfer), (a.resolve.triggered, self.flow.resolve),
            (a.link_customer.triggered, self.identity.link),
            (a.unlink_customer.triggered, self.identity.unlink),
            (a.focus_reply.triggered, self.focus_reply), (a.focus_kb.triggered, self.focus_kb),
            (a.focus_inbox.triggered, self.inbox.focus), (a.refresh.triggered, self.inbox.model.refresh),
            (a.next_contact.triggered, lambda: self.inbox.move_selection(1)),
            (a.previous_contact.triggered, lambda: self.inbox.move_selection(-1)),
            (a.reset_layout.triggered, self.reset_layout), (a.quit.triggered, self.close),
            (a.sign_out.triggered, self.sign_out),
            (a.shortcuts.triggered, lambda: show_shortcuts(self, self.commands)),
        ):
            signal.connect(slot)
        for state, action in a.states.items():
            action.triggered.connect(lambda _c=False, s=state: self.agent_state.request(s))

    def _wire_panes(self) -> None:
        """Connects panes, the flow, the feed and the status bar to each other."""
        jobs = self.bench.jobs
        self.inbox.contact_selected.connect(self._inbox_selected)
        self.inbox.model.page_loaded.connect(self._page_loaded)
        self.conversation.detail_loaded.connect(self._detail_loaded)
        self.conversation.notice.connect(self.banner.info)
        self.history.contact_requested.connect(self.open_contact)
        self.scripts.insert_requested.connect(self.conversation.composer.insert)
        self.scripts.copied.connect(lambda _t: self.banner.info("Script copied to the clipboard."))
        self.kb.insert_requested.connect(self.conversation.composer.insert)
        for source in (self.inbox.model, self.history.model, self.conversation, self.scripts,
                       self.kb, self.agent_state):
            source.error.connect(self._problem)
        jobs.known_error.connect(self._problem)
        jobs.connection_changed.connect(self.status.set_connection)
        self.flow.row_changed.connect(self._row_changed)
        self.flow.applied.connect(self._own_changes)
        self.flow.open_requested.connect(self.open_contact)
        self.identity.applied.connect(self._identity_changed)
        self.feed.contacts_changed.connect(self._contacts_changed)
        self.feed.entities_changed.connect(self.conversation.entities_changed)
        self.feed.entities_changed.connect(self.deliveries.entities_changed)
        self.flow.replied.connect(self.deliveries.track)
        self.deliveries.undelivered.connect(self.banner.problem)
        self.feed.entities_changed.connect(self.directory.entities_changed)
        self.feed.entities_changed.connect(self.agent_state.entities_changed)
        self.feed.entities_changed.connect(self.presence.entities_changed)
        self.presence.others_changed.connect(self.conversation.presence.show_others)
        self.conversation.composer.text_edited.connect(self.presence.composing)
        self.conversation.composer.typed.connect(self.typing.typed)
        self.offline.changed.connect(self._show_kept)
        self.conversation.thread_view.anchorClicked.connect(self._thread_link)
        self.offline.replayed.connect(self._replayed)
        jobs.connection_changed.connect(self._connection_changed)
        self.directory.loaded.connect(self._reference_loaded)
        self.agent_state.changed.connect(self._state_changed)
        self.status.state_chosen.connect(self.agent_state.request)
        self.screen_pop = screen_pop.attach(self)

    # -- running ---------------------------------------------------------
    def start(self) -> None:
        """Starts the live updates, then loads the inbox, reference data and state.

        The loads wait for the change feed's starting point, so a colleague's
        change committed meanwhile is in the load or arrives through the feed.
        """
        self.feed.start(then=self._load)
        self.ticker.start()
        self.tick()

    def _load(self) -> None:
        self.directory.load()
        self.agent_state.load()
        self.inbox.start(self._inbox_view)
        self.calls.load()

    def tick(self) -> None:
        """Once a second: repaints timer cells and the status bar's timers."""
        self.inbox.model.tick()
        self.status.tick(self.bench.clock.now())
        sla_alerts.check(self)

    def open_contact(self, contact_id: int) -> None:
        """Shows a contact, selecting it in the inbox when it is listed there."""
        if not self.inbox.select_contact(contact_id):
            self._show_contact(contact_id, None)

    def _inbox_selected(self, contact_id: int | None) -> None:
        if contact_id is not None:  # a cleared selection (new filter) keeps the conversation
            row = self.inbox.model.row_of(contact_id)
            self._show_contact(contact_id, self.inbox.model.contact_at(row) if row is not None
                               else None)

    def _show_contact(self, contact_id: int, row: ContactRow | None) -> None:
        self.presence.watch(contact_id)  # first: the draft the composer restores counts as replying
        if contact_id != self.conversation.contact_id:
            self.identity.show_contact(None)
        self.conversation.open_contact(contact_id)
        self._show_kept()
        self.scripts.show_contact(contact_id)
        if row is not None:
            self.history.show_customer(row.customer_id)  # in parallel with the detail
        self._update_handle(row)

    def sign_out(self) -> None:
        """Closes this person's window; the application then asks who signs in next."""
        self.signed_out = True
        self.close()

    def _show_kept(self) -> None:
        self.conversation.show_kept(self.offline.entries_for(self.conversation.contact_id))

    def _thread_link(self, url: QUrl) -> None:
        """A refused outbox entry: its text goes back to the composer, the entry goes."""
        link = url.toString()
        if not link.startswith(TAKE_BACK):
            return
        key = link.removeprefix(TAKE_BACK)
        entry = next((e for e in self.offline.entries_for(self.conversation.contact_id)
                      if e.key == key), None)
        if entry is not None:
            self.conversation.composer.insert(entry.text)
            self.offline.discard(key)

    def _replayed(self, report: ReplayReport) -> None:
        sent = f"{report.applied} kept while offline sent." if report.applied else ""
        if report.failed:
            self.banner.problem(f"{sent} {report.failed} could not be sent; their text is shown "
                                "in the conversation.".strip())
        else:
            self.banner.info(sent)

    def _connection_changed(self, state: str) -> None:
        if state == Connection.OFFLINE.value:
            self.banner.problem("The shared database cannot be reached. Keep working: what you "
                                "send is kept on this computer and sent when it is back.")

    def _detail_loaded(self, detail: ContactDetail) -> None:
        self.history.show_customer(detail.customer.id if detail.customer else None)
        self._update_handle(detail.contact)
        self._update_actions(detail.contact)
        self.identity.show_contact(detail)

    def _row_changed(self, row: ContactRow) -> None:
        self.inbox.model.apply_rows([row])
        if row.id == self.conversation.contact_id:
            self._update_handle(row)
            self._update_actions(row)

    def _update_handle(self, row: ContactRow | None) -> None:
        """Handle time runs from when this agent first had the contact in hand here."""
        if row is None:
            return
        mine = row.assignee_login == self.bench.agent.login and row.status.is_active
        if mine:
            self._handle_since.setdefault(row.id, self.bench.clock.now())
        else:
            self._handle_since.pop(row.id, None)
        if row.id == self.conversation.contact_id:
            self.status.set_handle_start(self._handle_since.get(row.id))
            self.status.tick(self.bench.clock.now())

    def _update_actions(self, row: ContactRow) -> None:
        active = row.status.is_active
        self.commands.claim.setEnabled(active and row.assignee_login != self.bench.agent.login)
        self.commands.transfer.setEnabled(active)
        self.commands.resolve.setEnabled(active)

    def _own_changes(self, changes: ChangeSet) -> None:
        """The window applied its own write; the customer's timeline has a new entry to show."""
        if self.conversation.contact_id in changes.contact_ids:
            self.history.reload()

    def _identity_changed(self, changes: ChangeSet) -> None:
        """A sender was linked or split off here: its contacts now show another customer."""
        moved = changes.contact_ids
        self.inbox.model.contacts_changed(moved)
        contact_id = self.conversation.contact_id
        if contact_id in moved:
            self.conversation.reload()  # its detail brings the customer's history along
            self.scripts.show_contact(contact_id)  # greetings name the customer

    def _contacts_changed(self, ids: Collection[int]) -> None:
        self.inbox.model.contacts_changed(ids)
        self.conversation.contacts_changed(ids)
        if self.conversation.contact_id in ids:
            self.history.reload()

    def _page_loaded(self, _rows: int) -> None:
        if not self._first_page:
            self._first_page = True
            self.first_page_shown.emit()

    def _reference_loaded(self, reference: Reference) -> None:
        self.inbox.model.warning_ratios = reference.warning_ratios
        self.inbox.model.tick()

    def _state_changed(self, now: object) -> None:
        self.status.show_state(now)  # type: ignore[arg-type]
        for state, action in self.commands.states.items():
            action.setChecked(state == getattr(now, "state", None))
        self.status.tick(self.bench.clock.now())

    def _problem(self, exc: SwitchboardError) -> None:
        self.banner.problem(exc.message)

    # -- focus and layout ------------------------------------------------
    def focus_reply(self) -> None:
        self.conversation.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_kb(self) -> None:
        dock = self.docks["kbDock"]
        dock.show()
        dock.raise_()
        self.kb.focus_search()

    def reset_layout(self) -> None:
        self.restoreState(QByteArray(self._default_state), layout.STATE_VERSION)
        for dock in self.docks.values():
            dock.show()

    @property
    def first_start(self) -> bool:
        """True until the window is first shown for an agent with no saved layout."""
        return self._first_show

    def fit_to_screen(self, share: float = 0.92) -> None:
        """Most of the screen, centred (an agent's first start; later starts restore theirs)."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        if screen is None:
            return
        area = screen.availableGeometry()
        width, height = int(area.width() * share), int(area.height() * share)
        self.resize(width, height)
        self.move(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2)

    def showEvent(self, event: QShowEvent) -> None:
        """On an agent's very first start, shares the width out in proportion to the screen."""
        super().showEvent(event)
        if self._first_show:
            self._first_show = False
            width = self.width()
            self.resizeDocks([self.docks["historyDock"]], [int(width * DOCK_SHARE)],
                             Qt.Orientation.Horizontal)
            central = self.splitter.width()
            self.splitter.setSizes([int(central * INBOX_SHARE), central - int(central * INBOX_SHARE)])

    def closeEvent(self, event: QCloseEvent) -> None:
        """Saves layout and drafts, and stops the timers; pending writes still finish."""
        self.ticker.stop()
        self.feed.stop()
        self.presence.stop()
        self.offline.stop()
        self.branch.close()
        self.admin.close()
        self.kb.debounce.stop()
        self.drafts.flush()
        layout.save(self.settings, self, self.inbox.table.horizontalHeader(), self._splitters(),
                    self.inbox.view_state)
        super().closeEvent(event)

    @property
    def state(self) -> AgentState:
        return self.agent_state.current.state
