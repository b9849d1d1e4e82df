"""The open contact's live timers in the conversation toolbar: waiting time and SLA remaining."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QLabel, QWidget

from console.domain import ContactRow
from ui.shell import palette, timefmt

_STYLES = {
    timefmt.SlaState.BREACHED: f"color:{palette.BREACH_FG}; background:{palette.BREACH_BG};",
    timefmt.SlaState.WARNING: f"color:{palette.WARNING_FG}; background:{palette.WARNING_BG};",
}


class ContactTimers(QLabel):
    """"Waiting 12:04 · SLA 07:56" for one contact, coloured at warning and breach.

    Args:
        parent: the owning widget.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contactTimers")
        self.setAccessibleName("Contact timers")
        self.row: ContactRow | None = None
        self.state = timefmt.SlaState.NONE

    def set_row(self, row: ContactRow | None) -> None:
        self.row = row
        if row is None:
            self.clear()
            self.setToolTip("")
            self.setStyleSheet("")

    def tick(self, now: datetime) -> None:
        """Repaints from ``now`` (cheap: no database)."""
        if self.row is None:
            return
        reading = timefmt.sla(self.row, now)
        self.setText(f"  Waiting {timefmt.waiting(self.row, now)} · SLA {reading.text}  ")
        self.setToolTip(reading.detail)
        if reading.state != self.state:
            self.state = reading.state
            self.setStyleSheet(_STYLES.get(reading.state, "") + " border-radius:3px;"
                               if reading.state in _STYLES else "")
