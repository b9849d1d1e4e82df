"""Linking the sender of a LINE, SMS, Messenger or chat contact to the right customer.

An unknown sender arrives as a customer record of their own; the agent links
them to the customer they really are (search, pick, confirm), or splits them
off again. Both are writes on the jobs helper's write lane, audited by the
door as a change of the contact; the window applies their change set (the
moved contacts, both customers) and the change feed skips it. A refusal
shows in the banner, and in the link dialog while it is open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from console.domain import Channel, ContactDetail, CustomerSummary, Written
from console.domain.messaging import SenderIdentity
from console.errors import SwitchboardError
from ui.agent.link_dialog import LinkCustomerDialog, linked_name
from ui.agent.panes.conversation import ConversationPane
from ui.shell.change_feed import ChangeFeed
from ui.shell.context import Workbench
from ui.widgets.banner import Banner

# The channels whose contacts have a sender identity (console.services.messaging).
MESSAGING_CHANNELS = frozenset({Channel.LINE, Channel.SMS, Channel.SOCIAL, Channel.CHAT})


class IdentityFlow(QObject):
    """The conversation's "Link to customer…" and "Unlink" (see the module docstring).

    Args:
        bench: services, jobs, agent and clock.
        conversation: the conversation pane (its contact and header).
        banner: where outcomes are shown.
        feed: the change feed, told which changes this flow applied.
        link_action: the window's "Link to customer…" action.
        unlink_action: the window's "Unlink from customer…" action.
        window: the parent of the dialogs.

    Signals:
        applied(object): the ChangeSet of a link or unlink, for the window to show.
    """

    applied = Signal(object)

    def __init__(self, bench: Workbench, conversation: ConversationPane, banner: Banner,
                 feed: ChangeFeed, link_action: QAction, unlink_action: QAction,
                 window: QWidget) -> None:
        super().__init__(window)
        self._bench, self._conv, self._banner, self._feed = bench, conversation, banner, feed
        self._link, self._unlink = link_action, unlink_action
        self._window = window
        self.identity: SenderIdentity | None = None  # of the conversation's contact
        self._shown_for: int | None = None  # the contact ``identity`` is of
        self.dialog: LinkCustomerDialog | None = None
        self.confirm: QMessageBox | None = None
        self._enable(None)

    # -- who wrote ---------------------------------------------------------
    def show_contact(self, detail: ContactDetail | None) -> None:
        """The conversation shows ``detail`` (None: another contact is on its way).

        The sender is read again only when the contact or its customer changed.
        """
        if detail is None or detail.contact.channel not in MESSAGING_CHANNELS:
            self._shown(None, None)
            return
        row = detail.contact
        if (self._shown_for == row.id and self.identity is not None
                and self.identity.customer_id == row.customer_id):
            return
        self._bench.jobs.read(self._bench.door.messaging.identity, row.id,
                              key=f"identity:{id(self)}",
                              on_success=lambda found: self._shown(row.id, found),
                              on_failure=self._refused)

    def _shown(self, contact_id: int | None, identity: SenderIdentity | None) -> None:
        if contact_id is not None and contact_id != self._conv.contact_id:
            return  # the agent has moved on to another contact
        self._shown_for, self.identity = contact_id, identity
        self._conv.header.show_identity(identity)
        self._enable(identity)

    def _enable(self, identity: SenderIdentity | None) -> None:
        """Link for any sender; Unlink only off a record that holds more than them."""
        self._link.setEnabled(identity is not None)
        self._unlink.setEnabled(identity is not None and not identity.own_record)

    def _sender(self) -> str:
        return self.identity.who if self.identity is not None else "this sender"

    # -- link ----------------------------------------------------------------
    def link(self) -> None:
        """Opens the dialog that finds the customer the sender is."""
        contact_id = self._contact()
        if contact_id is None:
            return
        current = self.identity.customer_id if self.identity is not None else None
        dialog = LinkCustomerDialog(contact_id, self._sender(), current, self._window)
        dialog.search_requested.connect(lambda text: self.search(dialog, text))
        dialog.submitted.connect(lambda c: self.link_to(contact_id, c, dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        dialog.query.setFocus()

    def search(self, dialog: LinkCustomerDialog, text: str) -> None:
        """Customers matching ``text`` (audited as a search), into the dialog."""
        self._bench.jobs.read(
            self._bench.door.customers.find, text, key=f"link-search:{id(self)}",
            on_success=lambda found: _if_alive(dialog, lambda: dialog.show_candidates(found)),
            on_failure=lambda exc: _if_alive(dialog, lambda: dialog.show_error(exc.message)))

    def link_to(self, contact_id: int, customer: CustomerSummary,
                dialog: LinkCustomerDialog | None = None) -> None:
        """Makes the sender of ``contact_id`` an identity of ``customer``."""
        who = self._sender()

        def linked(written: Written[int]) -> None:
            if dialog is not None and shiboken6.isValid(dialog):
                dialog.accept()
            self._done(written, f"{who} now belongs to {linked_name(customer)}.")

        def refused(exc: SwitchboardError) -> None:
            self._refused(exc)
            if dialog is not None and shiboken6.isValid(dialog):
                dialog.show_error(exc.message)

        self._write(self._bench.door.messaging.link_identity, contact_id, customer.id,
                    on_success=linked, on_failure=refused)

    # -- unlink ----------------------------------------------------------------
    def unlink(self) -> None:
        """Asks before splitting the sender off to a customer record of their own."""
        contact_id = self._contact()
        if contact_id is None:
            return
        detail = self._conv.detail
        owner = (linked_name(detail.customer) if detail is not None and detail.customer
                 else "their customer")
        box = QMessageBox(
            QMessageBox.Icon.Question, "Unlink from customer",
            f"Messages from {self._sender()} will no longer belong to {owner}: they get a "
            "customer record of their own, with this contact and the sender's other open "
            "contacts on this channel. The change is recorded in the audit log.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self._window)
        box.setObjectName("unlinkConfirmation")
        box.button(QMessageBox.StandardButton.Yes).setText("Unlink")
        box.button(QMessageBox.StandardButton.Yes).clicked.connect(
            lambda: self.unlink_contact(contact_id))
        box.finished.connect(box.deleteLater)
        self.confirm = box
        box.open()

    def unlink_contact(self, contact_id: int) -> None:
        """Splits the sender of ``contact_id`` off to a record of their own."""
        who = self._sender()
        self._write(self._bench.door.messaging.unlink_identity, contact_id,
                    on_success=lambda w: self._done(
                        w, f"{who} has a customer record of their own now (#{w.value})."),
                    on_failure=self._refused)

    # -- shared ------------------------------------------------------------------
    def _contact(self) -> int | None:
        contact_id = self._conv.contact_id
        if contact_id is None:
            self._banner.problem("Select a contact first (Ctrl+I goes to the inbox).")
        return contact_id

    def _write(self, fn: Callable[..., Written[int]], *args: Any,
               on_success: Callable[[Written[int]], None],
               on_failure: Callable[[SwitchboardError], None]) -> None:
        """One write; the feed holds back what it reads meanwhile until its change set is known."""
        self._feed.expect_own_write()

        def succeeded(written: Written[int]) -> None:
            self._feed.own_write_done(written.changes)
            on_success(written)

        def failed(exc: SwitchboardError) -> None:
            self._feed.own_write_done(None)
            on_failure(exc)

        self._bench.jobs.write(fn, *args, on_success=succeeded, on_failure=failed)

    def _done(self, written: Written[int], message: str) -> None:
        self._banner.info(message)
        self.applied.emit(written.changes)

    def _refused(self, exc: SwitchboardError) -> None:
        self._banner.problem(exc.message)


def _if_alive(dialog: LinkCustomerDialog | None, then: Callable[[], object]) -> None:
    """Runs ``then`` unless the dialog was closed (and deleted) meanwhile."""
    if dialog is not None and shiboken6.isValid(dialog):
        then()
