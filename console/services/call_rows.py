"""Phone calls as frozen values, and how their numbers read: shared by the call service and
the contact detail (console.services._threads)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from console import phones
from console.domain.calls import CallDirection, CallInfo, CallState
from console.store.models import Agent
from console.store.models_channels import PhoneCall

WITHHELD = "withheld number"
# What phone systems send for a caller who withholds the number.
_WITHHELD_WORDS = frozenset({"", "anonymous", "unknown", "private", "restricted", "withheld",
                             "unavailable", "non-display"})


def e164_or_raw(raw: str, regions: Sequence[str]) -> str:
    """The number in E.164 when it reads as one (any format, full-width digits too),
    else the text as the phone system sent it ("anonymous", an internal extension)."""
    found = phones.to_e164(raw, tuple(regions)) if raw.strip() else []
    return found[0] if found else raw.strip()


def readable(number: str, regions: Sequence[str]) -> str:
    """How an agent reads a stored number: national format at home, "withheld number" for none."""
    if number.strip().casefold() in _WITHHELD_WORDS:
        return WITHHELD
    if not number.startswith("+"):
        return number
    return phones.readable(number, regions[0] if regions else None)


def customer_number(call: PhoneCall) -> str:
    """The customer's side of the call: who called in, or who was called."""
    return call.callee if call.direction == CallDirection.OUT.value else call.caller


def call_info(s: Session, call: PhoneCall, regions: Sequence[str]) -> CallInfo:
    agent = s.get(Agent, call.agent_id) if call.agent_id is not None else None
    number = customer_number(call)
    return CallInfo(
        id=call.id, call_id=call.call_id, contact_id=call.contact_id,
        direction=CallDirection(call.direction), state=CallState(call.state), number=number,
        number_display=readable(number, regions),
        agent_login=agent.login if agent else None, agent_name=agent.name if agent else None,
        ringing_at=call.ringing_at, answered_at=call.answered_at, ended_at=call.ended_at,
        cause=call.cause)


def calls_of(s: Session, contact_id: int, regions: Sequence[str]) -> list[CallInfo]:
    """The contact's calls, oldest first."""
    rows = s.execute(select(PhoneCall).where(PhoneCall.contact_id == contact_id)
                     .order_by(PhoneCall.ringing_at, PhoneCall.id)).scalars()
    return [call_info(s, c, regions) for c in rows]
