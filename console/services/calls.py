"""Phone calls (issue 12): the phone system's CTI events in, screen pops and click-to-dial out.

``apply`` takes one event the gateway received for a CTI account (parsed by
console.channels.cti) and applies it in one transaction:

- **newCall** inbound opens a phone contact in the account's queue, SLA
  stamped, the caller matched to a customer by number (read in any format,
  compared in E.164); an unknown caller has no customer, and the contact's
  subject says who is calling ("Call from 090-1234-5678"). It rings for the
  agents of the queue. An outbound newCall naming its agent (``user``) is
  that agent's contact from the start, and the agent is On contact.
- **answer** gives the contact to the agent who answered (open, a claim
  event, the answer as its first response) and puts them On contact.
- **hangup** ends the call (its talk time is answer to hang-up) and puts
  the agent into Wrap-up; the contact stays open for them to resolve, and
  wrap-up ends when they do. An inbound call hung up before anyone answered
  is **abandoned**: its contact is resolved, unassigned, with the inactive
  disposition ``abandoned`` (the wallboard's abandonment rate counts it).

Each (account, call, event) applies once: a repeated event changes nothing.
Events out of order are taken for what they say: an answer or hang-up for
a call never announced opens it first; an answer reported after the
hang-up makes the call answered (no talk time known) and the contact the
agent's again.

``dial`` asks the phone system to place a call from the agent's extension
(the CTI account's settings: ``originate_url`` and ``extension:LOGIN``).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from console import phones
from console.clock import Clock
from console.domain import ACTIVE_STATUSES, ContactStatus
from console.domain.calls import (
    CallDirection,
    CallInfo,
    CallOutcome,
    CallState,
    CtiEvent,
    Dialled,
    LiveCall,
)
from console.domain.channel_accounts import ChannelKind
from console.errors import NotFound, ValidationError
from console.services import _originate
from console.services._call_events import CallEvent
from console.services.call_rows import call_info, calls_of, readable
from console.services.rows import agent_by_login
from console.store.db import Database
from console.store.models import AgentQueue, Contact
from console.store.models_channels import ChannelAccount, PhoneCall

EXTENSION_PREFIX = "extension:"
_FOLLOWED = (CallState.RINGING.value, CallState.TALKING.value, CallState.ENDED.value)


class CallService:
    """Calls from the phone system, the calls an agent window follows, and click-to-dial.

    Args:
        db: the database.
        clock: where "now" comes from (talk and ring times).
        phone_regions: where numbers without a country code are read, the first
            being home (its numbers read in national format).
    """

    def __init__(self, db: Database, clock: Clock, phone_regions: Sequence[str]) -> None:
        self._db = db
        self._clock = clock
        self._regions = tuple(phone_regions)

    def apply(self, account_id: int, event: CtiEvent) -> CallOutcome:
        """Applies one CTI event of account ``account_id`` (see the module docstring).

        Raises:
            NotFound: no such account, or the answering or dialling agent is unknown.
            ValidationError: the account is no CTI account, or it is disabled.
        """
        now = self._clock.now()
        with self._db.write() as s:
            account = s.get(ChannelAccount, account_id)
            if account is None:
                raise NotFound(f"There is no channel account {account_id}.")
            if account.kind != ChannelKind.CTI:
                raise ValidationError(f"'{account.name}' is no phone (CTI) account.")
            if not account.enabled:
                raise ValidationError(f"The phone account '{account.name}' is disabled.")
            change, call = CallEvent(s, account, event, now, self._regions).run()
            s.flush()
            return CallOutcome(change, call_info(s, call, self._regions))

    def for_contact(self, contact_id: int) -> builtins.list[CallInfo]:
        """The calls of a contact, oldest first.

        Raises:
            NotFound: no such contact.
        """
        with self._db.read() as s:
            if s.get(Contact, contact_id) is None:
                raise NotFound(f"There is no contact {contact_id}.")
            return calls_of(s, contact_id, self._regions)

    def live(self, agent_login: str) -> builtins.list[LiveCall]:
        """What the agent's window shows as calls: ringing in their queues, and their own
        calls whose contact is still open (ringing out, talking, or in wrap-up)."""
        with self._db.read() as s:
            agent = agent_by_login(s, agent_login)
            queues = select(AgentQueue.queue_id).where(AgentQueue.agent_id == agent.id)
            # Driven from the contacts (their queue and assignee indexes), not a scan of calls.
            ringing = _calls_of_contacts(s, Contact.assignee_id.is_(None),
                                         Contact.status == ContactStatus.NEW,
                                         Contact.queue_id.in_(queues))
            mine = _calls_of_contacts(s, Contact.assignee_id == agent.id,
                                      Contact.status.in_(ACTIVE_STATUSES))
        latest: dict[int, PhoneCall] = {}
        for call in (*ringing, *mine):
            known = latest.get(call.contact_id or 0)
            if known is None or (call.ringing_at, call.id) > (known.ringing_at, known.id):
                latest[call.contact_id or 0] = call
        return [_live(c, agent_login if c.agent_id == agent.id else None)
                for c in sorted(latest.values(), key=lambda c: (c.ringing_at, c.id))
                if c.state == CallState.RINGING.value or c.agent_id == agent.id]

    def dial(self, agent_login: str, number: str) -> Dialled:
        """Asks the phone system to ring the agent's extension, then ``number``.

        The phone system then reports the call (an outbound newCall naming the
        agent), which opens its contact.

        Raises:
            ValidationError: the number cannot be read, the agent has no extension, the
                account has no originate URL, or the phone system refused the call.
            ProviderUnavailable: the phone system did not answer.
        """
        found = phones.to_e164(number, self._regions) if phones.looks_like_phone(number) else []
        if not found:
            raise ValidationError(f"'{number[:40]}' is not a phone number we can dial.")
        e164 = found[0]
        with self._db.read() as s:
            agent = agent_by_login(s, agent_login)
            account, extension = _line_of(s, agent.id, agent.login)
            url = str(account.settings.get("originate_url", ""))
            method = str(account.settings.get("originate_method", "POST"))
            name = account.name
        if not url:
            raise ValidationError(f"The phone account '{name}' has no originate URL: ask an "
                                  "administrator to set one, or dial by hand.")
        _originate.originate(url, method, extension, e164)
        return Dialled(extension, e164, readable(e164, self._regions), name)


def _calls_of_contacts(s: Session, *where: ColumnElement[bool]) -> list[PhoneCall]:
    query = (select(PhoneCall).join(Contact, Contact.id == PhoneCall.contact_id)
             .where(*where, PhoneCall.state.in_(_FOLLOWED)))
    return list(s.execute(query.limit(500)).scalars())


def _live(call: PhoneCall, agent_login: str | None) -> LiveCall:
    assert call.contact_id is not None
    since = {CallState.TALKING.value: call.answered_at,
             CallState.ENDED.value: call.ended_at}.get(call.state) or call.ringing_at
    return LiveCall(call.id, call.contact_id, CallDirection(call.direction), CallState(call.state),
                    agent_login, since)


def _line_of(s: Session, agent_id: int, login: str) -> tuple[ChannelAccount, str]:
    """The enabled CTI account with an extension for the agent, preferring one of their queues."""
    mine = set(s.execute(select(AgentQueue.queue_id).where(AgentQueue.agent_id == agent_id))
               .scalars())
    accounts = s.execute(select(ChannelAccount).where(
        ChannelAccount.kind == ChannelKind.CTI, ChannelAccount.enabled)
        .order_by(ChannelAccount.id)).scalars()
    lines = [(a, str(a.settings[EXTENSION_PREFIX + login])) for a in accounts
             if a.settings.get(EXTENSION_PREFIX + login)]
    if not lines:
        raise ValidationError("You have no phone extension set up for click-to-dial: ask an "
                              "administrator to add yours to the phone account.")
    lines.sort(key=lambda line: line[0].queue_id not in mine)
    return lines[0]
