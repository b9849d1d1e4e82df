"""Processing stored webhook events: each by its channel kind's processor, after the answer.

The HTTP server stored the events and answered; this worker claims them
(console.services.events) and hands each to the processor of its account's
kind, which turns it into calls, contacts and messages. The outcome is
recorded on the event: done (with the contact), ignored (an event the
gateway does not know: kept, never an error), failed (with the reason), or
pending again when the problem may pass (the database, a provider's content
API); a bug is logged with its traceback and retried a few times.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.domain.channel_accounts import ChannelAccountInfo, ChannelKind
from console.errors import SwitchboardError, Unavailable
from console.services.events import DONE, FAILED, IGNORED, StoredEvent

if TYPE_CHECKING:
    from console.security.guard import Door

log = logging.getLogger(__name__)


class Ignored(Exception):
    """The event is none the gateway acts on (a provider's test, a read receipt)."""


# Returns the contact the event concerned (None when none).
Processor = Callable[[ChannelAccountInfo, StoredEvent], int | None]


@dataclass
class EventReport:
    """What one pass over the stored events did (event ids by outcome)."""

    done: list[int] = field(default_factory=list)
    ignored: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)


class EventWorker:
    """Claims stored events and processes them (see the module docstring).

    Args:
        door: the services as the gateway principal may use them.
        name: the gateway's name (the events' lock holder).
        processors: the processor of each channel kind.
    """

    def __init__(self, door: Door, name: str, processors: Mapping[ChannelKind, Processor]) -> None:
        self._door = door
        self._name = name
        self._processors = dict(processors)
        self.wake = threading.Event()
        self._accounts: dict[int, ChannelAccountInfo] = {}

    def run_pending(self, stop: threading.Event | None = None) -> EventReport:
        """Processes every pending event (claimed in batches) until none is left."""
        report = EventReport()
        while stop is None or not stop.is_set():
            batch = self._door.events.claim(self._name, limit=50)
            if not batch:
                break
            self._accounts = {a.id: a for a in self._door.channels.list()}
            for event in batch:
                self._process(event, report)
        return report

    def loop(self, stop: threading.Event, idle_s: float = 2.0) -> None:
        """Processes events as they are stored, until ``stop``."""
        failures = 0
        while not stop.is_set():
            self.wake.clear()
            try:
                self.run_pending(stop)
                failures = 0
            except Unavailable as down:
                failures += 1
                log.warning("event processing paused: %s", down)
                stop.wait(min(2.0 * 2 ** min(failures - 1, 6), 120.0))
                continue
            self.wake.wait(idle_s)

    def _process(self, event: StoredEvent, report: EventReport) -> None:
        events = self._door.events
        account = self._accounts.get(event.account_id or -1)
        processor = self._processors.get(account.kind) if account is not None else None
        if account is None or processor is None:
            events.finish(event.id, state=IGNORED, error="no processor for this account")
            report.ignored.append(event.id)
            return
        try:
            contact_id = processor(account, event)
        except Ignored as why:
            events.finish(event.id, state=IGNORED, error=str(why) or None)
            report.ignored.append(event.id)
        except Unavailable as later:
            state = events.retry_later(event.id, error=str(later))
            (report.failed if state == FAILED else report.retrying).append(event.id)
            log.warning("%s: event %s: %s", account.name, event.event_id, later)
        except SwitchboardError as refused:
            events.finish(event.id, state=FAILED, error=refused.message)
            report.failed.append(event.id)
            log.warning("%s: event %s not applied: %s", account.name, event.event_id, refused)
        except Exception:
            log.exception("%s: event %s: internal error", account.name, event.event_id)
            state = events.retry_later(
                event.id, error="Internal error in the gateway (a bug); the details are in its log.")
            (report.failed if state == FAILED else report.retrying).append(event.id)
        else:
            events.finish(event.id, state=DONE, contact_id=contact_id)
            report.done.append(event.id)
