"""Nothing on screen shows a full account, card or national-ID number (issue 6).

A whole agent session is walked: the inbox, a contact whose customer typed a
card number, the customer header with accounts, the history, and the KB pane.
Every text a widget holds, and every cell of every item model, is searched.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QPlainTextEdit, QTextEdit
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from console.domain import Channel
from console.store.db import Database
from console.store.models import Account, Customer
from tests.factories import World
from tests.gui.conftest import WindowFactory

CARD = "4111111111111111"
SAVINGS = "00123456789"
NATIONAL_ID = "AB123456C"


def _screen_texts(root: object) -> list[str]:
    texts: list[str] = []
    for label in root.findChildren(QLabel):  # type: ignore[attr-defined]
        texts.append(label.text())
    for edit in root.findChildren(QLineEdit):  # type: ignore[attr-defined]
        texts.append(edit.text())
    for box in (*root.findChildren(QTextEdit), *root.findChildren(QPlainTextEdit)):  # type: ignore[attr-defined]
        texts.append(box.toPlainText())
    for button in root.findChildren(QAbstractButton):  # type: ignore[attr-defined]
        texts.append(button.text() + " " + button.toolTip())
    for model in root.findChildren(QAbstractItemModel):  # type: ignore[attr-defined]
        texts.extend(_cells(model))
    return texts


def _cells(model: QAbstractItemModel, parent: QModelIndex = QModelIndex()) -> list[str]:  # noqa: B008
    out = []
    try:
        columns = model.columnCount(parent)
    except TypeError:  # a list model keeps columnCount private
        columns = 1
    for row in range(model.rowCount(parent)):
        for column in range(columns):
            index = model.index(row, column, parent)
            for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
                value = model.data(index, role)
                if value is not None:
                    out.append(str(value))
    return out


def _digits(text: str) -> str:
    return re.sub(r"[\s\-]", "", text)


def test_a_whole_session_never_shows_a_full_number(
        qtbot: QtBot, make_window: WindowFactory, world: World, db: Database) -> None:
    with db.write() as s:
        s.add_all([Account(customer_id=world.alice, product="card", number=CARD, last4=CARD[-4:]),
                   Account(customer_id=world.alice, product="savings", number=SAVINGS,
                           last4=SAVINGS[-4:])])
        s.execute(update(Customer).where(Customer.id == world.alice).values(
            national_id=NATIONAL_ID))
    typed = world.services.intake.create_contact(
        Channel.CHAT, "Cards", "Card 4111 1111 1111 1111 stolen",
        "Please block card 4111-1111-1111-1111, my savings is 00123456789",
        customer_id=world.alice)
    window = make_window("emma")
    qtbot.waitUntil(lambda: window.inbox.model.row_of(typed.id) is not None)
    window.open_contact(typed.id)
    qtbot.waitUntil(lambda: window.conversation.detail is not None
                    and window.conversation.detail.contact.id == typed.id)
    qtbot.waitUntil(lambda: window.history.model.rowCount() > 0
                    and not window.history.model.loading)
    window.kb.search.setText("card")
    window.kb.search_now()
    qtbot.waitUntil(lambda: window.bench.jobs.pending == 0)
    window.tick()

    seen = "\n".join(_screen_texts(window))
    # the search covered the places the numbers would be: subject, message, accounts
    assert "stolen" in seen and "Please block card" in seen and "Accounts:" in seen
    flat = _digits(seen)
    for number in (CARD, SAVINGS, NATIONAL_ID):
        assert number not in flat, f"{number} is on screen in full"
