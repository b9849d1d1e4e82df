"""The Channels tab's "Selected account" panel: one account in full, its whole last error included.

Values sit in read-only line edits rather than labels: a long URL or secret
file path scrolls inside its line (and shows in its tooltip) instead of
widening the window or wrapping out of its row.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QGroupBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

from console.domain.channel_accounts import ChannelAccountInfo
from ui.admin.models import KINDS, LAST_ERROR, failing, gateway
from ui.shell.context import Workbench

NOTHING_SELECTED = "Select an account in the table above."
# Two columns of short values, then the long ones across the panel.
PAIRED = (("Account", "From name"), ("Address", "Last poll"), ("IMAP URL", "Gateway"),
          ("SMTP URL", "Replies"))
ACROSS = ("Password",)


class ChannelDetails(QGroupBox):
    """Everything about the selected channel account.

    Args:
        bench: the clock and the site's time zone the times read in.
        parent: the owning widget.
    """

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__("Selected account", parent)
        self._bench = bench
        self.lines: dict[str, QLineEdit] = {}
        grid = QGridLayout(self)
        grid.setColumnMinimumWidth(2, 16)
        grid.setColumnStretch(1, 3)  # the URLs are longer than the times on the right
        grid.setColumnStretch(4, 2)
        for row, (left, right) in enumerate(PAIRED):
            grid.addWidget(QLabel(left, self), row, 0)
            grid.addWidget(self._line(left), row, 1)
            grid.addWidget(QLabel(right, self), row, 3)
            grid.addWidget(self._line(right), row, 4)
        for row, name in enumerate(ACROSS, start=len(PAIRED)):
            grid.addWidget(QLabel(name, self), row, 0)
            grid.addWidget(self._line(name), row, 1, 1, 4)
        label = QLabel(LAST_ERROR, self)
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        last = len(PAIRED) + len(ACROSS)
        grid.addWidget(label, last, 0)
        grid.addWidget(self._error_box(), last, 1, 1, 4)
        self.show_account(None)

    def _line(self, name: str) -> QLineEdit:
        line = QLineEdit(self)
        line.setObjectName("detailValue")
        line.setReadOnly(True)
        line.setFrame(False)
        line.setAccessibleName(name)
        self.lines[name] = line
        return line

    def _error_box(self) -> QPlainTextEdit:
        self.last_error = QPlainTextEdit(self)
        self.last_error.setObjectName("detailValue")
        self.last_error.setReadOnly(True)
        self.last_error.setAccessibleName(LAST_ERROR)
        self.last_error.document().setDocumentMargin(2)  # where a line edit's text starts
        lines = self.last_error.fontMetrics().lineSpacing()
        self.last_error.setFixedHeight(3 * lines + 8)  # three lines; a longer error scrolls
        return self.last_error

    def show_account(self, account: ChannelAccountInfo | None) -> None:
        """Shows ``account`` (None: says to select one)."""
        if account is None:
            for line in self.lines.values():
                line.clear()
                line.setToolTip("")
            self.last_error.clear()
            self.lines["Account"].setText(NOTHING_SELECTED)
            return
        described = self.describe(account)
        for name, line in self.lines.items():
            line.setText(described[name])
            line.setCursorPosition(0)  # the start of a long value, not its end
            line.setToolTip(described[name])
        self.last_error.setPlainText(described[LAST_ERROR])

    def describe(self, a: ChannelAccountInfo) -> dict[str, str]:
        """The panel's values for ``a``, by row name."""
        status, settings = a.status, a.settings
        error = (f"{self.when(status.last_error_at)} — {status.last_error}"
                 if status.last_error and status.last_error_at else status.last_error or "None")
        if status.last_error and not failing(a):
            error += "\n(A later poll went through.)"
        lease = (f"{gateway(a, self._bench.clock.now())}, lease until "
                 f"{self.when(status.lease_expires_at)}" if status.lease_holder else "None")
        return {
            "Account": f"{a.name} — {KINDS.get(a.kind.value, a.kind.value)}, queue {a.queue}, "
                       + ("enabled" if a.enabled else "paused"),
            "Address": a.address, "IMAP URL": settings.get("imap_url", ""),
            "SMTP URL": settings.get("smtp_url", ""), "From name": settings.get("from_name", ""),
            "Password": a.secret, "Last poll": self.when(status.last_poll_at), "Gateway": lease,
            "Replies": f"{status.queued} waiting or being sent, {status.failed} not delivered",
            LAST_ERROR: error,
        }

    def when(self, at: datetime | None) -> str:
        """A time at the site: "10:30:05" today, "2026-11-19 10:30:05" before."""
        if at is None:
            return "never"
        tz = self._bench.tz
        local, today = at.astimezone(tz), self._bench.clock.now().astimezone(tz)
        return f"{local:%H:%M:%S}" if local.date() == today.date() else f"{local:%Y-%m-%d %H:%M:%S}"
