"""One CTI event applied to its call and the call's contact, in the caller's transaction.

Serves console.services.calls only. Each event sets its own mark on the call
row (the row itself for newCall, ``answered_at`` for answer, ``ended_at`` for
hangup), which is how a repeated event is known and changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from console import phones
from console.domain import ACTIVE_STATUSES, AgentState, Channel, ContactEventKind, ContactStatus, Priority
from console.domain.calls import (
    ABANDONED_DISPOSITION,
    CallChange,
    CallDirection,
    CallState,
    CtiEvent,
    CtiEventKind,
)
from console.services import sla_engine
from console.services.agents import record_state
from console.services.call_rows import WITHHELD, customer_number, e164_or_raw, readable
from console.services.rows import agent_by_login
from console.store import changes
from console.store.models import Agent, Contact, ContactEvent, CustomerPhone, Disposition
from console.store.models_channels import ChannelAccount, PhoneCall

ABANDONED_CODE = ABANDONED_DISPOSITION
ABANDONED_LABEL = "Abandoned: the caller hung up before an answer"
MAX_SUBJECT = 200


class CallEvent:
    """Applies ``event`` to the call ``(account, event.call_id)``; ``run()`` says what it did.

    Args:
        s: the write session (the caller's transaction).
        account: the CTI account the event came through (its queue takes the calls).
        event: the checked event.
        now: when it arrived.
        regions: where numbers without a country code are read (Settings.phone_regions).
    """

    def __init__(self, s: Session, account: ChannelAccount, event: CtiEvent, now: datetime,
                 regions: Sequence[str]) -> None:
        self.s, self.account, self.event, self.now = s, account, event, now
        self.regions = regions
        self.dialect = s.get_bind().dialect.name

    def run(self) -> tuple[CallChange, PhoneCall]:
        call = self._locked()
        created = call is None
        if call is None:
            call = self._insert()
            if call is None:  # another gateway inserted it a moment ago: it is theirs, locked
                call = self._locked()
                assert call is not None
                created = False
        if created:
            self._open_contact(call)
        kind = self.event.kind
        if kind is CtiEventKind.NEW_CALL:
            return (CallChange.RINGING if created else self._fill_in(call)), call
        if kind is CtiEventKind.ANSWER:
            return self._answer(call), call
        return self._hang_up(call), call

    # -- the call row ----------------------------------------------------
    def _locked(self) -> PhoneCall | None:
        """The call, row-locked on PostgreSQL (SQLite's writers queue on its write lock)."""
        query = select(PhoneCall).where(PhoneCall.account_id == self.account.id,
                                        PhoneCall.call_id == self.event.call_id)
        if self.dialect == "postgresql":
            query = query.with_for_update()
        return self.s.execute(query).scalar()

    def _insert(self) -> PhoneCall | None:
        """A new call row, or None when the (account, call id) pair was taken meanwhile."""
        event = self.event
        direction = event.direction or CallDirection.IN
        values = {"account_id": self.account.id, "call_id": event.call_id,
                  "direction": direction.value,
                  "caller": e164_or_raw(event.caller, self.regions)[:40],
                  "callee": e164_or_raw(event.callee, self.regions)[:40],
                  "state": CallState.RINGING.value, "ringing_at": self.now, "cause": ""}
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        new_id = self.s.execute(insert(PhoneCall).values(values).on_conflict_do_nothing(
            index_elements=["account_id", "call_id"]).returning(PhoneCall.id)).scalar()
        if new_id is None:
            return None
        changes.record(self.s, "call", new_id, "insert")
        return self.s.get_one(PhoneCall, new_id)

    def _fill_in(self, call: PhoneCall) -> CallChange:
        """A newCall after the call was known (it came late): fills in numbers left blank.

        When that gives the customer's number, the contact learns who is calling.
        """
        knew = customer_number(call)
        for column, raw in (("caller", self.event.caller), ("callee", self.event.callee)):
            if raw and not getattr(call, column):
                setattr(call, column, e164_or_raw(raw, self.regions)[:40])
                changes.record(self.s, "call", call.id)
        if not knew and customer_number(call) and call.contact_id is not None:
            contact = self._contact(call)
            subject, preview = self._words(call)
            contact.subject, contact.preview = subject, preview
            if contact.customer_id is None:
                contact.customer_id = self._customer(self._raw_customer_number(call))
            self._touch(contact)
        return CallChange.DUPLICATE

    # -- the contact -----------------------------------------------------
    def _open_contact(self, call: PhoneCall) -> None:
        """The call's contact in the account's queue; an outbound call is its agent's from the start."""
        s, now = self.s, self.now
        outbound = call.direction == CallDirection.OUT.value
        agent = self._agent() if outbound and self.event.user else None
        subject, preview = self._words(call)
        contact = Contact(
            channel=Channel.PHONE, queue_id=self.account.queue_id,
            customer_id=self._customer(self._raw_customer_number(call)),
            subject=subject, preview=preview,
            status=ContactStatus.OPEN if agent else ContactStatus.NEW,
            priority=int(Priority.NORMAL), assignee_id=agent.id if agent else None,
            created_at=now, updated_at=now, version=1, sla_paused_s=0,
            external_ref=f"cti:{call.call_id}"[:120])
        if outbound:
            # The agent reached out: no first response is owed, and the service level
            # leaves outbound calls out (console.services._monitor_queries).
            contact.first_response_at = now
        sla_engine.stamp(s, contact)
        s.add(contact)
        s.flush()
        call.contact_id = contact.id
        detail = f"via phone ({self.account.name})"
        s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.CREATED, created_at=now,
                           detail=detail))
        if agent is not None:
            call.agent_id = agent.id
            s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.CLAIMED,
                               agent_id=agent.id, created_at=now, detail="dialled the customer"))
            record_state(s, agent.id, AgentState.ON_CONTACT, now, f"call {call.call_id}")
        changes.record(s, "contact", contact.id, "insert")

    def _words(self, call: PhoneCall) -> tuple[str, str]:
        """The contact's subject and preview: who is calling, as an agent reads the number."""
        number = readable(customer_number(call), self.regions)
        number = f"a {number}" if number == WITHHELD else number
        if call.direction == CallDirection.OUT.value:
            return f"Call to {number}"[:MAX_SUBJECT], f"Outgoing call to {number}"[:200]
        return f"Call from {number}"[:MAX_SUBJECT], f"Incoming call from {number}"[:200]

    def _raw_customer_number(self, call: PhoneCall) -> str:
        """The customer's number as this event sent it, else as stored."""
        sent = self.event.callee if call.direction == CallDirection.OUT.value else self.event.caller
        return sent or customer_number(call)

    def _customer(self, raw: str) -> int | None:
        """The customer with this number in any of its readings, the oldest record first."""
        readings = phones.to_e164(raw, tuple(self.regions)) if raw.strip() else []
        if not readings:
            return None
        return self.s.execute(select(CustomerPhone.customer_id).where(
            CustomerPhone.e164.in_(readings)).order_by(CustomerPhone.customer_id)
            .limit(1)).scalar()

    def _agent(self) -> Agent:
        return agent_by_login(self.s, self.event.user)

    def _contact(self, call: PhoneCall) -> Contact:
        assert call.contact_id is not None
        return self.s.get_one(Contact, call.contact_id)

    def _touch(self, contact: Contact) -> None:
        contact.version += 1
        contact.updated_at = self.now
        changes.record(self.s, "contact", contact.id)

    # -- answer ----------------------------------------------------------
    def _answer(self, call: PhoneCall) -> CallChange:
        if call.answered_at is not None:
            return CallChange.DUPLICATE
        agent = self._agent()
        if call.state == CallState.ABANDONED.value or call.ended_at is not None:
            return self._answered_after_hang_up(call, agent)
        s, now = self.s, self.now
        call.state, call.answered_at, call.agent_id = CallState.TALKING.value, now, agent.id
        changes.record(s, "call", call.id)
        contact = self._contact(call)
        self._reopen(contact, agent, "open: the call was answered")
        outbound = call.direction == CallDirection.OUT.value
        self._assign(contact, agent, "the customer answered" if outbound else "answered the call")
        if contact.first_response_at is None:
            contact.first_response_at = now  # the answer is a phone call's first response
        record_state(s, agent.id, AgentState.ON_CONTACT, now, f"call {call.call_id}")
        return CallChange.ANSWERED

    def _assign(self, contact: Contact, agent: Agent, detail: str) -> None:
        """The phone system's word goes: whoever answered has the contact, open.

        A claim event when the contact changes hands; a status event when it was theirs.
        """
        kind = ContactEventKind.CLAIMED
        if contact.assignee_id == agent.id:
            kind = ContactEventKind.STATUS
        elif contact.assignee_id is not None:
            before = self.s.get_one(Agent, contact.assignee_id)
            detail += f" (it was {before.name}'s)"
        contact.assignee_id = agent.id
        if contact.status == ContactStatus.NEW:
            contact.status = ContactStatus.OPEN
        self._touch(contact)
        self.s.add(ContactEvent(contact_id=contact.id, kind=kind, agent_id=agent.id,
                                created_at=self.now, detail=detail))

    def _reopen(self, contact: Contact, agent: Agent, detail: str) -> None:
        """A call answered on a contact that was resolved meanwhile: the work is not done."""
        if contact.status in ACTIVE_STATUSES:
            return
        sla_engine.on_status_change(self.s, contact, ContactStatus.OPEN, self.now)
        contact.status, contact.resolved_at, contact.disposition_code = (
            ContactStatus.OPEN, None, None)
        self.s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.REOPENED,
                                agent_id=agent.id, created_at=self.now, detail=detail))

    def _answered_after_hang_up(self, call: PhoneCall, agent: Agent) -> CallChange:
        """The answer arrived after the hang-up (events out of order): it was answered after all.

        How long they talked is unknown (none is counted); an inbound call taken
        for abandoned becomes the agent's, open again for wrap-up.
        """
        s, now = self.s, self.now
        assert call.ended_at is not None
        call.answered_at, call.agent_id = call.ended_at, agent.id
        call.state = CallState.ENDED.value
        changes.record(s, "call", call.id)
        contact = self._contact(call)
        self._reopen(contact, agent, "open: the phone system reported the answer after the "
                                     "hang-up; the call was not abandoned")
        if contact.first_response_at is None:
            contact.first_response_at = call.ended_at
        self._assign(contact, agent, "answered the call (reported after the hang-up)")
        record_state(s, agent.id, AgentState.WRAP_UP, now, f"call {call.call_id}")
        return CallChange.ANSWERED

    # -- hang-up ---------------------------------------------------------
    def _hang_up(self, call: PhoneCall) -> CallChange:
        if call.ended_at is not None:
            return CallChange.DUPLICATE
        s, now = self.s, self.now
        call.ended_at, call.cause = now, self.event.cause[:60]
        changes.record(s, "call", call.id)
        if call.answered_at is None and call.direction == CallDirection.IN.value:
            call.state = CallState.ABANDONED.value
            self._abandon(call)
            return CallChange.ABANDONED
        call.state = CallState.ENDED.value
        contact = self._contact(call)
        self._touch(contact)
        s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.STATUS,
                           agent_id=call.agent_id, created_at=now, detail=_ended_words(call)))
        if call.agent_id is not None and not self._talking_elsewhere(call):
            record_state(s, call.agent_id, AgentState.WRAP_UP, now, f"call {call.call_id}")
        return CallChange.ENDED

    def _abandon(self, call: PhoneCall) -> None:
        """The caller gave up: the contact is resolved, unassigned, as abandoned."""
        s, now = self.s, self.now
        self._ensure_abandoned_disposition()
        contact = self._contact(call)
        if contact.status in ACTIVE_STATUSES:
            sla_engine.on_status_change(s, contact, ContactStatus.RESOLVED, now)
            contact.status, contact.resolved_at = ContactStatus.RESOLVED, now
            contact.assignee_id, contact.disposition_code = None, ABANDONED_CODE
        self._touch(contact)
        rang = int((now - call.ringing_at).total_seconds())
        s.add(ContactEvent(contact_id=contact.id, kind=ContactEventKind.RESOLVED, created_at=now,
                           detail=f"abandoned: the caller hung up after {_duration(rang)} "
                                  "without an answer"))

    def _ensure_abandoned_disposition(self) -> None:
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        self.s.execute(insert(Disposition).values(
            code=ABANDONED_CODE, label=ABANDONED_LABEL, active=False).on_conflict_do_nothing(
            index_elements=["code"]))

    def _talking_elsewhere(self, call: PhoneCall) -> bool:
        """Whether the call's agent is on another call still (then they stay On contact)."""
        return self.s.execute(select(PhoneCall.id).where(
            PhoneCall.agent_id == call.agent_id, PhoneCall.state == CallState.TALKING.value,
            PhoneCall.id != call.id).limit(1)).first() is not None


def _ended_words(call: PhoneCall) -> str:
    cause = f" ({call.cause})" if call.cause else ""
    if call.answered_at is None:
        return f"call ended unanswered{cause}"
    assert call.ended_at is not None
    talk = int((call.ended_at - call.answered_at).total_seconds())
    return f"call ended after {_duration(talk)} talking{cause}"


def _duration(seconds: int) -> str:
    """"3 min 12 s", "45 s", "1 h 02 min"."""
    seconds = max(0, seconds)
    if seconds < 60:
        return f"{seconds} s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"
