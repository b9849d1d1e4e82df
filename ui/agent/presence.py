"""Presence in the window: tells others which contact this agent has open, shows who else is on it.

The tracker beats for the open contact every few seconds ("viewing", or
"replying" once the composer holds text), says "left" when the agent moves
on, and reads who else is there when the change feed says presence on this
contact changed (and on each beat, which also drops expired workstations).
"""

from __future__ import annotations

import html
import logging
import socket
from collections.abc import Sequence

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QWidget

from console.domain.presence import Activity, PresenceInfo
from console.errors import SwitchboardError
from ui.shell import palette
from ui.shell.context import Workbench

log = logging.getLogger(__name__)

BEAT_MS = 10_000
TTL_S = 30  # three missed beats and the others stop seeing this workstation


class PresenceTracker(QObject):
    """One window's presence: beats out, others in.

    Args:
        bench: services, jobs, agent and clock.
        parent: the owning QObject.

    Signals:
        others_changed(object): the list of PresenceInfo for the open contact.
    """

    others_changed = Signal(object)

    def __init__(self, bench: Workbench, parent: QObject | None = None,
                 beat_ms: int = BEAT_MS) -> None:
        super().__init__(parent)
        self._bench = bench
        self._contact: int | None = None
        self._activity = Activity.VIEWING
        self._workstation = socket.gethostname()[:120]
        self._timer = QTimer(self)
        self._timer.setInterval(beat_ms)
        self._timer.timeout.connect(self._beat)

    @property
    def contact_id(self) -> int | None:
        return self._contact

    def watch(self, contact_id: int | None) -> None:
        """The agent opened ``contact_id`` (None: nothing open)."""
        if contact_id == self._contact:
            return
        if self._contact is not None:
            self._write(self._bench.door.presence.leave, self._contact, self._bench.agent.login)
        self._contact, self._activity = contact_id, Activity.VIEWING
        self.others_changed.emit([])
        if contact_id is None:
            self._timer.stop()
            return
        self._beat()
        self._timer.start()

    def composing(self, text: str) -> None:
        """The composer changed: typing something makes this agent "replying"."""
        activity = Activity.REPLYING if text.strip() else Activity.VIEWING
        if activity != self._activity and self._contact is not None:
            self._activity = activity
            self._beat()

    def entities_changed(self, grouped: dict[str, set[str]]) -> None:
        """The change feed's batch: reads again when presence on the open contact changed."""
        if self._contact is not None and str(self._contact) in grouped.get("presence", ()):
            self._read()

    def stop(self) -> None:
        """The window closes: others stop seeing this agent at once."""
        self._timer.stop()
        self.watch(None)

    def _beat(self) -> None:
        if self._contact is None:
            return
        self._write(self._bench.door.presence.beat, self._contact, self._bench.agent.login,
                    self._activity, workstation=self._workstation, ttl_s=TTL_S)
        self._read()

    def _read(self) -> None:
        contact = self._contact
        self._bench.jobs.read(self._bench.door.presence.on_contact, contact,
                              excluding=self._bench.agent.login, key=f"presence:{id(self)}",
                              on_success=lambda others: self._arrived(contact, others),
                              on_failure=self._failed)

    def _arrived(self, contact_id: int | None, others: list[PresenceInfo]) -> None:
        if contact_id == self._contact:
            self.others_changed.emit(others)

    def _write(self, fn: object, *args: object, **kwargs: object) -> None:
        self._bench.jobs.write(fn, *args, on_failure=self._failed, **kwargs)  # type: ignore[arg-type]

    def _failed(self, exc: SwitchboardError) -> None:
        # Presence is a courtesy: the connection banner already tells of an outage.
        log.info("presence: %s", exc.message)


def describe(others: Sequence[PresenceInfo]) -> str:
    """"Kenji Sato is replying · Ann Lee is viewing" (replying first: that is the collision risk)."""
    ordered = sorted(others, key=lambda p: (p.activity != Activity.REPLYING, p.since))
    return " · ".join(f"{p.agent_name} is {p.activity.value}" for p in ordered)


class PresenceLabel(QLabel):
    """A one-line warning under the customer header; hidden while nobody else is there."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presenceLabel")
        self.setWordWrap(True)
        self.hide()

    def show_others(self, others: Sequence[PresenceInfo]) -> None:
        if not others:
            self.clear()
            self.hide()
            return
        replying = any(p.activity == Activity.REPLYING for p in others)
        colour = palette.WARNING_FG if replying else palette.MUTED
        self.setText(f"<span style='color:{colour}'>● Also here: {html.escape(describe(others))}</span>")
        self.setToolTip("\n".join(f"{p.agent_name} ({p.agent_login}) on {p.workstation or 'a workstation'}"
                                  for p in others))
        self.show()
