"""The top of the conversation: who the customer is and what this contact is about."""

from __future__ import annotations

import html
import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console import phones
from console.domain import ContactDetail, ContactRow, CustomerSummary
from console.domain.calls import CallDirection, CallInfo, CallState
from console.domain.messaging import SenderIdentity
from ui.agent.models.inbox_cells import PRIORITY_LABELS
from ui.agent.panes.sender_line import SenderLine
from ui.shell import palette, timefmt
from ui.shell.icons import channel_icon, channel_label, icon
from ui.widgets.compact import shrinking_label

LANGUAGES = {"en": "English", "ja": "日本語 Japanese"}
ICON_PX = 18


def _product(code: str) -> str:
    """"credit_card" reads "Credit card"."""
    return code.replace("_", " ").strip().capitalize()


def _short_mask(masked: str) -> str:
    """Collapses a run of mask characters: "************2345" reads "•••• 2345"."""
    return re.sub(r"[*•xX]{3,}", "•••• ", masked).replace("  ", " ").strip()


def _label(name: str, parent: QWidget, selectable: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class CustomerHeader(QFrame):
    """Customer name (with kana reading), badges, contact details and masked accounts,
    the contact's call, and a Call button for click-to-dial.

    Args:
        agent_login: the signed-in agent (to say "you" instead of their name).
        parent: the owning widget.

    Signals:
        call_requested(str): the agent asked to call this number (E.164).
    """

    call_requested = Signal(str)

    def __init__(self, agent_login: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("customerHeader")
        self._agent = agent_login
        self._numbers: tuple[str, ...] = ()
        self.call_button = self._call_button()
        self.call_line = _label("callLine", self, selectable=True)
        self.call_line.setWordWrap(True)
        self.name = shrinking_label(_label("customerName", self, selectable=True))
        self.kana = shrinking_label(_label("customerKana", self, selectable=True))
        self.badges = QHBoxLayout()
        self.badges.setSpacing(6)
        # A long e-mail address is one unbreakable word: it may be cut in a narrow
        # window rather than force the window wider than the screen.
        self.details = shrinking_label(_label("customerDetails", self, selectable=True))
        self.accounts = _label("customerAccounts", self, selectable=True)
        self.accounts.setWordWrap(True)
        self.sender_line = SenderLine(self)  # who wrote on a LINE, SMS, Messenger or chat contact
        self.channel_icon = _label("contactChannelIcon", self)
        self.subject = _label("contactSubject", self, selectable=True)
        self.subject.setWordWrap(True)
        self.contact_meta = _label("contactMeta", self)
        self.contact_meta.setWordWrap(True)
        self.details.setWordWrap(True)
        self._lay_out()
        self.show_empty()

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.setSpacing(10)
        top.addWidget(self.name)
        top.addWidget(self.kana, 1)
        # Beside the name, where there is room: beside the details it squeezed the
        # phone number and the e-mail address into a column.
        top.addWidget(self.call_button, 0, Qt.AlignmentFlag.AlignVCenter)
        facts = QHBoxLayout()
        facts.setSpacing(6)
        facts.addLayout(self.badges)
        facts.addWidget(self.details, 1)
        contact = QGridLayout()
        contact.setHorizontalSpacing(8)
        contact.addWidget(self.channel_icon, 0, 0, Qt.AlignmentFlag.AlignTop)
        contact.addWidget(self.subject, 0, 1)
        contact.addWidget(self.call_line, 1, 1)
        contact.addWidget(self.contact_meta, 2, 1)
        contact.setColumnStretch(1, 1)
        self._contact_grid = contact
        box = QVBoxLayout(self)
        box.setContentsMargins(14, 10, 14, 10)
        box.setSpacing(4)
        box.addLayout(top)
        box.addLayout(facts)
        box.addWidget(self.accounts)
        box.addWidget(self.sender_line)
        box.addSpacing(6)
        box.addLayout(contact)

    def add_timers(self, timers: QWidget) -> None:
        """Puts the contact's live timers under its subject and facts.

        Their own line, not beside the subject: in a narrow conversation pane a
        timer beside it squeezed a Japanese subject into a column of a few characters.
        """
        self._contact_grid.addWidget(timers, 3, 1, Qt.AlignmentFlag.AlignLeft)

    def _call_button(self) -> QToolButton:
        button = QToolButton(self)
        button.setObjectName("callCustomer")
        button.setText("Call")
        button.setIcon(icon("phone"))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setAccessibleName("Call the customer")
        button.clicked.connect(self._call_first)
        return button

    def _call_first(self) -> None:
        if self._numbers:
            self.call_requested.emit(self._numbers[0])

    def _set_numbers(self, numbers: tuple[str, ...]) -> None:
        """The numbers the Call button dials: the first on a click, any from its menu."""
        self._numbers = numbers
        self.call_button.setVisible(bool(numbers))
        if not numbers:
            return
        self.call_button.setToolTip(f"Call {phones.display(numbers[0])} from your phone")
        if len(numbers) < 2:
            self.call_button.setPopupMode(QToolButton.ToolButtonPopupMode.DelayedPopup)
            self.call_button.setMenu(None)  # type: ignore[arg-type]  # Qt takes None: no menu
            return
        menu = QMenu(self.call_button)
        for number in numbers:
            action = menu.addAction(f"Call {phones.display(number)}")
            action.triggered.connect(lambda _c=False, n=number: self.call_requested.emit(n))
        self.call_button.setMenu(menu)
        self.call_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)

    def set_dialling(self, dialling: bool) -> None:
        """Disables the Call button while a call is being placed."""
        self.call_button.setEnabled(not dialling)

    def add_identity_actions(self, *actions: QAction) -> None:
        """Buttons for "Link to customer…" and "Unlink…", on the sender's line."""
        self.sender_line.add_actions(*actions)

    def show_identity(self, identity: SenderIdentity | None) -> None:
        """The contact's sender ("LINE user 山田 花子"), or nothing for other channels."""
        self.sender_line.show_identity(identity)

    def show_empty(self) -> None:
        self.name.setText("No contact selected")
        self.kana.clear()
        self._set_badges([])
        self.details.setText("Pick a contact in the inbox, or press Ctrl+G to get the next one.")
        for label in (self.accounts, self.subject, self.contact_meta, self.channel_icon,
                      self.call_line):
            label.clear()
        self.call_line.hide()
        self._set_numbers(())
        self.show_identity(None)

    def show_loading(self, contact_id: int) -> None:
        self.contact_meta.setText(f"Loading contact {contact_id}…")

    def show_detail(self, detail: ContactDetail) -> None:
        self._show_customer(detail.customer)
        self._show_contact(detail.contact, detail.disposition)
        self._show_call(detail.call, detail.contact)
        numbers = detail.customer.phones if detail.customer else ()
        if not numbers and detail.call is not None and detail.call.number.startswith("+"):
            numbers = (detail.call.number,)  # an unknown caller: call back the number they used
        self._set_numbers(tuple(numbers))

    def _show_call(self, call: CallInfo | None, row: ContactRow) -> None:
        self.call_line.setVisible(call is not None)
        if call is None:
            self.call_line.clear()
            return
        colour, text = call_words(call, row, self._agent)
        self.call_line.setText(f"<span style='color:{colour}'>●</span> {html.escape(text)}")

    def _show_customer(self, customer: CustomerSummary | None) -> None:
        if customer is None:
            self.name.setText("Unknown caller")
            self.kana.clear()
            self._set_badges([])
            self.details.setText("Not matched to a customer record.")
            self.accounts.clear()
            return
        self.name.setText(customer.display_name)
        self.kana.setText(customer.name_kana or "")
        self.kana.setVisible(bool(customer.name_kana))
        badges = [("VIP", "badgeVip")] if customer.vip else []
        badges += [(customer.segment.capitalize(), "badge"),
                   (LANGUAGES.get(customer.language, customer.language), "badge")]
        self._set_badges(badges)
        # Each number and address wraps as a whole (no line break inside "+81 6-9595-8995").
        reach = [f"☎\u00a0{phones.display(p).replace(' ', chr(0xA0))}" for p in customer.phones[:2]]
        reach += [f"✉\u00a0{e}" for e in customer.emails[:1]]
        self.details.setText("   ".join(reach) or "No phone or e-mail on file")
        accounts = [f"{html.escape(_product(a.product))} <span style='font-family:monospace'>"
                    f"{html.escape(_short_mask(a.masked_number))}</span>"
                    for a in customer.accounts]
        self.accounts.setText(("Accounts: " + " · ".join(accounts)) if accounts else "No accounts")

    def _show_contact(self, row: ContactRow, disposition: str | None) -> None:
        self.channel_icon.setPixmap(channel_icon(row.channel).pixmap(ICON_PX, ICON_PX))
        self.channel_icon.setToolTip(channel_label(row.channel))
        self.subject.setText(row.subject)
        holder = ("you" if row.assignee_login == self._agent
                  else row.assignee_name or "nobody yet")
        parts = [f"#{row.id}", channel_label(row.channel), row.queue_name,
                 PRIORITY_LABELS[row.priority], row.status.value.capitalize(),
                 f"claimed by {holder}" if row.assignee_id else "unclaimed"]
        if disposition:
            parts.append(f"disposition: {disposition}")
        self.contact_meta.setText(" · ".join(parts))

    def _set_badges(self, badges: list[tuple[str, str]]) -> None:
        while self.badges.count():
            item = self.badges.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        for text, name in badges:
            badge = _label(name, self)
            badge.setText(text)
            # At its own height: the contact details beside it may wrap to several lines.
            self.badges.addWidget(badge, 0, Qt.AlignmentFlag.AlignTop)


def call_words(call: CallInfo, row: ContactRow, agent_login: str) -> tuple[str, str]:
    """(dot colour, text) of the call line: where the call is, with whom, for how long."""
    number = call.number_display
    who = "you" if call.agent_login == agent_login else (call.agent_name or "an agent")
    outbound = call.direction is CallDirection.OUT
    if call.state is CallState.RINGING:
        return palette.RINGING_FG, (f"Calling {number}…" if outbound
                                    else f"Ringing: call from {number}")
    if call.state is CallState.TALKING:
        talking = f"On call with {number}"
        return palette.ACCENT, (f"{talking} ({who})" if who != "you" else talking)
    if call.state is CallState.ABANDONED:
        rang = timefmt.duration(call.ring_s or 0)
        return palette.MUTED, f"Missed call from {number}: hung up after {rang} ringing"
    talked = (f"talked {timefmt.duration(call.talk_s)}" if call.talk_s
              else "not answered" if call.answered_at is None else "answered")
    wrap = " · wrap up and resolve" if row.status.is_active and call.agent_login == agent_login else ""
    return palette.MUTED, f"Call with {number} ended · {talked}{wrap}"
