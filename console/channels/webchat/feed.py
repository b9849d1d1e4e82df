"""The web chat's side of the change feed: wakes the pages waiting on a contact, keeps "typing".

One thread follows the change log for the whole server (PostgreSQL NOTIFY
wakes it; on SQLite it reads ``seq > last`` a few times a second), never one
query per open page. Each batch is handed to the event loop, where it wakes
the long-polls waiting on the contacts it names, and where an agent's
``typing`` entries (console.services.inbox ``typing``) start the contact's
typing indicator for a few seconds. A reply logged after the typing entry
ends it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from console.domain import Change
from console.errors import Unavailable
from console.sync.follow import BATCH, ChangeSource

log = logging.getLogger(__name__)
K = TypeVar("K", int, str)

POLL_S = 0.2  # SQLite: how often the log is read; well inside the one-second target
QUIET_S = 5.0  # PostgreSQL: read anyway after this long without a notification
REMEMBERED = 50_000  # contacts whose last change is kept (the least recently changed go first)
_ENTITIES = frozenset({"contact", "typing"})


@dataclass(eq=False)
class Waiter:
    """One long-poll waiting for its contacts (or its visitor) to change."""

    visitor: str
    contacts: frozenset[int]
    event: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass
class _Typing:
    seq: int
    until: float  # loop time


class ChatFeed:
    """Follows the change log for the web chat (see the module docstring).

    Args:
        source: the change log (the gateway door's ``changes``).
        typing_s: how long one typing entry shows "the agent is typing".
    """

    def __init__(self, source: ChangeSource, *, typing_s: float = 5.0) -> None:
        self._source = source
        self._typing_s = typing_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop = threading.Event()
        self._woken = threading.Event()
        self._threads: list[threading.Thread] = []
        self._last_change: OrderedDict[int, int] = OrderedDict()
        self._typing: dict[int, _Typing] = {}
        self._replied: dict[int, int] = {}  # contact -> seq of the newest reply a read saw
        self._by_contact: dict[int, set[Waiter]] = {}
        self._by_visitor: dict[str, set[Waiter]] = {}
        self._contacts_of: OrderedDict[str, frozenset[int]] = OrderedDict()
        self.closing = False

    # -- the follower thread -----------------------------------------------------------
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Starts following from the current end of the log, handing batches to ``loop``."""
        self._loop = loop
        self._threads = [threading.Thread(target=self._follow, name="chat-feed", daemon=True)]
        if self._source.notifies:
            self._threads.append(threading.Thread(
                target=self._source.listen, args=(self._woken.set, self._stop),
                name="chat-listen", daemon=True))
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        """Ends the threads and every wait (from the loop, as the server shuts down)."""
        self.closing = True
        self._stop.set()
        self._woken.set()
        for waiters in list(self._by_visitor.values()):
            for waiter in waiters:
                waiter.event.set()

    def join(self) -> None:
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads = []

    def _follow(self) -> None:
        last: int | None = None
        delay = 0.5
        wait_s = QUIET_S if self._source.notifies else POLL_S
        while not self._stop.is_set():
            try:
                if last is None:
                    last = self._source.last_seq()
                last = self._read_after(last)
                delay = 0.5
            except Unavailable as down:
                log.info("web chat feed: %s; retrying in %.1f s", down, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, 15.0)
                continue
            self._woken.wait(wait_s)
            self._woken.clear()

    def _read_after(self, last: int) -> int:
        while not self._stop.is_set():
            batch = self._source.since(last, BATCH)
            if not batch:
                break
            last = batch[-1].seq
            wanted = [c for c in batch if c.entity in _ENTITIES and c.entity_id.isdigit()]
            if wanted and self._loop is not None:
                with contextlib.suppress(RuntimeError):  # the loop closed: the server stops
                    self._loop.call_soon_threadsafe(self._apply, wanted)
            if len(batch) < BATCH:
                break
        return last

    # -- on the event loop ------------------------------------------------------------
    def _apply(self, batch: Iterable[Change]) -> None:
        now = asyncio.get_running_loop().time()
        for change in batch:
            contact = int(change.entity_id)
            self._last_change[contact] = change.seq
            self._last_change.move_to_end(contact)
            if change.entity == "typing":
                self._typing[contact] = _Typing(change.seq, now + self._typing_s)
            for waiter in self._by_contact.get(contact, ()):
                waiter.event.set()
        while len(self._last_change) > REMEMBERED:
            self._last_change.popitem(last=False)
        if len(self._typing) > 1000:
            self._typing = {c: t for c, t in self._typing.items() if t.until > now}

    def changed_after(self, contacts: Iterable[int], seq: int) -> bool:
        """Whether the feed has already seen a change to one of ``contacts`` after ``seq``."""
        return any(self._last_change.get(c, 0) > seq for c in contacts)

    def typing_until(self, contacts: Iterable[int]) -> float | None:
        """Until when (loop time) an agent is typing on one of ``contacts``, or None."""
        now = asyncio.get_running_loop().time()
        ends = [t.until for c in contacts if (t := self._typing.get(c)) is not None
                and t.until > now and self._replied.get(c, 0) < t.seq]
        return max(ends) if ends else None

    def typing_seq(self, visitor: str) -> int | None:
        """The oldest typing entry showing on the visitor's contacts (a read looks past it)."""
        seqs = [t.seq for c in self._contacts_of.get(visitor, ()) if (t := self._typing.get(c))]
        return min(seqs) if seqs else None

    def saw(self, visitor: str, contacts: Iterable[int],
            replies: Iterable[tuple[int, int]]) -> None:
        """A read of the visitor's conversation: their contacts, and (contact, seq) of replies."""
        self._contacts_of[visitor] = frozenset(contacts)
        self._contacts_of.move_to_end(visitor)
        while len(self._contacts_of) > REMEMBERED:
            self._contacts_of.popitem(last=False)
        for contact, seq in replies:
            if seq > self._replied.get(contact, 0):
                self._replied[contact] = seq
        if len(self._replied) > REMEMBERED:
            self._replied.clear()  # only typing reads it, and typing entries are fresh

    def waiting(self, visitor: str) -> int:
        """How many of the visitor's requests are waiting now."""
        return len(self._by_visitor.get(visitor, ()))

    @contextlib.contextmanager
    def waiter(self, visitor: str, contacts: Iterable[int]) -> Iterator[Waiter]:
        """A waiter set when one of ``contacts`` changes or the visitor writes."""
        waiter = Waiter(visitor, frozenset(contacts))
        self._by_visitor.setdefault(visitor, set()).add(waiter)
        for contact in waiter.contacts:
            self._by_contact.setdefault(contact, set()).add(waiter)
        try:
            yield waiter
        finally:
            _discard(self._by_visitor, visitor, waiter)
            for contact in waiter.contacts:
                _discard(self._by_contact, contact, waiter)

    def wake_visitor(self, visitor: str) -> None:
        """The visitor wrote (through this server): their other tabs read again."""
        for waiter in self._by_visitor.get(visitor, ()):
            waiter.event.set()


def _discard(index: dict[K, set[Waiter]], key: K, waiter: Waiter) -> None:
    found = index.get(key)
    if found is not None:
        found.discard(waiter)
        if not found:
            del index[key]
