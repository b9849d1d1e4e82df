"""What the agent does to a contact: claim, reply, note, transfer, resolve, get next.

Each action is one write on the jobs helper's write lane. Success applies what
the write returned (the contact row, the new message, its change set) to the
inbox row and the conversation, without reading them again, and says so
briefly; the change feed then skips those changes. A refusal shows its message
in the banner (or inside the dialog). The composer is cleared only after the
service accepted the text, so a failure never loses what was typed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QWidget

from console.domain import AgentState, ContactRow, MessageKind, PostedMessage, Written
from console.errors import StaleContact, SwitchboardError, Unavailable
from console.services.inbox import new_idempotency_key
from ui.agent.agent_state import AgentStateTracker
from ui.agent.directory import Directory
from ui.agent.drafts import Drafts
from ui.agent.offline import OfflineOutbox
from ui.agent.panes.conversation import ConversationPane
from ui.shell.change_feed import ChangeFeed
from ui.shell.context import Workbench
from ui.shell.dialogs import ResolveDialog, ResolveRequest, TransferDialog, TransferRequest
from ui.widgets.banner import Banner


class ContactFlow(QObject):
    """Runs the contact actions for the conversation on screen.

    Args:
        bench: services, jobs, agent and clock.
        conversation: the conversation pane (its contact and composer).
        drafts: the agent's unsent texts.
        banner: where outcomes are shown.
        directory: queues, agents and dispositions for the dialogs.
        state: the agent-state tracker (claim means On contact, resolve means Wrap-up).
        feed: the change feed, told which changes this flow applied.
        window: the parent of the dialogs.

    Signals:
        row_changed(object): a ContactRow changed by this workstation's action.
        applied(object): the ChangeSet of an action, applied to the inbox and conversation.
        open_requested(int): a contact to open (from Get next).
        replied(object): the PostedMessage of a reply this window sent.
    """

    row_changed = Signal(object)
    replied = Signal(object)
    applied = Signal(object)
    open_requested = Signal(int)

    def __init__(self, bench: Workbench, conversation: ConversationPane, drafts: Drafts,
                 banner: Banner, directory: Directory, state: AgentStateTracker,
                 feed: ChangeFeed, window: QWidget) -> None:
        super().__init__(window)
        self._bench, self._conv, self._drafts = bench, conversation, drafts
        self._banner, self._directory, self._state = banner, directory, state
        self._feed = feed
        self._window = window
        self._sending = False
        self._attempt: tuple[int, MessageKind, str, str] | None = None
        self.dialog: TransferDialog | ResolveDialog | None = None
        self.outbox: OfflineOutbox | None = None  # set by the window
        self._versions: dict[int, int] = {}  # contact versions reported by our own writes
        self._in_flight: Counter[int] = Counter()

    @property
    def _login(self) -> str:
        return self._bench.agent.login

    def _contact(self) -> int | None:
        contact_id = self._conv.contact_id
        if contact_id is None:
            self._banner.problem("Select a contact first (Ctrl+I goes to the inbox).")
        return contact_id

    def _done(self, written: Written[ContactRow | PostedMessage], message: str, *,
              disposition: str | None = None) -> None:
        """Applies a write's result to the inbox and the conversation instead of re-reading."""
        value = written.value
        row, posted = (value.contact, value.message) if isinstance(value, PostedMessage) else (
            value, None)
        self.row_changed.emit(row)
        self._conv.apply_write(row, written.changes, posted, disposition=disposition)
        self.applied.emit(written.changes)
        self._banner.info(message)

    # -- claim and get next ---------------------------------------------
    def claim(self) -> None:
        contact_id = self._contact()
        if contact_id is None:
            return
        self._write(contact_id, self._bench.door.inbox.claim, contact_id, self._login,
                               on_success=self._claimed, on_failure=self._refused)

    def _claimed(self, written: Written[ContactRow]) -> None:
        self._state.follow_work(AgentState.ON_CONTACT, only_from={AgentState.AVAILABLE})
        self._done(written, f"Contact {written.value.id} is yours.")

    def get_next(self) -> None:
        self._write(None, self._bench.door.inbox.next_best, self._login,
                               on_success=self._got_next, on_failure=self._refused)

    def _got_next(self, written: Written[ContactRow | None]) -> None:
        row = written.value
        if row is None:
            self._banner.info("Nobody is waiting in your queues right now.")
            return
        self._state.follow_work(AgentState.ON_CONTACT, only_from={AgentState.AVAILABLE})
        self.row_changed.emit(row)
        self.open_requested.emit(row.id)
        self._banner.info(f"Contact {row.id} from {row.customer_name} is yours.")

    def _refused(self, exc: SwitchboardError) -> None:
        self._banner.problem(exc.message)

    # -- reply and note ---------------------------------------------------
    def send_reply(self) -> None:
        self._send(MessageKind.OUTBOUND)

    def add_note(self) -> None:
        self._send(MessageKind.NOTE)

    def _send(self, kind: MessageKind) -> None:
        contact_id = self._contact()
        if contact_id is None or self._sending:
            return
        text = self._conv.composer.text()
        if not text.strip():
            self._conv.composer.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)
            what = "reply" if kind == MessageKind.OUTBOUND else "note"
            self._banner.problem(f"Type the {what} first, then send it.")
            return
        key = self._key_for(contact_id, kind, text)
        inbox = self._bench.door.inbox
        call: Callable[..., Any] = inbox.reply if kind == MessageKind.OUTBOUND else inbox.add_note
        self._sending = True
        self._conv.composer.set_busy(True)
        # A reply is checked against the version on screen: if someone changed the
        # contact meanwhile, the agent sees what changed and decides. A note never conflicts.
        version = self._seen_version(contact_id) if kind == MessageKind.OUTBOUND else None
        extra = {"expected_version": version} if version is not None else {}
        self._write(contact_id, call, contact_id, self._login, text, idempotency_key=key, **extra,
                               on_success=lambda w: self._sent(contact_id, kind, text, w),
                               on_failure=self._send_failed)

    def _seen_version(self, contact_id: int) -> int | None:
        """The contact's version as the agent knows it: on screen, or after their own last write.

        None (no check) while one of this workstation's own writes to the contact
        is on its way: its outcome, not someone else's change, moves the version.
        """
        if self._in_flight[contact_id]:
            return None
        detail = self._conv.detail
        shown = detail.contact.version if detail and detail.contact.id == contact_id else None
        known = self._versions.get(contact_id)
        if shown is None or known is None:
            return shown if known is None else known
        return max(shown, known)

    def _write(self, contact_id: int | None, fn: Callable[..., Any], *args: Any,
               on_success: Callable[[Any], None], on_failure: Callable[[SwitchboardError], None],
               **kwargs: Any) -> None:
        """One action on the write lane, remembering the version its result reports.

        The feed holds back what it reads meanwhile until the write's change
        set is known, so the changes this flow applies are not reported again.
        """
        if contact_id is not None:
            self._in_flight[contact_id] += 1
        self._feed.expect_own_write()

        def settle(result: Written[Any] | None) -> None:
            if contact_id is not None:
                self._in_flight[contact_id] -= 1
            self._feed.own_write_done(result.changes if result is not None else None)
            row_id, version = _version_of(result.value if result is not None else None)
            if row_id is not None and version is not None:
                self._versions[row_id] = max(version, self._versions.get(row_id, 0))

        def succeeded(result: Any) -> None:
            settle(result)
            on_success(result)

        def failed(exc: SwitchboardError) -> None:
            settle(None)
            on_failure(exc)

        self._bench.jobs.write(fn, *args, on_success=succeeded, on_failure=failed, **kwargs)

    def _key_for(self, contact_id: int, kind: MessageKind, text: str) -> str:
        """The same text sent again after a failure reuses its key: it is applied once."""
        if self._attempt is not None and self._attempt[:3] == (contact_id, kind, text):
            return self._attempt[3]
        key = new_idempotency_key()
        self._attempt = (contact_id, kind, text, key)
        return key

    def _sent(self, contact_id: int, kind: MessageKind, text: str,
              written: Written[PostedMessage]) -> None:
        self._sending, self._attempt = False, None
        self._conv.composer.set_busy(False)
        self._take_from_composer(contact_id, text)
        if kind != MessageKind.OUTBOUND:
            self._done(written, "Note added.")
            return
        self._state.follow_work(AgentState.ON_CONTACT, only_from={AgentState.AVAILABLE})
        # Never "sent": delivery to the customer is the channel gateway's (issue 11). A reply
        # with a delivery job waits for it; one without (phone, walk-in) is only recorded.
        queued = written.value.message.delivery is not None
        self._done(written, "Reply queued." if queued else "Reply recorded.")
        self.replied.emit(written.value)

    def _take_from_composer(self, contact_id: int, text: str) -> None:
        """Removes a sent (or safely kept) text from the draft, keeping anything typed since."""
        draft = self._drafts.get(contact_id)
        if draft.startswith(text):
            self._drafts.put(contact_id, draft[len(text):].lstrip())
        if self._conv.contact_id == contact_id:
            self._conv.composer.set_text(self._drafts.get(contact_id))

    def _send_failed(self, exc: SwitchboardError) -> None:
        self._sending = False
        self._conv.composer.set_busy(False)
        if isinstance(exc, Unavailable) and self.outbox is not None and self._attempt is not None:
            self._keep_offline(*self._attempt)
            return
        if isinstance(exc, StaleContact):
            self._conv.reload()  # show what changed; the text stays in the composer
            self._banner.problem(f"{exc.message} Your reply was not sent; send it again "
                                 "when you have read the latest.")
            return
        self._banner.problem(exc.message)

    def _keep_offline(self, contact_id: int, kind: MessageKind, text: str, key: str) -> None:
        """The database is away: the text goes to the outbox and leaves the composer."""
        assert self.outbox is not None
        self.outbox.keep_message(contact_id, kind, text, key)
        self._attempt = None
        self._take_from_composer(contact_id, text)
        what = "reply" if kind == MessageKind.OUTBOUND else "note"
        self._banner.problem(f"The shared database cannot be reached. Your {what} is kept on this "
                             "computer and will be sent when it is back.")

    # -- transfer and resolve ---------------------------------------------
    def transfer(self) -> None:
        contact_id = self._contact()
        if contact_id is None:
            return
        ref = self._directory.reference
        others = tuple(a for a in ref.agents if a.login != self._login)
        dialog = TransferDialog(contact_id, ref.queues, others, self._window)
        dialog.submitted.connect(lambda req: self._transfer(contact_id, dialog, req))
        self._open(dialog)

    def _transfer(self, contact_id: int, dialog: TransferDialog, req: TransferRequest) -> None:
        dialog.set_busy(True)
        self._write(
            contact_id, self._bench.door.inbox.transfer, contact_id, self._login, to_queue=req.to_queue,
            to_agent=req.to_agent, note=req.note,
            on_success=lambda w: self._closed(dialog, w, f"Contact {w.value.id} transferred."),
            on_failure=lambda exc: self._dialog_refused(dialog, exc))

    def resolve(self) -> None:
        contact_id = self._contact()
        if contact_id is None:
            return
        dialog = ResolveDialog(contact_id, self._directory.reference.dispositions, self._window)
        dialog.submitted.connect(lambda req: self._resolve(contact_id, dialog, req))
        self._open(dialog)

    def _resolve(self, contact_id: int, dialog: ResolveDialog, req: ResolveRequest) -> None:
        dialog.set_busy(True)
        self._write(
            contact_id, self._bench.door.inbox.resolve, contact_id, self._login, req.disposition,
            note=req.note, expected_version=self._seen_version(contact_id),
            on_success=lambda w: self._resolved(dialog, w, req.disposition),
            on_failure=lambda exc: self._resolve_refused(contact_id, dialog, req, exc))

    def _resolve_refused(self, contact_id: int, dialog: ResolveDialog, req: ResolveRequest,
                         exc: SwitchboardError) -> None:
        """Offline, the resolution is kept and sent later; any other refusal shows in the dialog."""
        if not (isinstance(exc, Unavailable) and self.outbox is not None):
            self._dialog_refused(dialog, exc)
            return
        self.outbox.keep_resolve(contact_id, req.disposition, req.note)
        if shiboken6.isValid(dialog):
            dialog.accept()
        if self.dialog is dialog:
            self.dialog = None
        self._banner.problem("The shared database cannot be reached. The resolution is kept on "
                             "this computer and recorded when it is back.")

    def _resolved(self, dialog: ResolveDialog, written: Written[ContactRow], code: str) -> None:
        self._state.follow_work(AgentState.WRAP_UP, only_from={AgentState.ON_CONTACT})
        # The header shows the disposition's label: the one the agent picked from.
        label = next((d.label for d in self._directory.reference.dispositions if d.code == code),
                     None)
        self._closed(dialog, written, f"Contact {written.value.id} resolved.", disposition=label)

    def _open(self, dialog: TransferDialog | ResolveDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _closed(self, dialog: TransferDialog | ResolveDialog, written: Written[ContactRow],
                message: str, *, disposition: str | None = None) -> None:
        if shiboken6.isValid(dialog):
            dialog.accept()
        if self.dialog is dialog:
            self.dialog = None
        self._done(written, message, disposition=disposition)

    def _dialog_refused(self, dialog: TransferDialog | ResolveDialog,
                        exc: SwitchboardError) -> None:
        """Shows the refusal in the dialog, or in the banner if it was closed meanwhile."""
        if isinstance(exc, StaleContact):
            self._conv.reload()  # the next try checks against what is then on screen
        if shiboken6.isValid(dialog) and dialog.isVisible():
            dialog.show_error(exc.message)
        else:
            self._banner.problem(exc.message)


def _version_of(result: Any) -> tuple[int | None, int | None]:
    """(contact id, version) reported by an action's result, when it reports one."""
    if isinstance(result, ContactRow):
        return result.id, result.version
    if isinstance(result, PostedMessage):
        return result.contact.id, result.contact.version
    return None, None
