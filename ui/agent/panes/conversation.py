"""The centre of the window: the selected contact's customer, thread and reply composer.

Switching contacts parks the typed text as that contact's draft and brings
back the draft of the contact opened, so nothing typed is ever lost. After
this window's own write the pane applies what the write returned instead of
reading the contact again. A reply's delivery moving (the gateway, in another
process) reads the thread again; a kept attachment's Save… link saves it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Collection, Mapping, Sequence

from PySide6.QtCore import QSize, Qt, QUrl, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QSplitter, QToolBar, QVBoxLayout, QWidget

from console.domain import ChangeSet, ContactDetail, ContactRow, MessageInfo
from console.sync.outbox import OutboxEntry
from ui.agent.attachments import AttachmentSaver
from ui.agent.drafts import Drafts
from ui.agent.panes.composer import Composer
from ui.agent.panes.customer_header import CustomerHeader
from ui.agent.panes.thread_parts import SAVE_ATTACHMENT
from ui.agent.panes.thread_view import ThreadView
from ui.agent.presence import PresenceLabel
from ui.shell.context import Workbench

log = logging.getLogger(__name__)


class ConversationPane(QWidget):
    """Customer header, contact toolbar, message thread and composer.

    Args:
        bench: services, jobs, agent and clock.
        drafts: where unsent texts are kept per contact.
        reply_action: the window's "Send reply" action.
        note_action: the window's "Add note" action.
        contact_actions: actions shown in the contact toolbar (claim, transfer...).
        parent: the owning widget.

    Attributes:
        saver: saves attachments (its ``ask_path`` asks where).

    Signals:
        detail_loaded(object): the ContactDetail now on screen.
        error(object): a SwitchboardError while loading or saving.
        notice(str): a confirmation for the banner (an attachment saved).
    """

    detail_loaded = Signal(object)
    error = Signal(object)
    notice = Signal(str)

    def __init__(self, bench: Workbench, drafts: Drafts, reply_action: QAction,
                 note_action: QAction, contact_actions: Sequence[QAction],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conversation")
        self._bench, self._drafts = bench, drafts
        self._contact_id: int | None = None
        self._detail: ContactDetail | None = None
        self._kept: list[OutboxEntry] = []
        self.header = CustomerHeader(bench.agent.login, self)
        self.presence = PresenceLabel(self)
        self.toolbar = QToolBar("Contact", self)
        self.toolbar.setObjectName("contactToolbar")
        self.toolbar.setIconSize(QSize(16, 16))
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addActions(list(contact_actions))
        self.thread_view = ThreadView(self)
        self.thread_view.anchorClicked.connect(self._thread_link)
        self.saver = AttachmentSaver(bench, self)
        self.saver.saved.connect(self.notice.emit)
        self.saver.error.connect(self.error.emit)
        self.composer = Composer(reply_action, note_action, self)
        self.composer.text_edited.connect(self._remember_draft)
        split = QSplitter(Qt.Orientation.Vertical, self)
        split.setObjectName("conversationSplitter")
        split.setChildrenCollapsible(False)
        split.addWidget(self.thread_view)
        split.addWidget(self.composer)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        self.splitter = split
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.header)
        box.addWidget(self.presence)
        box.addWidget(self.toolbar)
        box.addWidget(split, 1)
        self.composer.setEnabled(False)

    @property
    def contact_id(self) -> int | None:
        return self._contact_id

    @property
    def detail(self) -> ContactDetail | None:
        """What is on screen (None while the first load of a contact is on its way)."""
        return self._detail

    def open_contact(self, contact_id: int | None) -> None:
        """Shows ``contact_id`` (None: nothing), swapping the composer's draft."""
        if contact_id == self._contact_id:
            return
        self._contact_id, self._detail = contact_id, None
        self.presence.show_others([])
        self.composer.set_text(self._drafts.get(contact_id) if contact_id else "")
        self.composer.setEnabled(contact_id is not None)
        if contact_id is None:
            self.header.show_empty()
            self.thread_view.clear()
            return
        self.header.show_loading(contact_id)
        self.reload()

    def reload(self) -> None:
        """Fetches the current contact again (after an action, or a change elsewhere)."""
        contact_id = self._contact_id
        if contact_id is None:
            return
        self._bench.jobs.read(self._bench.door.inbox.detail, contact_id,  # audited
                              key=f"conversation:{id(self)}",
                              on_success=lambda d: self._show(contact_id, d),
                              on_failure=self.error.emit)

    def contacts_changed(self, contact_ids: Collection[int]) -> None:
        """Reloads when the contact on screen changed (a new message, a claim...)."""
        if self._contact_id in contact_ids:
            self.reload()

    def entities_changed(self, changed: Mapping[str, Collection[str]]) -> None:
        """Reads the thread again when a change names one of its messages or deliveries.

        A gateway moving a reply's delivery records ``delivery`` and ``message``
        but not the contact, so ``contacts_changed`` does not see it.
        """
        detail = self._detail
        if detail is None or detail.contact.id != self._contact_id:
            return
        messages = {m.id for m in detail.messages}
        jobs = {str(m.delivery.job_id) for m in detail.messages if m.delivery is not None}
        if messages & set(changed.get("message", ())) or jobs & set(changed.get("delivery", ())):
            self.reload()

    def save_attachment(self, attachment_id: int) -> None:
        """Saves one of the thread's kept attachments where the agent chooses."""
        detail = self._detail
        found = next((a for m in detail.messages for a in m.attachments
                      if a.id == attachment_id), None) if detail is not None else None
        if detail is not None and found is not None:
            self.saver.save(detail.contact.id, found)

    def _thread_link(self, url: QUrl) -> None:
        link = url.toString()
        if link.startswith(SAVE_ATTACHMENT) and link.removeprefix(SAVE_ATTACHMENT).isdigit():
            self.save_attachment(int(link.removeprefix(SAVE_ATTACHMENT)))

    def apply_write(self, row: ContactRow, changes: ChangeSet, message: MessageInfo | None = None,
                    *, disposition: str | None = None) -> None:
        """Shows what this window's own write left: the contact's row and its new message.

        Reads the contact again only when the write added messages the pane
        was not given (a transfer's or resolution's note), or when the contact
        is still loading.
        """
        if row.id != self._contact_id:
            return
        detail = self._detail
        if detail is None or detail.contact.id != row.id:
            self.reload()  # the load on its way may have started before the write
            return
        known = {m.id for m in detail.messages}
        added = () if message is None or message.id in known else (message,)
        if changes.ids("message") - known - {m.id for m in added}:
            self.reload()
            return
        messages = tuple(sorted(detail.messages + added, key=lambda m: (m.created_at, m.id)))
        self._show(row.id, dataclasses.replace(detail, contact=row, messages=messages,
                                               disposition=disposition or detail.disposition))

    def _show(self, contact_id: int, detail: ContactDetail) -> None:
        if contact_id != self._contact_id:
            return
        shown = self._detail
        if shown is not None and shown.contact.id == contact_id and (
                detail.contact.version < shown.contact.version):
            return  # read before this window's own write, which is already on screen
        self._detail = detail
        self.header.show_detail(detail)
        self._show_thread()
        self.detail_loaded.emit(detail)

    def show_kept(self, entries: Sequence[OutboxEntry]) -> None:
        """Replies and notes kept offline for the contact on screen."""
        self._kept = list(entries)
        self._show_thread()

    def _show_thread(self) -> None:
        detail = self._detail
        if detail is None:
            if self._kept:
                self.thread_view.show_messages([], "Customer", self._bench.tz, self._kept)
            return
        name = detail.customer.display_name if detail.customer else "Customer"
        self.thread_view.show_messages(detail.messages, name, self._bench.tz, self._kept)

    def _remember_draft(self, text: str) -> None:
        if self._contact_id is not None:
            self._drafts.put(self._contact_id, text)
