"""How a message's delivery and attachments read in the thread: plain words, then HTML.

Pure functions of the frozen values the services return, so the words are
tested without a window.
"""

from __future__ import annotations

import html
from datetime import tzinfo

from console.domain import AttachmentInfo, MessageDelivery
from console.domain.channel_accounts import DeliveryState
from console.units import human_size
from ui.shell import palette
from ui.shell.timefmt import clock_time

SAVE_ATTACHMENT = "attachment:save:"  # link on a kept attachment: saves it where the agent says
NO_REASON = "the gateway gave no reason"
_TYPES = {
    "application/pdf": "PDF",
    "application/zip": "ZIP archive",
    "application/msword": "Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word document",
    "application/vnd.ms-excel": "Excel workbook",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel workbook",
    "text/plain": "Text",
    "text/html": "HTML",
    "text/csv": "CSV",
    "message/rfc822": "E-mail",
}


# A LINE push is paid for: it counts against the account's monthly message quota.
PUSH_NOTE = "counts against the monthly message quota"


def delivery_label(delivery: MessageDelivery, tz: tzinfo | None) -> str:
    """"Queued", "Sending…", "Sent 10:42", "Not delivered: …" or "Queued — retry at 10:45 (…)".

    A messaging reply says how it went: "Sent (LINE reply) 10:42", "Sent (LINE
    push — counts against the monthly message quota) 10:42", "Sent (SMS) 10:42".
    """
    if delivery.state == DeliveryState.SENT:
        at = clock_time(delivery.updated_at, tz)
        if delivery.way is None:
            return f"Sent {at}"
        way = f"{delivery.way} — {PUSH_NOTE}" if delivery.method == "push" else delivery.way
        return f"Sent ({way}) {at}"
    if delivery.state == DeliveryState.SENDING:
        return "Sending…"
    if delivery.state == DeliveryState.FAILED:
        return f"Not delivered: {delivery.reason or NO_REASON}"
    if delivery.retrying and delivery.next_attempt_at is not None:
        return f"Queued — retry at {clock_time(delivery.next_attempt_at, tz)} ({delivery.reason})"
    return "Queued"


def delivery_html(delivery: MessageDelivery, tz: tzinfo | None) -> str:
    """The label in its colour: green once sent, red when not delivered, amber while retrying."""
    text = html.escape(delivery_label(delivery, tz))
    if delivery.state == DeliveryState.SENT:
        # The time stays on the line of the word before it, never alone on the next.
        head, _, at = text.rpartition(" ")
        text = f"{head}&nbsp;{at}"
    if delivery.state == DeliveryState.FAILED:
        colour, text = palette.URGENT_FG, f"<b>{text}</b>"
    elif delivery.state == DeliveryState.SENT:
        colour = palette.OK_FG
    elif delivery.retrying:
        colour = palette.WARNING_FG
    else:
        colour = palette.DETAIL_FG
    return f"<span style='color:{colour}; font-size:small;'>{text}</span>"


def type_label(content_type: str) -> str:
    """A MIME type as people say it: "PDF", "PNG image", "Word document"."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind in _TYPES:
        return _TYPES[kind]
    major, _, minor = kind.partition("/")
    short = minor.removeprefix("x-").split("+", 1)[0].upper()
    if major in ("image", "audio", "video") and short:
        return f"{short} {major}"
    return short if 0 < len(short) <= 8 else (kind or "unknown type")


def attachment_label(a: AttachmentInfo) -> str:
    """"report.pdf · PDF · 1.2 MB", then why it was not kept when it was not."""
    parts = [a.filename or "(no name)", type_label(a.content_type), human_size(a.size)]
    if a.inline:
        parts.append("inline")
    text = " · ".join(parts)
    if not a.kept:
        text += f" — not kept: {a.note or 'no reason recorded'}"
    return text


def attachments_html(attachments: tuple[AttachmentInfo, ...]) -> str:
    """The attachments under their message, each kept one with its Save… link."""
    if not attachments:
        return ""
    lines = []
    for a in attachments:
        label = html.escape(attachment_label(a))
        if a.kept:
            lines.append(f"{label} · <a href='{SAVE_ATTACHMENT}{a.id}'>Save…</a>")
        else:
            lines.append(f"<span style='color:{palette.DETAIL_FG};'>{label}</span>")
    caption = "Attachment" if len(attachments) == 1 else f"{len(attachments)} attachments"
    return (f"<div style='margin-top:6px; font-size:small;'><b>{caption}</b><br>"
            f"{'<br>'.join(lines)}</div>")
