"""What branch staff do for the customer at the counter: book a visit, take a complaint, update details.

The form only collects what was typed; the lookup pane runs each request
through the guarded services (role check, identity check where the service
asks for one, audit entry) and reloads the card afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QDateTime, QTime, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

Request = tuple[str, tuple[Any, ...], dict[str, Any]]  # (operation, args, kwargs) for the pane


class CounterActions(QGroupBox):
    """Appointment, complaint (with escalation) and contact-detail changes for one customer.

    Signals:
        requested(object): a Request (operation name, positional and keyword
            arguments after the customer id) for the pane to run.
    """

    requested = Signal(object)

    def __init__(self, now: Callable[[], datetime], parent: QWidget | None = None) -> None:
        super().__init__("At the counter", parent)
        self._now = now
        self.customer_id: int | None = None
        self.last_complaint: int | None = None
        self.when = QDateTimeEdit(self)
        self.when.setCalendarPopup(True)
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.purpose = QLineEdit(self)
        self.purpose.setPlaceholderText("Purpose, e.g. mortgage consultation")
        self.complaint = QLineEdit(self)
        self.complaint.setPlaceholderText("What went wrong, in a sentence")
        self.escalate_to = QComboBox(self)
        self.escalate_to.setEditable(True)
        self.escalate_to.setToolTip("A team name, or a supervisor's login prefixed with @")
        self.phone = QLineEdit(self)
        self.phone.setPlaceholderText("New phone (identity check first)")
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("New e-mail (identity check first)")
        self.buttons = {name: QPushButton(text, self) for name, text in (
            ("book", "Book"), ("complain", "Record"), ("escalate", "Escalate last"),
            ("details", "Save details"))}
        for name, button in self.buttons.items():
            button.clicked.connect(getattr(self, name))
        form = QFormLayout(self)
        form.addRow("Appointment", _row(self.when, self.purpose, self.buttons["book"]))
        form.addRow("Complaint", _row(self.complaint, self.buttons["complain"]))
        form.addRow("Escalate to", _row(self.escalate_to, self.buttons["escalate"]))
        form.addRow("Contact details", _row(self.phone, self.email, self.buttons["details"]))
        self.show_customer(None)

    def show_customer(self, customer_id: int | None, teams: list[str] | None = None) -> None:
        """Points the form at a customer (None: disabled, nothing chosen)."""
        self.customer_id = customer_id
        self.last_complaint = None
        self.setEnabled(customer_id is not None)
        tomorrow = (self._now() + timedelta(days=1)).astimezone()
        start = QDateTime(QDate(tomorrow.year, tomorrow.month, tomorrow.day), QTime(10, 0))
        self.when.setDateTime(start)
        if teams is not None:
            self.escalate_to.clear()
            self.escalate_to.addItems(teams)
        for field in (self.purpose, self.complaint, self.phone, self.email):
            field.clear()

    def book(self) -> None:
        starts = datetime.fromtimestamp(self.when.dateTime().toMSecsSinceEpoch() / 1000, UTC)
        self._request("book_appointment", starts, purpose=self.purpose.text())

    def complain(self) -> None:
        self._request("record_complaint", self.complaint.text())

    def escalate(self) -> None:
        target = self.escalate_to.currentText().strip()
        if self.last_complaint is None or not target:
            return
        who = ({"supervisor": target[1:]} if target.startswith("@") else {"team": target})
        self.requested.emit(("escalate_complaint", (self.last_complaint,), who))

    def details(self) -> None:
        phones = [self.phone.text()] if self.phone.text().strip() else None
        emails = [self.email.text()] if self.email.text().strip() else None
        if phones or emails:
            self._request("update_contact_details", phones=phones, emails=emails)

    def _request(self, operation: str, *args: Any, **kwargs: Any) -> None:
        if self.customer_id is not None:
            self.requested.emit((operation, (self.customer_id, *args), kwargs))


def _row(*widgets: QWidget) -> QWidget:
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    for i, widget in enumerate(widgets):
        box.addWidget(widget, 0 if isinstance(widget, QPushButton) else (2 if i else 1))
    return row
