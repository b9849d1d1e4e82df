"""The "Add e-mail account" dialog: an account's address, servers, queue and where its password lives.

It stays open until the services have said yes. A refusal shows inside it,
under the field it is about when the field's own check (the one the services
run, console.channels.endpoints) gives the same reason, with everything typed
still there but the password: that leaves the widget as soon as it is sent.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from console.channels.endpoints import MAX_URL, check_address, check_imap_url, check_smtp_url
from console.channels.secrets import MAX_SECRET, SecretRef
from console.errors import SwitchboardError, ValidationError
from console.services.channels import MAX_NAME

MAX_ADDRESS = 254
MAX_FROM_NAME = 120  # what the service keeps of it
RETYPE_HINT = "Type the password again"
EMPTY_HINT = "Empty if the servers ask for none"
# console.channels.secrets keeps a typed password for the OS user of this computer.
WHERE_PASSWORDS_GO = ("A typed password is kept in this computer's keyring (or an owner-only "
                      "file) for your OS user: the gateway can read it only if it runs as you, "
                      "here. Otherwise give an environment variable of the gateway.")


@dataclass(frozen=True)
class EmailAccountRequest:
    """What the admin typed, as ChannelService.add_email takes it (the password never in a repr)."""

    name: str
    address: str
    imap_url: str
    smtp_url: str
    queue: str
    from_name: str | None
    password_env: str | None
    password: str | None = field(default=None, repr=False)


def _line(parent: QWidget, placeholder: str, length: int) -> QLineEdit:
    edit = QLineEdit(parent)
    edit.setPlaceholderText(placeholder)
    edit.setMaxLength(length)
    edit.setMinimumWidth(360)
    return edit


def _error_label(parent: QWidget) -> QLabel:
    label = QLabel(parent)
    label.setObjectName("dialogError")
    label.setWordWrap(True)
    return label


class AddEmailDialog(QDialog):
    """Name, address, IMAP and SMTP URLs, queue, From name and the password's source.

    Args:
        queues: the queues to offer.
        preferred: the queue to start on (one without an enabled e-mail account).
        parent: the owning widget.

    Signals:
        submitted(object): the EmailAccountRequest the admin confirmed.
    """

    submitted = Signal(object)

    def __init__(self, queues: list[str], preferred: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addEmailAccount")
        self.setWindowTitle("Add e-mail account")
        self.name = _line(self, "e.g. cards-mail", MAX_NAME)
        self.address = _line(self, "support@example.com", MAX_ADDRESS)
        self.imap_url = _line(self, "imaps://USER@HOST[:PORT][/MAILBOX]", MAX_URL)
        self.smtp_url = _line(self, "smtps://[USER@]HOST[:PORT]", MAX_URL)
        self.queue = QComboBox(self)
        self.queue.addItems(queues)
        self.queue.setCurrentIndex(max(0, self.queue.findText(preferred or "")))
        self.from_name = _line(self, "Default: the queue's name", MAX_FROM_NAME)
        self.use_password = QRadioButton("&Password", self)
        self.password = _line(self, EMPTY_HINT, MAX_SECRET)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Mailbox password")
        self.use_env = QRadioButton("En&vironment variable", self)
        self.env_name = _line(self, "NAME the gateway reads the password from", 128)
        self.env_name.setAccessibleName("Environment variable with the mailbox password")
        self.use_password.setChecked(True)
        self.use_password.toggled.connect(self._sync)
        self.error = _error_label(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("&Add account")
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        self._build()
        self._sync()

    def _build(self) -> None:
        self.form = QFormLayout()
        self.field_errors: dict[QLineEdit, QLabel] = {}
        for label, edit in (("&Name", self.name), ("A&ddress", self.address),
                            ("&IMAP URL", self.imap_url), ("&SMTP URL", self.smtp_url)):
            self.form.addRow(label, edit)
            self._add_error_row(edit)
        self.form.addRow("&Queue", self.queue)
        self.form.addRow("&From name", self.from_name)
        self.form.addRow(self.use_password, self.password)
        self.form.addRow(self.use_env, self.env_name)
        self._add_error_row(self.env_name)
        where = QLabel(WHERE_PASSWORDS_GO, self)
        where.setObjectName("paneStatus")
        where.setWordWrap(True)
        self._under_fields(where)
        box = QVBoxLayout(self)
        box.addLayout(self.form)
        box.addWidget(self.error)
        box.addStretch(1)  # a taller dialog spaces the buttons off, not the rows apart
        box.addWidget(self.buttons)
        self.error.hide()

    def _add_error_row(self, edit: QLineEdit) -> None:
        label = _error_label(self)
        self._under_fields(label)
        self.form.setRowVisible(label, False)
        self.field_errors[edit] = label

    def _under_fields(self, label: QLabel) -> None:
        """A message row under the fields: no label, and its text at the top of the row.

        The form may give a wrapped message more lines than it needs; they go below it.
        """
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.form.setWidget(self.form.rowCount(), QFormLayout.ItemRole.FieldRole, label)

    def _sync(self) -> None:
        by_password = self.use_password.isChecked()
        self.password.setEnabled(by_password)
        self.env_name.setEnabled(not by_password)

    # -- submitting ------------------------------------------------------
    def request(self) -> EmailAccountRequest:
        """What the form says; the password is taken out of its field."""
        password = self.password.text() if self.use_password.isChecked() else ""
        self.password.clear()  # held by the request only until the service has it
        return EmailAccountRequest(
            name=self.name.text().strip(), address=self.address.text().strip(),
            imap_url=self.imap_url.text().strip(), smtp_url=self.smtp_url.text().strip(),
            queue=self.queue.currentText(), from_name=self.from_name.text().strip() or None,
            password_env=None if self.use_password.isChecked() else self.env_name.text().strip(),
            password=password or None)

    def _submit(self) -> None:
        typed_password = bool(self.password.text())
        self.set_busy(True)
        self.password.setPlaceholderText(RETYPE_HINT if typed_password else EMPTY_HINT)
        self.submitted.emit(self.request())

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)
        if busy:
            self.error.hide()
            for label in self.field_errors.values():
                self.form.setRowVisible(label, False)

    def show_error(self, exc: SwitchboardError) -> None:
        """Shows a refusal under the field it is about (else above the buttons); try again."""
        self.set_busy(False)
        edit = self.field_for(exc.message)
        if edit is None:
            self.error.setText(exc.message)
            self.error.show()
            self._fit_height()
            return
        self.field_errors[edit].setText(exc.message)
        self.form.setRowVisible(self.field_errors[edit], True)
        self._fit_height()
        edit.setFocus()
        edit.selectAll()

    def _fit_height(self) -> None:
        """Grows the dialog to the lines its wrapped messages need at its width.

        A window's minimum size leaves word-wrapped labels out of account, so a
        message appearing after it was shown would squeeze the rows together.
        """
        layout = self.layout()
        assert layout is not None  # set in _build
        layout.activate()
        need = layout.totalHeightForWidth(self.width())
        if self.height() < need:
            self.resize(self.width(), need)

    def field_for(self, message: str) -> QLineEdit | None:
        """The field whose own check refuses what it holds with ``message``, if any."""
        checks: list[tuple[QLineEdit, Callable[[str], object]]] = [
            (self.address, check_address), (self.imap_url, check_imap_url),
            (self.smtp_url, check_smtp_url)]
        if self.use_env.isChecked():
            checks.append((self.env_name, lambda name: SecretRef.parse(f"env:{name.strip()}")))
        for edit, check in checks:
            try:
                check(edit.text())
            except ValidationError as exc:
                if exc.message == message:
                    return edit
        return None
