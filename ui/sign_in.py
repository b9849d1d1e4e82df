"""The sign-in dialog: login, password and "remember me", checked off the GUI thread.

A refusal (wrong password, lockout) shows inside the dialog and clears the
password; only a successful sign-in closes it, with the principal in
``principal`` and the ``signed_in`` signal.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from console.errors import SwitchboardError
from console.security.guard import Door, Entrance
from ui.shell.jobs import Jobs


class SignInDialog(QDialog):
    """Asks who is at the workstation.

    Args:
        entrance: where signing in opens the door to the services.
        jobs: runs the (slow, memory-hard) password check off the GUI thread.
        workstation: recorded with the sign-in in the audit log.
        parent: the owning widget.

    Signals:
        signed_in(object): the person's Door, once the password was accepted.
    """

    signed_in = Signal(object)

    def __init__(self, entrance: Entrance, jobs: Jobs, workstation: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to Switchboard")
        self.setMinimumWidth(360)
        self._entrance, self._jobs, self._workstation = entrance, jobs, workstation
        self.door: Door | None = None
        self.login = QLineEdit(self)
        self.login.setObjectName("login")
        self.password = QLineEdit(self)
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember = QCheckBox("Remember me on this workstation", self)
        self.error = QLabel(self)
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Login", self.login)
        form.addRow("Password", self.password)
        form.addRow("", self.remember)
        box = QVBoxLayout(self)
        heading = QLabel("<b>Sign in to Switchboard</b><br>"
                         "<span style='color:#6b7684'>Who is at this workstation?</span>", self)
        heading.setObjectName("signInHeading")
        box.addWidget(heading)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addWidget(self.buttons)

    def submit(self) -> None:
        """Checks the password on the write lane (a failure is counted towards lockout)."""
        login, password = self.login.text().strip(), self.password.text()
        if not login or not password:
            self._show_error("Type your login and password.")
            return
        self.buttons.setEnabled(False)
        self.error.hide()
        self._jobs.write(self._entrance.sign_in, login, password, workstation=self._workstation,
                         remember=self.remember.isChecked(),
                         on_success=self._accepted, on_failure=self._refused)

    def _accepted(self, door: Door) -> None:
        self.door = door
        self.password.clear()
        self.signed_in.emit(door)
        self.accept()

    def _refused(self, error: SwitchboardError) -> None:
        self.password.clear()
        self.buttons.setEnabled(True)
        self._show_error(error.message)
        self.password.setFocus()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
