"""What each inbox cell shows for each role: text, icon, tooltip, colours, alignment.

Kept apart from the model so the model is about rows and paging, and this is
about how a contact reads on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import cache
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from console.domain import ContactRow, Priority
from console.domain.calls import CallState
from ui.shell import palette, timefmt
from ui.shell.icons import channel_icon, channel_label, icon
from ui.shell.roles import SlaStateRole

R = Qt.ItemDataRole
PRIORITY_LABELS = {Priority.URGENT: "Urgent", Priority.HIGH: "High", Priority.NORMAL: "Normal",
                   Priority.LOW: "Low"}
_CENTER = int(Qt.AlignmentFlag.AlignCenter)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_LEFT = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)


@cache
def _brush(colour: str) -> QBrush:
    return QBrush(QColor(colour))


@cache
def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


_TEXT: dict[str, Callable[[ContactRow, datetime, float], str]] = {
    "CHANNEL": lambda row, now, ratio: "",
    "CUSTOMER": lambda row, now, ratio: row.customer_name,
    "SUBJECT": lambda row, now, ratio: row.subject,
    "QUEUE": lambda row, now, ratio: row.queue_name,
    "PRIORITY": lambda row, now, ratio: PRIORITY_LABELS[row.priority],
    "STATUS": lambda row, now, ratio: row.status.value.capitalize(),
    "WAITING": lambda row, now, ratio: timefmt.waiting(row, now),
    "SLA": lambda row, now, ratio: timefmt.sla(row, now, ratio).text,
    "ASSIGNEE": lambda row, now, ratio: row.assignee_name or "Unassigned",
}


def _text(row: ContactRow, column: str, now: datetime, ratio: float) -> str:
    return _TEXT[column](row, now, ratio)


def _tooltip(row: ContactRow, column: str, now: datetime, tz: tzinfo | None,
             ratio: float) -> str | None:
    if column == "SUBJECT":
        return f"{row.subject}\n\n{row.preview}" if row.preview else row.subject
    if column == "SLA":
        return timefmt.sla(row, now, ratio, tz).detail
    tips = {
        "CHANNEL": channel_label(row.channel),
        "WAITING": f"Arrived {timefmt.clock_time(row.created_at, tz)}",
        "ASSIGNEE": (f"{row.assignee_name} ({row.assignee_login})" if row.assignee_login
                     else "Nobody has claimed this contact yet"),
        "CUSTOMER": row.customer_name,
    }
    return tips.get(column)


_SLA_FOREGROUND = {timefmt.SlaState.BREACHED: palette.BREACH_FG,
                   timefmt.SlaState.WARNING: palette.WARNING_FG}
_PRIORITY_FOREGROUND = {Priority.URGENT: palette.URGENT_FG, Priority.HIGH: palette.HIGH_FG}


def _foreground(row: ContactRow, column: str, now: datetime, ratio: float) -> QBrush | None:
    colour: str | None = None
    if column == "SLA":
        colour = _SLA_FOREGROUND.get(timefmt.sla(row, now, ratio).state)
    if colour is None and not row.status.is_active:
        colour = palette.MUTED
    elif colour is None and column == "PRIORITY":
        colour = _PRIORITY_FOREGROUND.get(row.priority)
    elif colour is None and column == "ASSIGNEE" and row.assignee_id is None:
        colour = palette.MUTED
    return _brush(colour) if colour else None


def _alignment(row: ContactRow, column: str, *_: Any) -> int:
    if column == "CHANNEL":
        return _CENTER
    return _RIGHT if column in {"WAITING", "SLA"} else _LEFT


def _font(row: ContactRow, column: str, now: datetime, _tz: tzinfo | None,
          ratio: float) -> QFont | None:
    if column == "PRIORITY":
        return _bold() if row.priority == Priority.URGENT else None
    if column == "SUBJECT":
        fresh = row.assignee_id is None and row.status.is_active
        return _bold() if fresh else None
    if column == "SLA":
        late = timefmt.sla(row, now, ratio).state in {timefmt.SlaState.WARNING,
                                                       timefmt.SlaState.BREACHED}
        return _bold() if late else None
    return None


def _decoration(row: ContactRow, column: str, *_: Any) -> Any:
    return channel_icon(row.channel) if column == "CHANNEL" else None


def _accessible(row: ContactRow, column: str, now: datetime, _tz: tzinfo | None,
                ratio: float) -> str:
    return channel_label(row.channel) if column == "CHANNEL" else _text(row, column, now, ratio)


def _sla_state(row: ContactRow, _column: str, now: datetime, _tz: tzinfo | None,
               ratio: float) -> str:
    return timefmt.sla(row, now, ratio).state.value


_HANDLERS: dict[int, Callable[..., Any]] = {
    R.DisplayRole: lambda row, col, now, _tz, ratio: _text(row, col, now, ratio),
    R.ToolTipRole: _tooltip,
    R.DecorationRole: _decoration,
    R.ForegroundRole: lambda row, col, now, _tz, ratio: _foreground(row, col, now, ratio),
    R.TextAlignmentRole: _alignment,
    R.FontRole: _font,
    R.AccessibleTextRole: _accessible,
    SlaStateRole: _sla_state,
}


# A call on the contact (console.services.calls.live): how its row reads instead.
CALL_STATUS = {CallState.RINGING: "Ringing", CallState.TALKING: "On call"}
CALL_WORDS = {CallState.RINGING: "ringing", CallState.TALKING: "on a call",
              CallState.ENDED: "call ended, wrap-up"}
_CALL_ICONS = {CallState.RINGING: "ringing", CallState.TALKING: "on_call"}


def _call_cell(row: ContactRow, column: str, role: int, call: CallState) -> Any:
    """What a call changes in a cell (None: nothing, the contact's own value stands).

    A ringing call tints its whole row and rings in the channel column; the
    status column says Ringing or On call.
    """
    if role == R.BackgroundRole and call is CallState.RINGING:
        return _brush(palette.RINGING_BG)
    if column == "CHANNEL":
        if role == R.DecorationRole and call in _CALL_ICONS:
            return icon(_CALL_ICONS[call])
        if role in (R.ToolTipRole, R.AccessibleTextRole):
            return f"{channel_label(row.channel)}: {CALL_WORDS[call]}"
    if column == "STATUS" and role in (R.DisplayRole, R.AccessibleTextRole):
        return CALL_STATUS.get(call)
    if column == "STATUS" and role == R.ForegroundRole and call is CallState.RINGING:
        return _brush(palette.RINGING_FG)
    return None


def cell(row: ContactRow, column: str, role: int, now: datetime, tz: tzinfo | None,
         ratio: float = timefmt.DEFAULT_WARNING_RATIO, call: CallState | None = None) -> Any:
    """The value of one inbox cell for one role (None for roles it does not answer).

    Args:
        call: the state of a call on the contact the window follows, None when none.
    """
    if call is not None:
        value = _call_cell(row, column, role, call)
        if value is not None:
            return value
    handler = _HANDLERS.get(role)
    return handler(row, column, now, tz, ratio) if handler else None
