"""The Agents tab: staff accounts with their role, team, queues and sign-in state.

An admin creates accounts, changes a role, lifts a lockout, sets a password
or deactivates a leaver. Every change is made by the services as the signed-in
admin, who is named in the audit log.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import AgentInfo, Role
from console.domain.staff import StaffAccount
from console.security.guard import Door
from console.services.admin import MAX_LOGIN, MAX_NAME, MAX_TEAM
from ui.admin.common import AdminTab, select_key, selected_key, table_view
from ui.admin.models import AccountsModel
from ui.shell.jobs import Jobs


def role_combo(parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    for role in Role.of_people():
        combo.addItem(role.value.capitalize(), role)
    return combo


class AgentsTab(AdminTab):
    """Staff accounts (see the module docstring).

    Args:
        guarded: the services as the signed-in admin may use them.
        jobs: the background-work helper.
        parent: the owning widget.
    """

    def __init__(self, guarded: Door, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(guarded, jobs, parent)
        self.setObjectName("adminAgents")
        self.model = AccountsModel(self)
        self.view = table_view(self.model, "adminAgentTable", self, stretch=4)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.confirm: QMessageBox | None = None
        self._select_next: str | None = None
        box = QVBoxLayout(self)
        box.addWidget(self.view, 1)
        box.addWidget(self.error)
        forms = QHBoxLayout()
        forms.addWidget(self._build_selected(), 1)
        forms.addWidget(self._build_new(), 1)
        box.addLayout(forms)
        self._selection_changed()

    # -- building --------------------------------------------------------
    def _build_selected(self) -> QGroupBox:
        group = QGroupBox("Selected agent", self)
        self.role = role_combo(group)
        self.role.setAccessibleName("Role of the selected agent")
        self.change_role_button = QPushButton("Change role", group)
        self.change_role_button.clicked.connect(self.change_role)
        self.password = QLineEdit(group)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("At least 10 characters")
        self.password.setAccessibleName("New password")
        self.password_button = QPushButton("Set password", group)
        self.password_button.clicked.connect(self.set_password)
        self.unlock_button = QPushButton("Unlock", group)
        self.unlock_button.clicked.connect(self.unlock)
        self.deactivate_button = QPushButton("Deactivate…", group)
        self.deactivate_button.clicked.connect(self.ask_deactivate)
        self.subject = self.subject_label(group)
        self.team = _team_combo(group)
        self.queues = _queue_list(group)
        self.assign_button = QPushButton("Save team and queues", group)
        self.assign_button.clicked.connect(self.assign)
        form = QFormLayout(group)
        form.addRow("Agent", self.subject)
        form.addRow("Role", _pair(self.role, self.change_role_button))
        form.addRow("Password", _pair(self.password, self.password_button))
        form.addRow("", _pair(self.unlock_button, self.deactivate_button))
        form.addRow("Team", self.team)
        form.addRow("Queues", self.queues)
        form.addRow("", self.assign_button)
        return group

    def _build_new(self) -> QGroupBox:
        group = QGroupBox("New agent", self)
        self.new_login = QLineEdit(group)
        self.new_login.setPlaceholderText("e.g. kim.lee")
        self.new_login.setMaxLength(MAX_LOGIN)
        self.new_name = QLineEdit(group)
        self.new_name.setMaxLength(MAX_NAME)
        self.new_role = role_combo(group)
        self.new_team = _team_combo(group)
        self.new_queues = _queue_list(group)
        self.create_button = QPushButton("Create agent", group)
        self.create_button.setObjectName("primaryButton")
        self.create_button.clicked.connect(self.create_agent)
        form = QFormLayout(group)
        for label, field in (("Login", self.new_login), ("Name", self.new_name),
                             ("Role", self.new_role), ("Team", self.new_team),
                             ("Queues", self.new_queues)):
            form.addRow(label, field)
        form.addRow("", self.create_button)
        return group

    # -- loading ---------------------------------------------------------
    def refresh(self) -> None:
        g = self.guarded
        self.read(lambda: (g.admin.accounts(), g.admin.teams(),
                           [q.name for q in g.agents.queues()]), self._loaded)

    def _loaded(self, data: tuple[list[StaffAccount], list[str], list[str]]) -> None:
        accounts, teams, queues = data
        chosen, self._select_next = self._select_next or selected_key(self.view), None
        self.model.set_rows(accounts)
        if chosen is not None:
            select_key(self.view, chosen)
        for combo in (self.new_team, self.team):
            typed = combo.currentText()
            combo.clear()
            combo.addItems(teams)
            combo.setEditText(typed)
        _fill_queues(self.new_queues, queues, set(self.chosen_queues()))
        _fill_queues(self.queues, queues, set())
        self._selection_changed()
        self.loaded.emit()

    def selected(self) -> StaffAccount | None:
        """The account of the selected row."""
        login = selected_key(self.view)
        return next((a for a in self.model_rows() if a.login == login), None)

    def model_rows(self) -> list[StaffAccount]:
        return [row for n in range(self.model.rowCount()) if (row := self.model.row(n))]

    def chosen_queues(self, widget: QListWidget | None = None) -> list[str]:
        """The ticked queues of the "New agent" form (or of ``widget``)."""
        box = widget or self.new_queues
        return [box.item(n).text() for n in range(box.count())
                if box.item(n).checkState() == Qt.CheckState.Checked]

    def _selection_changed(self, *_: QItemSelection) -> None:
        account = self.selected()
        active = account is not None and account.active
        for widget in (self.role, self.change_role_button, self.password, self.password_button,
                       self.deactivate_button, self.team, self.queues, self.assign_button):
            widget.setEnabled(active)
        self.unlock_button.setEnabled(active and account is not None
                                      and account.locked_until is not None)
        if account is not None:
            self.role.setCurrentIndex(self.role.findData(account.role))
            state = "" if account.active else " — deactivated"
            self.subject.setText(f"{account.name} ({account.login}){state}")
            self.team.setEditText(account.team or "")
            _fill_queues(self.queues, [self.queues.item(n).text()
                                       for n in range(self.queues.count())], set(account.queues))

    # -- changes ---------------------------------------------------------
    def create_agent(self) -> None:
        """Creates the agent described in the "New agent" form."""
        g, login, name = self.guarded, self.new_login.text().strip(), self.new_name.text().strip()
        role, queues = Role(self.new_role.currentData()), self.chosen_queues()
        team = self.new_team.currentText().strip()
        self.write(lambda: g.admin.create_agent(login, name or login, role=role,
                                                team=team or None, queues=queues),
                   self._created)

    def _created(self, agent: AgentInfo) -> str:
        self.new_login.clear()
        self.new_name.clear()
        self._select_next = agent.login
        return f"Agent {agent.login} created. Set a password before they sign in."

    def assign(self) -> None:
        """Saves the selected agent's team and queues."""
        account, g = self.selected(), self.guarded
        team, queues = self.team.currentText().strip() or None, self.chosen_queues(self.queues)
        if account is not None:
            self.write(lambda: g.admin.assign_agent(account.login, team=team, queues=queues),
                       lambda _r: f"{account.login}: team and queues saved.")

    def change_role(self) -> None:
        account, role = self.selected(), Role(self.role.currentData())
        if account is not None:
            g = self.guarded
            self.write(lambda: g.staff.set_role(account.login, role, actor=g.principal),
                       lambda _r: f"{account.login} is now {role.value}.")

    def set_password(self) -> None:
        account, password, g = self.selected(), self.password.text(), self.guarded
        if account is not None and self.write(
                lambda: g.auth.set_password(account.login, password, actor=g.principal),
                lambda _r: f"New password set for {account.login}."):
            self.password.clear()  # the typed password does not linger in the widget

    def unlock(self) -> None:
        account = self.selected()
        if account is not None:
            g = self.guarded
            self.write(lambda: g.staff.unlock(account.login, actor=g.principal),
                       lambda _r: f"{account.login} can sign in again.")

    def ask_deactivate(self) -> None:
        """Asks before deactivating the selected account (it cannot be undone here)."""
        account = self.selected()
        if account is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Deactivate account",
                          f"Deactivate {account.name} ({account.login})? They will no longer "
                          "be able to sign in, and remembered sign-ins are forgotten.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                          self)
        box.button(QMessageBox.StandardButton.Yes).setText("Deactivate")
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(
            lambda: self.deactivate(account.login))
        box.finished.connect(box.deleteLater)
        self.confirm = box
        box.open()

    def deactivate(self, login: str) -> None:
        g = self.guarded
        self.write(lambda: g.staff.deactivate(login, actor=g.principal),
                   lambda _r: f"{login} is deactivated.")


def _pair(first: QWidget, second: QWidget) -> QWidget:
    row = QWidget(first.parentWidget())
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(first, 1)
    box.addWidget(second)
    return row


def _team_combo(parent: QWidget) -> QComboBox:
    combo = QComboBox(parent)
    combo.setEditable(True)
    line = combo.lineEdit()
    assert line is not None  # an editable combo box has one
    line.setPlaceholderText("No team (type to add one)")
    line.setMaxLength(MAX_TEAM)
    return combo


def _queue_list(parent: QWidget) -> QListWidget:
    box = QListWidget(parent)
    box.setAccessibleName("Queues")
    box.setMaximumHeight(96)
    return box


def _fill_queues(box: QListWidget, names: list[str], ticked: set[str]) -> None:
    box.clear()
    for name in names:
        item = QListWidgetItem(name, box)
        item.setCheckState(Qt.CheckState.Checked if name in ticked else Qt.CheckState.Unchecked)
