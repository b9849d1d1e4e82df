"""Phone calls as every layer sees them (issue 12): the CTI events a phone system reports,
the calls they make, and what became of each event.

Frozen values: console.channels.cti builds a `CtiEvent` from the phone
system's form, console.services.calls applies it and hands out `CallInfo`,
`LiveCall` and `CallOutcome`; never ORM objects.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

# The disposition code of an inbound call the caller hung up before anyone answered: given
# by the phone system's hang-up only (inactive, never offered to agents).
ABANDONED_DISPOSITION = "abandoned"


class CtiEventKind(enum.StrEnum):
    """What the phone system says happened, in its own words (the ``event`` field)."""

    NEW_CALL = "newCall"
    ANSWER = "answer"
    HANGUP = "hangup"


class CallDirection(enum.StrEnum):
    """Who called: the customer (in) or an agent (out)."""

    IN = "in"
    OUT = "out"


class CallState(enum.StrEnum):
    """Where a call is: as stored in ``phone_calls.state``."""

    RINGING = "ringing"  # offered (inbound: to the queue's agents; outbound: the customer's phone)
    TALKING = "talking"  # answered, not hung up yet
    ENDED = "ended"  # hung up after an answer (or an outbound call nobody answered)
    ABANDONED = "abandoned"  # an inbound call the caller hung up before anyone answered


class CallChange(enum.StrEnum):
    """What applying one event did."""

    RINGING = "ringing"  # a new call (and its contact)
    ANSWERED = "answered"
    ENDED = "ended"
    ABANDONED = "abandoned"
    DUPLICATE = "duplicate"  # the event was applied before: nothing changed


@dataclass(frozen=True, slots=True)
class CtiEvent:
    """One event from the phone system, checked (console.channels.cti.parse_cti_form).

    Attributes:
        kind: newCall, answer or hangup.
        call_id: the phone system's id of the call (unique per account).
        direction: in or out; None when the event did not say (answer, hangup).
        caller: the ``from`` number as sent ("" when withheld).
        callee: the ``to`` number as sent.
        user: the agent's login (who answered; who dialled an outbound call), "" when none.
        cause: why the call ended (hangup), "" when not given.
    """

    kind: CtiEventKind
    call_id: str
    direction: CallDirection | None = None
    caller: str = ""
    callee: str = ""
    user: str = ""
    cause: str = ""


@dataclass(frozen=True, slots=True)
class CallInfo:
    """One call as a person sees it.

    Attributes:
        number: the customer's side (the caller of an inbound call, the callee of an
            outbound one) in E.164 when it could be read, else as the phone system sent it.
        number_display: the same as people read it ("090-1234-5678"; "withheld number").
        agent_login: who answered (inbound) or dialled (outbound); None before that.
    """

    id: int
    call_id: str
    contact_id: int | None
    direction: CallDirection
    state: CallState
    number: str
    number_display: str
    agent_login: str | None
    agent_name: str | None
    ringing_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    cause: str

    @property
    def talk_s(self) -> int | None:
        """Seconds from the answer to the hang-up (None while unanswered or still talking)."""
        if self.answered_at is None or self.ended_at is None:
            return None
        return max(0, int((self.ended_at - self.answered_at).total_seconds()))

    @property
    def ring_s(self) -> int | None:
        """Seconds it rang before it was answered or hung up (None while it still rings)."""
        end = self.answered_at or self.ended_at
        return None if end is None else max(0, int((end - self.ringing_at).total_seconds()))


@dataclass(frozen=True, slots=True)
class LiveCall:
    """A call the agent window follows: ringing in the agent's queues, or the agent's own.

    No number: the window needs only where the call is and whose it is.
    """

    id: int
    contact_id: int
    direction: CallDirection
    state: CallState
    agent_login: str | None
    since: datetime


@dataclass(frozen=True, slots=True)
class CallOutcome:
    """What became of one CTI event.

    Attributes:
        change: what the event did (DUPLICATE: it was applied before).
        call: the call as the event left it.
    """

    change: CallChange
    call: CallInfo

    @property
    def contact_id(self) -> int | None:
        return self.call.contact_id


@dataclass(frozen=True, slots=True)
class Dialled:
    """A call the phone system accepted to place (click-to-dial).

    Attributes:
        extension: the agent's extension, whose phone rings first.
        number: the number dialled, E.164.
        number_display: the same as people read it.
        account: the CTI account that placed it.
    """

    extension: str
    number: str
    number_display: str
    account: str
