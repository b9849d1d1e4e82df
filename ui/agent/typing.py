"""Tells a web chat customer that the agent is typing: once every few seconds while they type.

Each keystroke in the composer on an active chat contact may send
``inbox.typing`` (console.services.inbox), off the GUI thread on the write
lane like every action, but no more often than ``EVERY_S`` per contact; the
customer's page shows "The agent is typing…" for a few seconds after each.
Other channels' customers see nothing of it, so nothing is sent for them.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from PySide6.QtCore import QObject

from console.domain import ACTIVE_STATUSES, Channel
from console.errors import SwitchboardError
from ui.agent.panes.conversation import ConversationPane
from ui.shell.context import Workbench

log = logging.getLogger(__name__)

EVERY_S = 3.0


class TypingNotice(QObject):
    """Sends "the agent is typing" for the chat on screen (see the module docstring).

    Args:
        bench: services, jobs, agent and clock.
        conversation: the conversation pane (its contact and composer).
        parent: the owning QObject.
    """

    def __init__(self, bench: Workbench, conversation: ConversationPane,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bench = bench
        self._conv = conversation
        self._sent: dict[int, datetime] = {}

    def typed(self) -> None:
        """The agent changed the composer's text."""
        detail = self._conv.detail
        if detail is None or not self._conv.composer.text().strip():
            return
        contact = detail.contact
        if contact.channel != Channel.CHAT or contact.status not in ACTIVE_STATUSES:
            return
        now = self._bench.clock.now()
        last = self._sent.get(contact.id)
        if last is not None and now - last < timedelta(seconds=EVERY_S):
            return
        self._sent = {contact.id: now}  # only the contact being typed on matters
        self._bench.jobs.write(self._bench.door.inbox.typing, contact.id, self._bench.agent.login,
                               on_failure=self._failed)

    def _failed(self, exc: SwitchboardError) -> None:
        # A courtesy to the customer: the banner tells of outages and refusals of real work.
        log.info("typing notice: %s", exc.message)
