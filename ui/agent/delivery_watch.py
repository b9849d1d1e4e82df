"""Tells the agent when an e-mail reply they sent from this window could not be delivered.

The gateway moves a reply's delivery job in another process; the change feed
reports each move as entities ``delivery`` and ``message``. For the replies
sent here that are still on their way, the watch asks where they are (one
read for all of them) and raises a banner for each one that failed, whichever
contact is on screen. Replies that were sent or failed are no longer watched.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from console.domain import MessageDelivery, PostedMessage
from console.domain.channel_accounts import DeliveryState
from console.errors import SwitchboardError
from ui.agent.panes.thread_parts import NO_REASON
from ui.shell.context import Workbench

log = logging.getLogger(__name__)
_DONE = frozenset({DeliveryState.SENT, DeliveryState.FAILED})


@dataclass(frozen=True, slots=True)
class _Watched:
    contact_id: int
    customer: str
    job_id: int


class DeliveryWatch(QObject):
    """Follows the delivery of the replies this window sent.

    Args:
        bench: the door, jobs and signed-in person.
        parent: the owning QObject.

    Signals:
        undelivered(str): the sentence for the banner, one per failed reply.
    """

    undelivered = Signal(str)

    def __init__(self, bench: Workbench, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bench = bench
        self._watched: dict[str, _Watched] = {}

    @property
    def watching(self) -> frozenset[str]:
        """The message ids of the replies still on their way."""
        return frozenset(self._watched)

    def track(self, posted: PostedMessage) -> None:
        """A reply this window sent: watched while its delivery is on its way."""
        delivery = posted.message.delivery
        if delivery is None or delivery.state in _DONE:
            return
        self._watched[posted.message.id] = _Watched(
            posted.contact.id, posted.contact.customer_name or "the customer", delivery.job_id)

    def entities_changed(self, changed: Mapping[str, Collection[str]]) -> None:
        """The change feed's report: asks about the watched replies it names."""
        messages = set(changed.get("message", ()))
        jobs = set(changed.get("delivery", ()))
        moved = sorted(m for m, w in self._watched.items()
                       if m in messages or str(w.job_id) in jobs)
        if not moved:
            return
        self._bench.jobs.read(self._bench.door.inbox.reply_deliveries, self._bench.agent.login,
                              moved, on_success=self._arrived, on_failure=self._failed)

    def _arrived(self, deliveries: dict[str, MessageDelivery]) -> None:
        for message_id, delivery in deliveries.items():
            watched = self._watched.get(message_id)
            if watched is None or delivery.state not in _DONE:
                continue
            del self._watched[message_id]
            if delivery.state == DeliveryState.FAILED:
                self.undelivered.emit(
                    f"Your reply to {watched.customer} on #{watched.contact_id} was not "
                    f"delivered: {delivery.reason or NO_REASON}")

    def _failed(self, exc: SwitchboardError) -> None:
        # The next move of the job asks again; the thread shows the state meanwhile.
        log.info("delivery watch: %s", exc.message)
