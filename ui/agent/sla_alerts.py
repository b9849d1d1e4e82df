"""Agent-side SLA alerts: one notification per breach, and a warning when wrap-up runs long.

A breach is announced exactly once: this window remembers what it has
already submitted, and ``MonitorService.claim_breach_notice`` (a unique key
in the database) makes sure that a second window, a restart or another
workstation does not announce the same breach again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from console.domain import AgentState, ContactRow
from console.errors import SwitchboardError
from ui.shell import timefmt
from ui.shell.context import Workbench
from ui.widgets.banner import Tone
from ui.widgets.compact import shrinking_label
from ui.widgets.contact_timers import ContactTimers

if TYPE_CHECKING:
    from ui.agent.main_window import MainWindow

log = logging.getLogger(__name__)

DEFAULT_WRAP_UP_LIMIT_S = 120
RETRY_AFTER = timedelta(seconds=30)  # after a failed notice write (offline)
_TIMER_NAMES = {"first_response": "first response", "resolution": "resolution"}


def due_breaches(row: ContactRow, now: datetime) -> list[tuple[str, datetime]]:
    """The (timer, due) pairs of ``row`` that have passed."""
    out = []
    if row.first_response_at is None and row.first_response_due and row.first_response_due <= now:
        out.append(("first_response", row.first_response_due))
    if row.resolution_due and row.resolution_due <= now:
        out.append(("resolution", row.resolution_due))
    return out


class SlaAlerts(QObject):
    """Watches the signed-in agent's contacts and state once a second.

    Args:
        bench: services, jobs and the signed-in agent.
        wrap_up_limit_s: how long wrap-up may last before the agent is warned.
        parent: the console window (parent of the tray icon).

    Signals:
        breached(object, str): a contact (ContactRow) breached a timer, announced here.
        wrap_up_exceeded(int): wrap-up has lasted longer than the limit (seconds so far).
    """

    breached = Signal(object, str)
    wrap_up_exceeded = Signal(int)

    def __init__(self, bench: Workbench, wrap_up_limit_s: int = DEFAULT_WRAP_UP_LIMIT_S,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bench = bench
        self.wrap_up_limit_s = wrap_up_limit_s
        self._submitted: set[tuple[int, str, datetime]] = set()
        self._retry_at: dict[tuple[int, str, datetime], datetime] = {}
        self._warned_for: datetime | None = None
        self._tray: QSystemTrayIcon | None = None
        self._parent = parent
        self.timers: ContactTimers | None = None  # the open contact's timers, when attached

    def tick(self, now: datetime, rows: Iterable[ContactRow], state: AgentState,
             since: datetime | None) -> None:
        """Checks for new breaches among ``rows`` and for a long wrap-up."""
        login = self._bench.agent.login
        for row in rows:
            if row.assignee_login != login or not row.status.is_active:
                continue
            for timer, due in due_breaches(row, now):
                key = (row.id, timer, due)
                retry = self._retry_at.get(key)
                if key not in self._submitted or (retry is not None and now >= retry):
                    self._submitted.add(key)
                    self._retry_at.pop(key, None)
                    self._claim(row, timer, due)
        self._check_wrap_up(now, state, since)

    def _claim(self, row: ContactRow, timer: str, due: datetime) -> None:
        self._bench.jobs.write(
            self._bench.door.monitor.claim_breach_notice, row.id, timer, due,
            self._bench.agent.login,
            on_success=lambda won: self._announce(row, timer) if won else None,
            on_failure=lambda exc: self._failed(row, timer, due, exc))

    def _failed(self, row: ContactRow, timer: str, due: datetime, exc: SwitchboardError) -> None:
        """Offline or refused: try again a little later (not every tick)."""
        self._retry_at[(row.id, timer, due)] = self._bench.clock.now() + RETRY_AFTER
        log.info("breach notice for contact %s not recorded: %s", row.id, exc.message)

    def _announce(self, row: ContactRow, timer: str) -> None:
        self.breached.emit(row, timer)
        text = f"Contact {row.id} ({row.subject}) is past its {_TIMER_NAMES[timer]} target."
        if QSystemTrayIcon.isSystemTrayAvailable():
            self._notify_desktop("SLA breached", text)

    def _notify_desktop(self, title: str, text: str) -> None:
        if self._tray is None:
            self._tray = QSystemTrayIcon(self)
            if self._parent is not None:
                self._tray.setIcon(self._parent.windowIcon())
            self._tray.show()
        self._tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Warning)

    def _check_wrap_up(self, now: datetime, state: AgentState, since: datetime | None) -> None:
        if state != AgentState.WRAP_UP or since is None:
            return
        seconds = int((now - since).total_seconds())
        if seconds > self.wrap_up_limit_s and self._warned_for != since:
            self._warned_for = since  # once per wrap-up period
            self.wrap_up_exceeded.emit(seconds)


def breach_text(row: ContactRow, timer: str) -> str:
    """The banner line for a breach."""
    return f"SLA breached: contact {row.id} “{row.subject}” is past its {_TIMER_NAMES[timer]} target."


def wrap_up_text(seconds: int, limit_s: int) -> str:
    return (f"Wrap-up has run {timefmt.duration(seconds)} (limit {timefmt.duration(limit_s)}): "
            "finish the notes and go Available (Ctrl+1).")


def attach(window: MainWindow) -> SlaAlerts:
    """Builds the alerts for a console window; breaches and long wrap-ups go to its banner."""
    limit = int(window.settings.value("sla/wrap_up_limit_s", DEFAULT_WRAP_UP_LIMIT_S))
    alerts = SlaAlerts(window.bench, limit, window)
    alerts.breached.connect(lambda row, timer: window.banner.show_message(
        breach_text(row, timer), Tone.WARNING))
    alerts.wrap_up_exceeded.connect(lambda seconds: window.banner.show_message(
        wrap_up_text(seconds, alerts.wrap_up_limit_s), Tone.WARNING))
    timers = ContactTimers(window.conversation.header)
    shrinking_label(timers)  # long timers give way in a narrow window
    window.conversation.header.add_timers(timers)  # the toolbar has no room to spare
    window.conversation.detail_loaded.connect(lambda d: timers.set_row(d.contact))
    alerts.timers = timers
    return alerts


def check(window: MainWindow) -> None:
    """The once-a-second check over the contacts loaded in the window's inbox."""
    model = window.inbox.model
    rows = (r for i in range(model.rowCount()) if (r := model.contact_at(i)) is not None)
    state = window.agent_state.current
    now = window.bench.clock.now()
    window.alerts.tick(now, rows, state.state, state.since)
    timers = window.alerts.timers
    if timers is not None:
        if timers.row is not None and timers.row.id != window.conversation.contact_id:
            timers.set_row(None)
        timers.tick(now)
