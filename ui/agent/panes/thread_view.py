"""The message thread: customer messages, replies and internal notes, each distinct at a glance.

Inbound messages sit on the left in grey, replies on the right in the accent
tint, internal notes full width in pale yellow and labelled, so a note is
never mistaken for something the customer saw. A reply says where it is on
its way (queued, sending, sent, not delivered) and, on LINE, SMS or
Messenger, which way it went (a LINE push counts against the account's
monthly quota); attachments are listed under their message, each kept one
with a link to save it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import tzinfo

from PySide6.QtWidgets import QTextBrowser, QWidget

from console.domain import MessageInfo, MessageKind
from console.sync.outbox import EntryKind, OutboxEntry
from ui.agent.panes.thread_parts import attachments_html, delivery_html, delivery_label
from ui.shell import palette

TAKE_BACK = "outbox:take-back:"  # link on a refused entry: its text returns to the composer
_LABELS = {MessageKind.INBOUND: "Customer", MessageKind.OUTBOUND: "Reply",
           MessageKind.NOTE: "Internal note"}


def _bubble(message: MessageInfo, customer: str, tz: tzinfo | None) -> str:
    at = (message.created_at.astimezone(tz) if tz else message.created_at).strftime("%d %b %H:%M")
    who = customer if message.kind == MessageKind.INBOUND else (message.author or "Agent")
    label = _LABELS[message.kind]
    head = (f"<span style='color:{palette.MUTED}; font-size:small;'><b>{html.escape(who)}</b>"
            f" · {label} · {at}</span>")
    body = html.escape(message.body).replace("\n", "<br>")
    if message.delivery is not None:
        body += f"<br>{delivery_html(message.delivery, tz)}"
    body += attachments_html(message.attachments)
    colour = {MessageKind.INBOUND: palette.INBOUND_BG, MessageKind.OUTBOUND: palette.OUTBOUND_BG,
              MessageKind.NOTE: palette.NOTE_BG}[message.kind]
    cell = f"<td bgcolor='{colour}' style='padding:8px 10px;'>{head}<br>{body}</td>"
    spacer = "<td width='18%'></td>"
    if message.kind == MessageKind.INBOUND:
        row = cell + spacer
    elif message.kind == MessageKind.OUTBOUND:
        row = spacer + cell
    else:
        row = cell
    return (f"<table width='100%' cellspacing='0' cellpadding='0' "
            f"style='margin-bottom:8px;'><tr>{row}</tr></table>")


def _kept_bubble(entry: OutboxEntry, tz: tzinfo | None) -> str:
    """A reply or note kept offline: dashed, with what happens to it next."""
    at = (entry.created_at.astimezone(tz) if tz else entry.created_at).strftime("%d %b %H:%M")
    what = {EntryKind.REPLY: "Reply", EntryKind.NOTE: "Internal note"}.get(
        entry.kind, f"Resolution ({html.escape(str(entry.payload.get('disposition', '')))})")
    if entry.failed:
        status = (f"<span style='color:{palette.URGENT_FG};'><b>Not sent:</b> "
                  f"{html.escape(entry.problem)}</span> · <a href='{TAKE_BACK}{entry.key}'>"
                  "Move back to the composer</a>")
    else:
        status = f"<b>Waiting to be sent</b> (kept on this computer while offline) · {at}"
    head = f"<span style='font-size:small; color:{palette.MUTED};'>{what} · {status}</span>"
    body = html.escape(entry.text).replace("\n", "<br>")
    return (f"<table width='100%' cellspacing='0' cellpadding='0' style='margin-bottom:8px;'>"
            f"<tr><td width='18%'></td><td style='padding:8px 10px; border:1px dashed "
            f"{palette.BORDER};'>{head}<br>{body}</td></tr></table>")


class ThreadView(QTextBrowser):
    """A read-only view of one contact's messages, oldest at the top.

    The newest message stays in view as the thread grows or the pane shrinks,
    unless the agent scrolled up to read: a reply's delivery moving (which
    shows the thread again) then leaves them where they were.

    Args:
        parent: the owning widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thread")
        self.setOpenLinks(False)
        self.setPlaceholderText("Messages of the selected contact appear here.")
        self._tz: tzinfo | None = None
        self._shown: dict[str, MessageInfo] = {}
        self._contact_id: int | None = None
        self._follow_newest = True
        self._replacing = False
        bar = self.verticalScrollBar()
        bar.valueChanged.connect(self._scrolled)
        bar.rangeChanged.connect(self._resized)

    def show_messages(self, messages: Sequence[MessageInfo], customer: str,
                      tz: tzinfo | None, kept: Sequence[OutboxEntry] = ()) -> None:
        """Shows the thread, then what is kept offline, with the newest in view."""
        contact_id = messages[0].contact_id if messages else None
        bar = self.verticalScrollBar()
        follow = self._follow_newest or contact_id != self._contact_id
        position = bar.value()
        self._tz, self._shown, self._contact_id = tz, {m.id: m for m in messages}, contact_id
        self._replacing = True  # setHtml scrolls to the top on its way
        try:
            if not messages and not kept:
                self.setHtml(f"<p style='color:{palette.MUTED};'>No messages on this contact yet."
                             "</p>")
            else:
                self.setHtml("".join(_bubble(m, customer, tz) for m in messages)
                             + "".join(_kept_bubble(e, tz) for e in kept))
        finally:
            self._replacing = False
        self._follow_newest = follow
        bar.setValue(bar.maximum() if follow else position)

    def _scrolled(self, value: int) -> None:
        if not self._replacing:
            self._follow_newest = value >= self.verticalScrollBar().maximum()

    def _resized(self, _lowest: int, highest: int) -> None:
        if self._follow_newest and not self._replacing:
            self.verticalScrollBar().setValue(highest)

    def clear(self) -> None:
        """Empties the thread (no contact on screen)."""
        self._shown, self._contact_id, self._follow_newest = {}, None, True
        super().clear()

    def delivery_text(self, message_id: str) -> str | None:
        """The delivery state shown under a message ("Sent 10:42"), None when it shows none."""
        message = self._shown.get(message_id)
        if message is None or message.delivery is None:
            return None
        return delivery_label(message.delivery, self._tz)

    @property
    def message_count(self) -> int:
        """How many message tables the thread holds (for tests and accessibility)."""
        return self.toHtml().count("<table")
