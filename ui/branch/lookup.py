"""The branch counter screen: find a customer, read the masked card, verify, unmask.

It talks only to the guarded services of the person signed in
(console.security.guard), so the role checks and the audit happen in the
services; every call runs on the jobs helper's write lane because each one
writes an audit entry. ``clear()`` forgets everything shown (sign-out,
switching user).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain.branch import ID_DOCUMENTS, LOOKUP_KINDS, CustomerCard, LookupRow
from console.errors import SwitchboardError
from console.phones import display
from console.security.guard import Door
from ui.branch.actions import CounterActions, Request
from ui.shell.jobs import Jobs

Index = QModelIndex | QPersistentModelIndex
_DONE = {"book_appointment": "Appointment booked.", "record_complaint": "Complaint recorded.",
         "escalate_complaint": "Complaint escalated.",
         "update_contact_details": "Contact details updated (old and new are in the audit log)."}
COLUMNS = ("Name", "Kana", "Born", "Phone")


class LookupModel(QAbstractTableModel):
    """Search results (at most a few dozen rows, so held whole)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[LookupRow] = []

    def set_rows(self, rows: list[LookupRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008  # Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid() \
                or not 0 <= index.row() < len(self.rows):
            return None
        r = self.rows[index.row()]
        return (r.display_name, r.name_kana or "", str(r.birth_year or ""),
                f"…{r.phone_hint}" if r.phone_hint else "")[index.column()]


def card_text(card: CustomerCard) -> str:
    """The card as plain text; every number in it is already masked by the service."""
    lines = [f"{card.display_name}  {card.name_kana or ''}".rstrip(),
             f"Born {card.date_of_birth or '-'}   National ID {card.national_id or '-'}",
             f"Phones: {', '.join(display(p) for p in card.phones) or '-'}",
             f"E-mail: {', '.join(card.emails) or '-'}", "", "Accounts:"]
    lines += [f"  {a.product:<12} {a.masked_number}  {a.status}" for a in card.accounts]
    lines += ["", "Applications:"] + [f"  {a.kind} ({a.status}) {a.reference}"
                                      for a in card.applications]
    lines += ["", "Appointments:"] + [f"  {a.starts_at.astimezone():%Y-%m-%d %H:%M} {a.location} "
                                      f"{a.purpose}"
                                      for a in card.appointments]
    lines += ["", "Complaints:"] + [f"  #{c.id} {c.status}: {c.summary}" for c in card.complaints]
    lines += ["", "Recent contacts:"] + [f"  {e.at:%Y-%m-%d} {e.channel.value}: {e.subject}"
                                         for e in card.recent_contacts]
    return "\n".join(lines)


class BranchLookupPane(QWidget):
    """Search box, results, the customer card and the identity checklist.

    Args:
        guarded: console.security.guard.authorize(services, principal).
        jobs: the background-work helper.
        parent: the owning widget.
    """

    def __init__(self, guarded: Door, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._guarded, self._jobs = guarded, jobs
        self.card: CustomerCard | None = None
        self.query = QLineEdit(self)
        self.query.setPlaceholderText("Name (Latin, kanji, kana), phone, account number or birth date")
        self.kind = QComboBox(self)
        self.kind.addItems(list(LOOKUP_KINDS))
        self.model = LookupModel(self)
        self.results = QTableView(self)
        self.results.setModel(self.model)
        self.results.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.card_view = QPlainTextEdit(self)
        self.card_view.setReadOnly(True)
        self.error = QLabel(self)
        self.error.setObjectName("paneError")
        self.error.setWordWrap(True)
        self.full_number = QLabel(self)
        self.full_number.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.counter_actions = CounterActions(lambda: datetime.now(UTC), self)
        self.counter_actions.requested.connect(self._counter_request)
        self.results.verticalHeader().hide()
        self.results.horizontalHeader().setStretchLastSection(True)
        self._layout(self._checklist())
        self.query.returnPressed.connect(self.search)
        self.results.clicked.connect(lambda index: self.open_card(self.model.rows[index.row()].id))

    def _checklist(self) -> QGroupBox:
        box = QGroupBox("Identity check: 2 of 3 answers, or a sighted ID document", self)
        self.answer_dob, self.answer_phone, self.answer_email = (QLineEdit(box) for _ in range(3))
        self.document = QComboBox(box)
        self.document.addItems(["(none sighted)", *ID_DOCUMENTS])
        self.verify_button = QPushButton("Record check", box)
        self.verify_button.clicked.connect(self.verify)
        self.account = QComboBox(box)
        self.unmask_button = QPushButton("Show full number", box)
        self.unmask_button.clicked.connect(self.unmask)
        form = QFormLayout(box)
        form.addRow("Date of birth", self.answer_dob)
        form.addRow("A registered phone", self.answer_phone)
        form.addRow("A registered e-mail", self.answer_email)
        form.addRow("ID document", self.document)
        form.addRow("", self.verify_button)
        form.addRow("Account", self.account)
        form.addRow(self.unmask_button, self.full_number)
        return box

    def _layout(self, checklist: QGroupBox) -> None:
        """Finding on the left; the chosen customer, the check and the counter work on the right."""
        bar = QHBoxLayout()
        bar.addWidget(self.query, 1)
        bar.addWidget(self.kind)
        left = QVBoxLayout()
        left.addLayout(bar)
        left.addWidget(self.error)
        left.addWidget(self.results, 1)
        right = QVBoxLayout()
        right.addWidget(self.card_view, 1)
        right.addWidget(checklist)
        right.addWidget(self.counter_actions)
        box = QHBoxLayout(self)
        box.addLayout(left, 2)
        box.addLayout(right, 3)

    def search(self) -> None:
        self.error.clear()
        self._run("lookup", self.query.text(), by=self.kind.currentText(),
                  on_success=self.model.set_rows)

    def open_card(self, customer_id: int) -> None:
        self.full_number.clear()
        self._run("card", customer_id, on_success=self._show_card)

    def verify(self) -> None:
        if self.card is None:
            return
        answers = {k: w.text() for k, w in (("date_of_birth", self.answer_dob),
                                            ("phone", self.answer_phone),
                                            ("email", self.answer_email)) if w.text().strip()}
        document = self.document.currentText() if self.document.currentIndex() > 0 else None
        self._run("verify_identity", self.card.id, answers=answers, sighted_document=document,
                  on_success=lambda result: self._verified(result.passed))

    def unmask(self) -> None:
        account_id = self.account.currentData()
        if account_id is not None:
            self._run("unmask_account", account_id, on_success=self.full_number.setText)

    def _run(self, operation: str, *args: Any, on_success: Callable[[Any], None],
             **kwargs: Any) -> None:
        """Calls a branch operation on the write lane (each one writes an audit entry).

        The operation is looked up inside the job, so a refusal by the
        permission guard comes back through ``on_failure`` like any other.
        """
        branch, me = self._guarded.branch, self._guarded.principal
        self._jobs.write(lambda: getattr(branch, operation)(me, *args, **kwargs),
                         on_success=on_success, on_failure=self._failed)

    def clear(self) -> None:
        """Forgets the customer, the results and any full number (sign-out, switch user)."""
        self.card = None
        self.model.set_rows([])
        for widget in (self.query, self.answer_dob, self.answer_phone, self.answer_email):
            widget.clear()
        self.card_view.clear()
        self.counter_actions.show_customer(None)
        self.full_number.clear()
        self.account.clear()
        self.error.clear()

    def _counter_request(self, request: Request) -> None:
        operation, args, kwargs = request
        self.error.clear()
        self._run(operation, *args, **kwargs,
                  on_success=lambda result: self._counter_done(operation, result))

    def _counter_done(self, operation: str, result: Any) -> None:
        if operation == "record_complaint":
            self.counter_actions.last_complaint = result.id
        self.error.setText(_DONE.get(operation, "Done."))
        if self.card is not None:
            kept = self.counter_actions.last_complaint
            self.open_card(self.card.id)  # the card shows what changed
            self.counter_actions.last_complaint = kept

    def _show_card(self, card: CustomerCard) -> None:
        if self.card is None or self.card.id != card.id:
            self.counter_actions.show_customer(card.id)
        self.card = card
        self.card_view.setPlainText(card_text(card))
        self.account.clear()
        for a in card.accounts:
            self.account.addItem(f"{a.product} {a.masked_number}", a.id)

    def _verified(self, passed: bool) -> None:
        for widget in (self.answer_dob, self.answer_phone, self.answer_email):
            widget.clear()
        self.error.setText("Identity checked." if passed else
                           "The check did not pass: ask another question or see an ID document.")

    def _failed(self, error: SwitchboardError) -> None:
        self.error.setText(error.message)
