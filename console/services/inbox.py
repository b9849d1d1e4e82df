"""Inbox actions: claim, release, transfer, reply, note, resolve and get-next.

Claiming is a conditional UPDATE (``... WHERE assignee_id IS NULL``): the
database decides the single winner, and the row count tells each caller
whether it was them. Every action bumps the contact's version, writes a
contact event and records the change for the feed. Each write returns its
result with what it changed (console.domain.Written), so a window can apply
it instead of reading the contact again.
"""

from __future__ import annotations

import builtins
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sqlalchemy import bindparam, case, insert, select, update
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import (
    ACTIVE_STATUSES,
    AttachmentContent,
    Channel,
    ContactDetail,
    ContactEventKind,
    ContactRow,
    ContactStatus,
    Disposition,
    MessageDelivery,
    MessageKind,
    PostedMessage,
    Role,
    Written,
)
from console.errors import ClaimConflict, NotFound, NotPermitted, StaleContact, ValidationError
from console.masking import mask_digit_runs
from console.services import _threads as threads
from console.services import deliveries, inbox_query, sla_engine
from console.services.inbox_query import InboxFilter, InboxPage
from console.services.rows import agent_by_login, already_applied, load_contact_row, queue_by_name
from console.store import changes
from console.store.db import Database
from console.store.models import Agent, Contact, ContactEvent, Message
from console.store.models import Disposition as DispositionModel
from console.store.models_channels import MessageAttachment

T = TypeVar("T")
MAX_BODY = 20_000
MAX_WATCHED = 500  # replies whose delivery one call asks about
_CLAIMABLE = (ContactStatus.NEW, ContactStatus.OPEN, ContactStatus.PENDING)
_MANAGERS = frozenset({Role.SUPERVISOR, Role.ADMIN})
# Built once (see tools/bench.py: building it per claim doubled the claim's cost).
_CLAIM = (
    update(Contact)
    .where(Contact.id == bindparam("contact_id"), Contact.assignee_id.is_(None),
           Contact.status.in_(_CLAIMABLE))
    .values(assignee_id=bindparam("agent_id"), version=Contact.version + 1,
            updated_at=bindparam("now"),
            status=case((Contact.status == ContactStatus.NEW, ContactStatus.OPEN),
                        else_=Contact.status))
)
_INSERT_EVENT = insert(ContactEvent)  # run on the connection: plain Core


class InboxService:
    """The inbox: what agents list and act on.

    Args:
        db: the database.
        clock: where "now" comes from.
        phone_regions: where callers' numbers without a country code are read (a phone
            contact's detail shows its call's number).
    """

    def __init__(self, db: Database, clock: Clock, phone_regions: Sequence[str] = ()) -> None:
        self._db = db
        self._clock = clock
        self._regions = tuple(phone_regions)

    # -- reading ---------------------------------------------------------
    def list(self, f: InboxFilter | None = None, *, sort: str = "priority",
             descending: bool = False, cursor: str | None = None,
             limit: int = inbox_query.PAGE_SIZE) -> InboxPage:
        """One page of contacts; pass ``next_cursor`` back for the next page."""
        with self._db.read() as s:
            return inbox_query.list_page(s, f or InboxFilter(), sort, descending, cursor, limit)

    def search(self, f: InboxFilter | None = None, *, sort: str = "priority",
               descending: bool = False,
               limit: int = inbox_query.PAGE_SIZE) -> builtins.list[ContactRow]:
        """The first ``limit`` contacts matching ``f``: a listing taken away (the command line).

        The door audits each search with its filter; ``list``, the window's
        paging that runs on every scroll, is not audited.
        """
        return list(self.list(f, sort=sort, descending=descending, limit=limit).rows)

    def get(self, contact_id: int) -> ContactRow:
        with self._db.read() as s:
            return load_contact_row(s, contact_id)

    def get_many(self, contact_ids: builtins.list[int]) -> builtins.list[ContactRow]:
        """The current rows for these ids (missing ids are left out)."""
        if not contact_ids:
            return []
        f = InboxFilter(statuses=(), ids=tuple(contact_ids))
        with self._db.read() as s:
            return list(inbox_query.list_page(s, f, "id", limit=len(contact_ids)).rows)

    def detail(self, contact_id: int) -> ContactDetail:
        """The contact with its customer, its whole thread, its disposition and its call."""
        with self._db.read() as s:
            return threads.contact_detail(s, contact_id, self._regions)

    def attachment(self, contact_id: int, attachment_id: int) -> AttachmentContent:
        """One attachment's bytes, to be saved; the door audits it as a view of the contact.

        Raises:
            NotFound: the contact has no such attachment.
            ValidationError: its bytes were not kept (the message says why).
        """
        with self._db.read() as s:
            found = s.execute(
                select(MessageAttachment, Message.contact_id)
                .join(Message, Message.id == MessageAttachment.message_id)
                .where(MessageAttachment.id == attachment_id)).first()
            if found is None or found.contact_id != contact_id:
                raise NotFound(f"Contact {contact_id} has no attachment {attachment_id}.")
            a: MessageAttachment = found[0]
            name = mask_digit_runs(a.filename or "")
            if a.content is None:
                why = f": {a.note}" if a.note else ""
                raise ValidationError(f"The attachment '{name or 'without a name'}' was not "
                                      f"kept{why}.")
            return AttachmentContent(a.id, contact_id, str(a.message_id), name, a.content_type,
                                     bytes(a.content))

    def reply_deliveries(self, agent_login: str,
                         message_ids: builtins.list[str]) -> dict[str, MessageDelivery]:
        """Where each of these replies ``agent_login`` wrote is on its way to the customer.

        Messages that are not theirs, or that nobody delivers, are left out.
        """
        if len(message_ids) > MAX_WATCHED:
            raise ValidationError(f"Ask about at most {MAX_WATCHED} replies at a time.")
        try:
            ids = [uuid.UUID(i) for i in message_ids]
        except ValueError:
            raise ValidationError("A message id is not a message id.") from None
        with self._db.read() as s:
            agent = agent_by_login(s, agent_login)
            return threads.deliveries_of(s, agent.id, ids)

    def dispositions(self) -> builtins.list[Disposition]:
        with self._db.read() as s:
            rows = s.execute(select(DispositionModel).where(DispositionModel.active)
                             .order_by(DispositionModel.label)).scalars()
            return [Disposition(d.code, d.label) for d in rows]

    # -- claiming --------------------------------------------------------
    def claim(self, contact_id: int, agent_login: str) -> Written[ContactRow]:
        """Takes the contact for this agent.

        Raises:
            ClaimConflict: someone else has it (names who).
            NotFound: no such contact or agent.
            ValidationError: the contact is already resolved or closed.
        """
        with self._db.write() as s:
            agent = agent_by_login(s, agent_login)
            self._claim(s, contact_id, agent)
            return _written(s, load_contact_row(s, contact_id))

    def _claim(self, s: Session, contact_id: int, agent: Agent) -> None:
        now = self._clock.now()
        won = s.connection().execute(_CLAIM, {"contact_id": contact_id, "agent_id": agent.id,
                                              "now": now}).rowcount
        if won == 1:
            self._event(s, contact_id, ContactEventKind.CLAIMED, agent.id, now)
            return
        contact = self._contact(s, contact_id)
        if contact.assignee_id == agent.id:
            return  # already ours: claiming twice is harmless
        if contact.assignee_id is not None:
            owner = s.get_one(Agent, contact.assignee_id)
            raise ClaimConflict(contact_id, owner.login, owner.name)
        raise ValidationError(f"Contact {contact_id} is {contact.status.value}; it cannot be claimed.")

    def release(self, contact_id: int, agent_login: str) -> Written[ContactRow]:
        """Gives the contact back to its queue."""
        with self._db.write() as s:
            agent = agent_by_login(s, agent_login)
            contact = self._held(s, contact_id, agent)
            now = self._clock.now()
            contact.assignee_id = None
            self._touch(s, contact, now)
            self._event(s, contact_id, ContactEventKind.RELEASED, agent.id, now)
            return _written(s, load_contact_row(s, contact_id))

    def next_best(self, agent_login: str) -> Written[ContactRow | None]:
        """Claims the most urgent, longest-waiting unassigned contact in the agent's queues."""
        with self._db.write() as s:
            agent = agent_by_login(s, agent_login)
            wanted = InboxFilter(statuses=(ContactStatus.NEW, ContactStatus.OPEN), unassigned=True,
                                 my_queues_of=agent.login)
            if self._db.is_postgres:
                # Locks the first contact nobody else is locking: fifty agents pressing
                # "Get next" at once each get a different one, without waiting.
                picked = inbox_query.next_candidates(wanted, 1).with_for_update(
                    skip_locked=True, of=Contact)
            else:
                picked = inbox_query.next_candidates(wanted, 1)  # writers are serialised
            contact_id = s.execute(picked).scalar()
            if contact_id is None:
                return _written(s, None)
            self._claim(s, contact_id, agent)
            return _written(s, load_contact_row(s, contact_id))

    # -- working a contact ----------------------------------------------
    def transfer(self, contact_id: int, agent_login: str, *, to_queue: str | None = None,
                 to_agent: str | None = None, note: str = "",
                 expected_version: int | None = None) -> Written[ContactRow]:
        """Moves the contact to another queue (unassigned) or hands it to another agent."""
        if bool(to_queue) == bool(to_agent):
            raise ValidationError("Transfer to either a queue or an agent.")
        with self._db.write() as s:
            agent = agent_by_login(s, agent_login)
            contact = self._held(s, contact_id, agent, expected_version)
            now = self._clock.now()
            if to_queue:
                queue = queue_by_name(s, to_queue)
                contact.queue_id, contact.assignee_id = queue.id, None
                target = f"queue {queue.name}"
            else:
                other = agent_by_login(s, to_agent or "")
                contact.assignee_id = other.id
                target = f"{other.name} ({other.login})"
            if note.strip():
                self._message(s, contact_id, MessageKind.NOTE, agent.id, note, now, None)
            self._touch(s, contact, now)
            self._event(s, contact_id, ContactEventKind.TRANSFERRED, agent.id, now,
                        f"to {target}" + (f": {note.strip()}" if note.strip() else ""))
            return _written(s, load_contact_row(s, contact_id))

    def reply(self, contact_id: int, agent_login: str, body: str, *,
              idempotency_key: str | None = None,
              expected_version: int | None = None) -> Written[PostedMessage]:
        """Sends a reply to the customer (claims the contact first if nobody has it)."""
        return self._write_message(contact_id, agent_login, body, MessageKind.OUTBOUND,
                                   idempotency_key, expected_version)

    def add_note(self, contact_id: int, agent_login: str, body: str, *,
                 idempotency_key: str | None = None) -> Written[PostedMessage]:
        """Adds an internal note, which the customer never sees."""
        return self._write_message(contact_id, agent_login, body, MessageKind.NOTE,
                                   idempotency_key, None)

    def _write_message(self, contact_id: int, agent_login: str, body: str, kind: MessageKind,
                       key: str | None, expected_version: int | None) -> Written[PostedMessage]:
        text = _clean_body(body)
        with self._db.write() as s:
            if key:
                done = s.execute(select(Message).where(Message.idempotency_key == key)).scalar()
                if done is not None:  # sent before: nothing changes now
                    return _written(s, PostedMessage(threads.message_info(s, done),
                                                     load_contact_row(s, done.contact_id)))
            agent = agent_by_login(s, agent_login)
            contact = (self._held(s, contact_id, agent, expected_version)
                       if kind == MessageKind.OUTBOUND else self._contact(s, contact_id))
            now = self._clock.now()
            message = self._message(s, contact_id, kind, agent.id, text, now, key)
            if kind == MessageKind.OUTBOUND:
                # The transactional outbox: the message and its delivery job commit together.
                deliveries.enqueue_reply(s, contact, message, now)
                if contact.first_response_at is None:
                    contact.first_response_at = now
            self._touch(s, contact, now)
            return _written(s, PostedMessage(threads.message_info(s, message),
                                             load_contact_row(s, contact_id)))

    def typing(self, contact_id: int, agent_login: str) -> None:
        """Says that the agent is typing a reply on chat contact ``contact_id``.

        Only a change-log entry (entity ``typing``, the contact's id) is written:
        the web chat shows "the agent is typing" for a few seconds after one
        (console.channels.webchat). The window calls this every few seconds
        while the agent types.

        Raises:
            NotFound: no such contact or agent.
            ValidationError: the contact is not a chat, or is resolved.
        """
        with self._db.write() as s:
            agent_by_login(s, agent_login)
            contact = self._contact(s, contact_id)
            if Channel(contact.channel) != Channel.CHAT:
                raise ValidationError(f"Contact {contact_id} is not a chat: nobody sees typing.")
            if contact.status not in ACTIVE_STATUSES:
                raise ValidationError(f"Contact {contact_id} is {contact.status.value}.")
            changes.record(s, "typing", contact_id)

    def resolve(self, contact_id: int, agent_login: str, disposition: str, *, note: str = "",
                expected_version: int | None = None,
                idempotency_key: str | None = None) -> Written[ContactRow]:
        """Closes the work on a contact with a disposition code.

        With ``idempotency_key``, a second call with the same key (an outbox
        replay) returns the contact as it is instead of resolving it again.
        """
        with self._db.write() as s:
            if idempotency_key and already_applied(s, idempotency_key, self._clock.now()):
                return _written(s, load_contact_row(s, contact_id))
            agent = agent_by_login(s, agent_login)
            dispo = s.get(DispositionModel, disposition)
            if dispo is None or not dispo.active:
                raise ValidationError(f"'{disposition}' is not a disposition code.")
            contact = self._held(s, contact_id, agent, expected_version)
            now = self._clock.now()
            if note.strip():
                self._message(s, contact_id, MessageKind.NOTE, agent.id, _clean_body(note), now,
                              None)
            sla_engine.on_status_change(s, contact, ContactStatus.RESOLVED, now)
            contact.status, contact.resolved_at = ContactStatus.RESOLVED, now
            contact.disposition_code = dispo.code
            self._touch(s, contact, now)
            self._event(s, contact_id, ContactEventKind.RESOLVED, agent.id, now, dispo.label)
            return _written(s, load_contact_row(s, contact_id))

    def set_status(self, contact_id: int, agent_login: str, status: ContactStatus, *,
                   expected_version: int | None = None) -> Written[ContactRow]:
        """Moves a held contact to open or pending (waiting on the customer), or reopens it."""
        with self._db.write() as s:
            agent = agent_by_login(s, agent_login)
            contact = self._contact(s, contact_id)
            reopening = contact.status not in ACTIVE_STATUSES
            if not reopening:
                contact = self._held(s, contact_id, agent, expected_version)
            now = self._clock.now()
            sla_engine.on_status_change(s, contact, status, now)
            contact.status = status
            if status in ACTIVE_STATUSES:
                contact.resolved_at = None
            self._touch(s, contact, now)
            kind = ContactEventKind.REOPENED if reopening else ContactEventKind.STATUS
            self._event(s, contact_id, kind, agent.id, now, status.value)
            return _written(s, load_contact_row(s, contact_id))

    # -- helpers ---------------------------------------------------------
    def _contact(self, s: Session, contact_id: int) -> Contact:
        contact = s.get(Contact, contact_id)
        if contact is None:
            raise NotFound(f"There is no contact {contact_id}.")
        return contact

    def _held(self, s: Session, contact_id: int, agent: Agent,
              expected_version: int | None = None) -> Contact:
        """The contact, checked to be active and this agent's (claiming it if free)."""
        contact = self._contact(s, contact_id)
        # Who has it first: "Kenji has it" tells the agent more than "it changed".
        if contact.assignee_id not in (None, agent.id) and agent.role not in _MANAGERS:
            owner = s.get_one(Agent, contact.assignee_id)
            raise ClaimConflict(contact_id, owner.login, owner.name)
        if expected_version is not None and contact.version != expected_version:
            raise StaleContact(
                f"Contact {contact_id} was changed by someone else since you opened it "
                f"(version {expected_version}, now {contact.version}). Review it and try again."
            )
        if contact.status not in ACTIVE_STATUSES:
            raise ValidationError(f"Contact {contact_id} is {contact.status.value}; reopen it first.")
        if contact.assignee_id is None:
            self._claim(s, contact_id, agent)
            s.refresh(contact)
        return contact

    def _touch(self, s: Session, contact: Contact, now: datetime) -> None:
        if contact.status == ContactStatus.NEW:
            contact.status = ContactStatus.OPEN
        contact.version += 1
        contact.updated_at = now
        changes.record(s, "contact", contact.id)

    def _event(self, s: Session, contact_id: int, kind: ContactEventKind, agent_id: int | None,
               now: datetime, detail: str = "") -> None:
        # A Core insert: nothing reads the event back as an object, and it spares
        # a unit-of-work flush per action.
        s.connection().execute(_INSERT_EVENT, {"contact_id": contact_id, "kind": kind,
                                               "agent_id": agent_id, "detail": detail,
                                               "created_at": now})
        changes.record(s, "contact", contact_id)

    def _message(self, s: Session, contact_id: int, kind: MessageKind, agent_id: int,
                 body: str, now: datetime, key: str | None) -> Message:
        message = Message(id=uuid.uuid4(), contact_id=contact_id, kind=kind,
                          author_agent_id=agent_id, body=body, created_at=now,
                          idempotency_key=key)
        s.add(message)
        s.flush()
        changes.record(s, "message", message.id, "insert")
        return message


def _written(s: Session, value: T) -> Written[T]:
    """``value`` with the change set of ``s``'s transaction (complete once it commits)."""
    return Written(value, changes.collector(s))


def _clean_body(body: str) -> str:
    text = body.replace("\r\n", "\n").strip()
    if not text:
        raise ValidationError("The message is empty.")
    if len(text) > MAX_BODY:
        raise ValidationError(f"The message is {len(text):,} characters; the limit is {MAX_BODY:,}.")
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise ValidationError("The message contains control characters; remove them and retry.")
    return text


def new_idempotency_key() -> str:
    return uuid.uuid4().hex


__all__ = ["InboxFilter", "InboxPage", "InboxService", "NotPermitted"]

