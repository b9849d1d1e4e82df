"""The Channels tab: the e-mail accounts the gateway takes mail in from and sends replies through.

An admin adds an account (its password goes to the OS keyring or an owner-only
file of this machine's user, or stays in an environment variable of the
gateway), pauses and resumes it, or removes it once no reply waits to be sent
through it. The table shows what the gateway last reported; the panel under
it, the selected account in full, its last error included.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import Written
from console.domain.channel_accounts import ChannelAccountInfo, ChannelKind
from console.security.guard import Door
from ui.admin.channel_details import ChannelDetails
from ui.admin.channel_dialog import AddEmailDialog, EmailAccountRequest
from ui.admin.common import AdminTab, select_key, selected_key, table_view
from ui.admin.models import LAST_ERROR, ChannelsModel, channel_columns
from ui.shell.context import Workbench

# Columns whose values may be long take what they need up to this width (the rest
# shows in the tooltip and the details panel), so the last error keeps its room.
CAPPED = {"Name": 160, "Address": 210, "Gateway": 160}


class ChannelsTab(AdminTab):
    """Channel accounts (see the module docstring).

    Args:
        guarded: the services as the signed-in admin may use them.
        bench: the jobs helper, and the clock and time zone the times read in.
        parent: the owning widget.
    """

    def __init__(self, guarded: Door, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(guarded, bench.jobs, parent)
        self.setObjectName("adminChannels")
        self.model = ChannelsModel(bench.clock, bench.tz, self)
        headers = [c.header for c in channel_columns(bench.clock, bench.tz)]
        self.view = table_view(self.model, "adminChannelTable", self,
                               stretch=headers.index(LAST_ERROR))
        self._error_column = headers.index(LAST_ERROR)
        self._capped = {headers.index(h): width for h, width in CAPPED.items()}
        header = self.view.horizontalHeader()
        for column in range(len(headers)):
            if column != self._error_column:
                header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        header.sortIndicatorChanged.connect(self._fit_columns)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.queue_names: list[str] = []
        self.dialog: AddEmailDialog | None = None
        self.confirm: QMessageBox | None = None
        self._select_next: str | None = None
        box = QVBoxLayout(self)
        box.addWidget(self.view, 1)
        box.addWidget(self.error)
        lower = QHBoxLayout()
        self.details = ChannelDetails(bench, self)
        lower.addWidget(self.details, 1)
        lower.addLayout(self._build_actions())
        box.addLayout(lower)
        self._selection_changed()

    # -- building --------------------------------------------------------
    def _build_actions(self) -> QVBoxLayout:
        self.add_button = QPushButton("Add e-&mail account…", self)
        self.add_button.setObjectName("primaryButton")
        self.add_button.clicked.connect(self.open_add_dialog)
        self.enable_button = QPushButton("&Disable", self)
        self.enable_button.clicked.connect(self.toggle_enabled)
        self.remove_button = QPushButton("&Remove…", self)
        self.remove_button.clicked.connect(self.ask_remove)
        column = QVBoxLayout()
        for button in (self.add_button, self.enable_button, self.remove_button):
            column.addWidget(button)
        column.addStretch(1)
        return column

    # -- loading ---------------------------------------------------------
    def refresh(self) -> None:
        g = self.guarded
        self.read(lambda: (g.channels.list(), [q.name for q in g.agents.queues()]), self._loaded)

    def _loaded(self, data: tuple[list[ChannelAccountInfo], list[str]]) -> None:
        accounts, self.queue_names = data
        chosen, self._select_next = self._select_next or selected_key(self.view), None
        self.model.set_rows(accounts)
        self._fit_columns()
        if chosen is not None:
            select_key(self.view, chosen)
        self._selection_changed()
        self.loaded.emit()

    def _fit_columns(self) -> None:
        """Each column as wide as its values and header, the sort arrow's room only where it is.

        Sized to contents, eleven headers would each keep room for an arrow that
        only one shows, leaving the last error no room at 1200 px.
        """
        header = self.view.horizontalHeader()
        header.setSortIndicatorShown(False)
        bare = [header.sectionSizeHint(c) for c in range(header.count())]
        header.setSortIndicatorShown(True)
        arrow = max(0, header.sectionSizeHint(0) - bare[0])
        for column in range(header.count()):
            if column == self._error_column:
                continue
            own = bare[column] + (arrow if column == header.sortIndicatorSection() else 0)
            want = max(own, self.view.sizeHintForColumn(column))
            self.view.setColumnWidth(column, min(want, self._capped.get(column, want)))

    def accounts(self) -> list[ChannelAccountInfo]:
        return [row for n in range(self.model.rowCount()) if (row := self.model.row(n))]

    def selected(self) -> ChannelAccountInfo | None:
        name = selected_key(self.view)
        return next((a for a in self.accounts() if a.name == name), None)

    def _selection_changed(self, *_: QItemSelection) -> None:
        account = self.selected()
        self.enable_button.setEnabled(account is not None)
        self.remove_button.setEnabled(account is not None)
        self.enable_button.setText("&Enable" if account and not account.enabled else "&Disable")
        self.details.show_account(account)

    # -- adding ----------------------------------------------------------
    def open_add_dialog(self) -> AddEmailDialog:
        """Opens the "Add e-mail account" dialog (one at a time), on a queue that has none."""
        if self.dialog is None:
            taken = {a.queue for a in self.accounts() if a.enabled and a.kind is ChannelKind.EMAIL}
            free = next((q for q in self.queue_names if q not in taken), None)
            dialog = AddEmailDialog(self.queue_names, free, self)
            dialog.submitted.connect(self.add)
            dialog.finished.connect(self._dialog_closed)
            self.dialog = dialog
        self.dialog.open()
        return self.dialog

    def _dialog_closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def add(self, request: EmailAccountRequest) -> None:
        """Adds the account the dialog describes; a refusal shows in the dialog."""
        dialog, g = self.dialog, self.guarded
        if dialog is None:
            return
        if not self.write(lambda: g.channels.add_email(
                request.name, address=request.address, imap_url=request.imap_url,
                smtp_url=request.smtp_url, queue=request.queue, password=request.password,
                password_env=request.password_env, from_name=request.from_name),
                self._added, refused=dialog.show_error):
            dialog.set_busy(False)  # an earlier change is still on its way: try again

    def _added(self, written: Written[ChannelAccountInfo]) -> str:
        account = written.value
        self._select_next = account.name
        if self.dialog is not None:
            self.dialog.accept()
        return (f"E-mail account {account.name} added for queue {account.queue}; "
                f"password: {account.secret}.")

    # -- pausing and removing --------------------------------------------
    def toggle_enabled(self) -> None:
        """Pauses the selected account, or resumes a paused one."""
        account = self.selected()
        if account is not None:
            self.set_enabled(account.name, enabled=not account.enabled)

    def set_enabled(self, name: str, *, enabled: bool) -> None:
        g = self.guarded
        if enabled:
            self.write(lambda: g.channels.enable(name), lambda _w: f"{name} is enabled again.")
        else:
            self.write(lambda: g.channels.disable(name),
                       lambda _w: f"{name} is paused: no polling or sending; queued replies wait.")

    def ask_remove(self) -> None:
        """Asks before removing the selected account (its password is forgotten too)."""
        account = self.selected()
        if account is None:
            return
        waiting = account.status.queued
        box = QMessageBox(
            QMessageBox.Icon.Question, "Remove channel account",
            f"Remove {account.name} ({account.address}, queue {account.queue})? The gateway "
            "stops taking mail in from it and its password is forgotten.\n\n"
            "Removal is refused while replies are queued or being sent through it "
            f"({waiting} now): enable it and let them go, or wait for them to fail.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.button(QMessageBox.StandardButton.Yes).setText("Remove")
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(
            lambda: self.remove(account.name))
        box.finished.connect(box.deleteLater)
        self.confirm = box
        box.open()

    def remove(self, name: str) -> None:
        g = self.guarded
        self.write(lambda: g.channels.remove(name), lambda _w: f"{name} is removed.")
