"""Link to customer: find who a LINE, SMS, Messenger or chat sender really is, then confirm.

The dialog only asks: the search and the link run on the jobs helper
(ui.agent.identity_flow), which hands the outcomes back here. Candidates
show enough to tell two namesakes apart — name, kana reading, the end of a
phone number, a masked e-mail address, the record number — and never a
full number or address.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.domain import CustomerSummary
from console.masking import mask_email, phone_hint

Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Name", "Kana", "Phone", "E-mail", "Record")


def candidate_cells(c: CustomerSummary) -> tuple[str, ...]:
    """A candidate's cells, masked: "山田 太郎", "ヤマダ タロウ", "…5678", "t…@example.jp", "#2"."""
    return (c.display_name, c.name_kana or "", phone_hint(c.phones[0]) if c.phones else "",
            mask_email(c.emails[0]) if c.emails else "", f"#{c.id}")


def linked_name(c: CustomerSummary) -> str:
    """"山田 太郎 (#2)": the name and the record, as the confirmation and the banner say it."""
    return f"{c.display_name} (#{c.id})"


class CandidateModel(QAbstractTableModel):
    """The customers a search found (a page of at most 20: held whole, not fetched lazily)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CustomerSummary] = []

    def set_candidates(self, rows: Sequence[CustomerSummary]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def candidate(self, row: int) -> CustomerSummary | None:
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
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
        return candidate_cells(self.rows[index.row()])[index.column()]


class LinkCustomerDialog(QDialog):
    """Search, pick, confirm; stays open until the link is made or the agent cancels.

    Args:
        contact_id: the contact whose sender is linked.
        sender: who wrote, as ``SenderIdentity.who`` says it ("LINE user 山田 花子").
        current_customer: the record the sender belongs to now (left out of the results).
        parent: the owning widget.

    Signals:
        search_requested(str): the agent asked for customers matching the text.
        submitted(object): the CustomerSummary the agent confirmed.
    """

    search_requested = Signal(str)
    submitted = Signal(object)

    def __init__(self, contact_id: int, sender: str, current_customer: int | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("linkCustomerDialog")
        self.setWindowTitle(f"Link contact {contact_id} to a customer")
        self.setMinimumSize(660, 420)
        self.sender_text, self._current = sender, current_customer
        self.chosen: CustomerSummary | None = None
        self.model = CandidateModel(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self._find_page())
        self.pages.addWidget(self._confirm_page())
        self.error = QLabel(self)
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        self.error.hide()
        self.back = QPushButton("Back", self)
        self.back.clicked.connect(self.go_back)
        self.ok = QPushButton("Continue…", self)
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.go_on)
        cancel = QPushButton("Cancel", self)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.back, self.ok, cancel):
            buttons.addWidget(button)
        box = QVBoxLayout(self)
        box.addWidget(self.pages, 1)
        box.addWidget(self.error)
        box.addLayout(buttons)
        self._sync()

    def _find_page(self) -> QWidget:
        page = QWidget(self)
        intro = QLabel(f"Who is {self.sender_text}? Find their customer record.", page)
        intro.setWordWrap(True)
        self.query = QLineEdit(page)
        self.query.setObjectName("linkQuery")
        self.query.setPlaceholderText("Name (Latin, kanji or kana), phone, e-mail or account number")
        self.query.returnPressed.connect(self.search)
        find = QPushButton("Search", page)
        find.setAutoDefault(False)
        find.clicked.connect(self.search)
        self.status = QLabel(page)
        self.status.setObjectName("paneStatus")
        self.table = QTableView(page)
        self.table.setObjectName("linkCandidates")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.go_on())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._sync())
        row = QHBoxLayout()
        row.addWidget(self.query, 1)
        row.addWidget(find)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(intro)
        box.addLayout(row)
        box.addWidget(self.status)
        box.addWidget(self.table, 1)
        return page

    def _confirm_page(self) -> QWidget:
        page = QWidget(self)
        self.confirmation = QLabel(page)
        self.confirmation.setObjectName("linkConfirmation")
        self.confirmation.setWordWrap(True)
        font = self.confirmation.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.confirmation.setFont(font)
        self.candidate = QLabel(page)  # the chosen record again, to check before linking
        self.candidate.setObjectName("linkCandidate")
        self.candidate.setWordWrap(True)
        self.consequence = QLabel(page)
        self.consequence.setWordWrap(True)
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 8, 0, 0)
        box.setSpacing(10)
        box.addWidget(self.confirmation)
        box.addWidget(self.candidate)
        box.addWidget(self.consequence)
        box.addStretch(1)
        return page

    @property
    def confirming(self) -> bool:
        return self.pages.currentIndex() == 1

    def search(self) -> None:
        text = self.query.text().strip()
        if not text:
            self.status.setText("Type a name, phone number, e-mail or account number first.")
            return
        self.error.hide()
        self.status.setText("Searching…")
        self.search_requested.emit(text)

    def show_candidates(self, found: Sequence[CustomerSummary]) -> None:
        """The search's answer; the sender's own record is not offered."""
        rows = [c for c in found if c.id != self._current]
        self.model.set_candidates(rows)
        left_out = len(found) - len(rows)
        text = {0: "Nobody found.", 1: "1 customer found."}.get(len(rows),
                                                                 f"{len(rows)} customers found.")
        if left_out:
            text += " The sender's own record is not listed."
        self.status.setText(text)
        if rows:
            self.table.selectRow(0)
        self._sync()

    def selected(self) -> CustomerSummary | None:
        picked = self.table.selectionModel().selectedRows()
        return self.model.candidate(picked[0].row()) if picked else None

    def go_on(self) -> None:
        """Continue: to the confirmation; there, Link: submits the chosen customer."""
        if self.confirming:
            if self.chosen is not None:
                self.set_busy(True)
                self.submitted.emit(self.chosen)
            return
        chosen = self.selected()
        if chosen is None:
            return
        self.chosen = chosen
        self.confirmation.setText(f"Messages from {self.sender_text} will belong to "
                                  f"{linked_name(chosen)}.")
        self.candidate.setText(" · ".join(cell for cell in candidate_cells(chosen) if cell))
        self.consequence.setText(
            "The contact, and the sender's other open contacts on this channel, move with "
            f"them; {chosen.display_name}'s history then shows them beside the other channels. "
            "The change is recorded in the audit log; Unlink undoes it.")
        self.pages.setCurrentIndex(1)
        self._sync()

    def go_back(self) -> None:
        self.pages.setCurrentIndex(0)
        self.error.hide()
        self._sync()

    def set_busy(self, busy: bool) -> None:
        self.ok.setEnabled(not busy)
        self.back.setEnabled(not busy)
        if busy:
            self.error.hide()

    def show_error(self, message: str) -> None:
        """A refused search or link, next to the form; the agent may try again."""
        self.set_busy(False)
        self._sync()
        if not self.confirming:
            self.status.clear()
        self.error.setText(message)
        self.error.show()

    def _sync(self) -> None:
        self.back.setVisible(self.confirming)
        self.ok.setText("Link" if self.confirming else "Continue…")
        self.ok.setEnabled(self.confirming or self.selected() is not None)
