"""The phone system's HTTP events (generic CTI): the form fields turned into a checked `CtiEvent`.

A PBX or telephony provider reports each call as form posts with the fields
``event`` (newCall, answer, hangup), ``callId``, ``from``, ``to``,
``direction`` (in/out), ``user`` (the agent's login) and ``cause``. The
gateway's web server parses the form and passes the fields here; what comes
back goes to ``CallService.apply``. Unknown fields are ignored (providers add
their own); a bad one is refused with a ValidationError naming it.
"""

from __future__ import annotations

from collections.abc import Mapping

from console.domain.calls import CallDirection, CtiEvent, CtiEventKind
from console.errors import ValidationError

MAX_CALL_ID = 120
MAX_NUMBER = 40
MAX_USER = 64
MAX_CAUSE = 60


def parse_cti_form(fields: Mapping[str, str]) -> CtiEvent:
    """The event the form describes.

    Required: ``event`` and ``callId`` always, ``direction`` on newCall,
    ``user`` on answer. Values are trimmed.

    Raises:
        ValidationError: a missing or bad field; the message names it.
    """
    kind = _kind(_field(fields, "event"))
    call_id = _text(fields, "callId", MAX_CALL_ID)
    if not call_id:
        raise ValidationError("The field 'callId' is missing: every CTI event names its call.")
    direction = _direction(_field(fields, "direction"), required=kind is CtiEventKind.NEW_CALL)
    user = _text(fields, "user", MAX_USER)
    if kind is CtiEventKind.ANSWER and not user:
        raise ValidationError("The field 'user' is missing: an answer names the agent's login.")
    return CtiEvent(kind=kind, call_id=call_id, direction=direction,
                    caller=_text(fields, "from", MAX_NUMBER), callee=_text(fields, "to", MAX_NUMBER),
                    user=user, cause=_text(fields, "cause", MAX_CAUSE))


def _field(fields: Mapping[str, str], name: str) -> str:
    value = fields.get(name, "")
    if not isinstance(value, str):
        raise ValidationError(f"The field '{name}' is not text.")
    return value.strip()


def _text(fields: Mapping[str, str], name: str, limit: int) -> str:
    value = _field(fields, name)
    if len(value) > limit:
        raise ValidationError(f"The field '{name}' is longer than {limit} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValidationError(f"The field '{name}' contains control characters.")
    return value


def _kind(value: str) -> CtiEventKind:
    if not value:
        raise ValidationError("The field 'event' is missing: newCall, answer or hangup.")
    try:
        return CtiEventKind(value)
    except ValueError:
        known = ", ".join(k.value for k in CtiEventKind)
        shown = value[:40] if value.isprintable() else repr(value[:40])
        raise ValidationError(f"The field 'event' is '{shown}', not one of {known}.") from None


def _direction(value: str, *, required: bool) -> CallDirection | None:
    if not value:
        if required:
            raise ValidationError("The field 'direction' is missing: a newCall is 'in' or 'out'.")
        return None
    try:
        return CallDirection(value.lower())
    except ValueError:
        shown = value[:20] if value.isprintable() else repr(value[:20])
        raise ValidationError(f"The field 'direction' is '{shown}', not 'in' or 'out'.") from None
