"""Transfer and Resolve: small dialogs that stay open until the service has said yes.

A refusal (a conflict, a stale contact) shows inside the dialog, next to the
fields, with everything typed still there; only success closes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from console.domain import AgentInfo, Disposition, QueueInfo


@dataclass(frozen=True)
class TransferRequest:
    to_queue: str | None
    to_agent: str | None
    note: str


@dataclass(frozen=True)
class ResolveRequest:
    disposition: str
    note: str


class _ActionDialog(QDialog):
    """A form with an error line and OK/Cancel; OK emits ``submitted`` instead of closing.

    Signals:
        submitted(object): the request the agent confirmed.
    """

    submitted = Signal(object)

    def __init__(self, title: str, ok_text: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self.form = QFormLayout()
        self.note = QPlainTextEdit(self)
        self.note.setPlaceholderText("Optional internal note")
        self.note.setTabChangesFocus(True)
        self.note.setFixedHeight(80)
        self.error = QLabel(self)
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(self.form)
        box.addWidget(self.error)
        box.addWidget(self.buttons)

    def request(self) -> object:
        raise NotImplementedError

    def _submit(self) -> None:
        self.submitted.emit(self.request())

    def set_busy(self, busy: bool) -> None:
        self.buttons.setEnabled(not busy)
        if busy:
            self.error.hide()

    def show_error(self, message: str) -> None:
        """Shows a refusal next to the fields and lets the agent try again."""
        self.set_busy(False)
        self.error.setText(message)
        self.error.show()


class TransferDialog(_ActionDialog):
    """Transfer to a queue or to an agent, with a note.

    Args:
        contact_id: the contact being transferred.
        queues: the queues to offer.
        agents: the agents to offer (the signed-in one is left out by the caller).
        parent: the owning widget.
    """

    def __init__(self, contact_id: int, queues: tuple[QueueInfo, ...],
                 agents: tuple[AgentInfo, ...], parent: QWidget | None = None) -> None:
        super().__init__(f"Transfer contact {contact_id}", "Transfer", parent)
        self.to_queue = QRadioButton("To a queue", self)
        self.to_agent = QRadioButton("To an agent", self)
        self.queue = QComboBox(self)
        for q in queues:
            self.queue.addItem(q.name, q.name)
        self.agent = QComboBox(self)
        for a in agents:
            self.agent.addItem(f"{a.name} ({a.login})", a.login)
        self.to_queue.setChecked(True)
        self.to_queue.toggled.connect(self._sync)
        self.form.addRow(self.to_queue, self.queue)
        self.form.addRow(self.to_agent, self.agent)
        self.form.addRow("Note", self.note)
        self._sync()

    def _sync(self) -> None:
        self.queue.setEnabled(self.to_queue.isChecked())
        self.agent.setEnabled(not self.to_queue.isChecked())

    def request(self) -> TransferRequest:
        by_queue = self.to_queue.isChecked()
        return TransferRequest(self.queue.currentData() if by_queue else None,
                               None if by_queue else self.agent.currentData(),
                               self.note.toPlainText())


class ResolveDialog(_ActionDialog):
    """Resolve with a disposition code and a note.

    Args:
        contact_id: the contact being resolved.
        dispositions: the codes to offer.
        parent: the owning widget.
    """

    def __init__(self, contact_id: int, dispositions: tuple[Disposition, ...],
                 parent: QWidget | None = None) -> None:
        super().__init__(f"Resolve contact {contact_id}", "Resolve", parent)
        self.disposition = QComboBox(self)
        self.disposition.setAccessibleName("Disposition")
        for d in dispositions:
            self.disposition.addItem(d.label, d.code)
        self.form.addRow("Disposition", self.disposition)
        self.form.addRow("Note", self.note)

    def request(self) -> ResolveRequest:
        return ResolveRequest(self.disposition.currentData() or "", self.note.toPlainText())
