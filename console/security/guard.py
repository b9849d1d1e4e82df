"""The one door: the services as one signed-in person may use them.

``authorize(services, principal)`` returns a ``Door``, shaped like
console.app.Services (``door.customers.find(...)``), whose operations check
console.security.permissions before they run and raise NotPermitted with a
message for a person when the role does not allow them. When the rule asks
for an audit entry, the operation and its entry run in one unit of work
(console.store.db): they commit together or not at all.

The window, the command line and the gateway hold only a Door (and, before
anyone has signed in, an ``Entrance``). For mypy a Door's services have the
real services' types, so every call is checked against the real signature;
operations that take the acting person (``actor``) get it passed explicitly,
and the door refuses any person but its own.

It is an API boundary, not a sandbox: Python code in the same process could
still reach the raw services.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from console.domain import Written
from console.errors import NotPermitted
from console.masking import mask_digit_runs
from console.security.permissions import ON_BEHALF, PERMISSIONS, Rule
from console.security.principal import Principal
from console.services import audit
from console.sync.follow import ChangeSource

if TYPE_CHECKING:
    from console.app import Services
    from console.clock import Clock
    from console.domain import AgentInfo
    from console.services.admin import AdminService
    from console.services.agents import AgentService
    from console.services.audit import AuditService
    from console.services.auth import AuthService, IssuedSession
    from console.services.branch import BranchService
    from console.services.calls import CallService
    from console.services.channels import ChannelService
    from console.services.customers import CustomerService
    from console.services.deliveries import DeliveryQueue
    from console.services.events import EventStore
    from console.services.inbox import InboxService
    from console.services.intake import IntakeService
    from console.services.kb import KbService
    from console.services.mail import MailService
    from console.services.mailboxes import MailboxLeases
    from console.services.messaging import MessagingService
    from console.services.monitor import MonitorService
    from console.services.presence import PresenceService
    from console.services.sla import SlaService
    from console.services.staff import StaffService
    from console.services.templates import TemplateService
    from console.services.webchat import WebchatService

log = logging.getLogger(__name__)

# Fields of Services that are not services: never handed out through the door.
_NOT_SERVICES = frozenset({"db", "clock", "settings"})
_QUERY_ARGS = ("query", "q")
# Arguments that say what a search or export covered: recorded in its audit entry.
_DESCRIBED_ARGS = {"f": "filter", "fmt": "format"}
_MAX_ITEMS, _MAX_TEXT = 20, 64


def permitted(operation: str, principal: Principal) -> Rule:
    """The rule for ``operation`` if ``principal`` may call it.

    Raises:
        NotPermitted: the role may not, or the operation is not in the matrix.
    """
    rule = PERMISSIONS.get(operation)
    if rule is None or principal.role not in rule.roles:
        raise NotPermitted(f"{principal.name} signed in as {principal.role.value} may not use "
                           f"'{operation}'. Ask a supervisor or an administrator.")
    return rule


class Door:
    """The services as ``principal`` may use them (see the module docstring).

    Attributes:
        principal: who is signed in; every check and audit entry is theirs.
        changes: the change log to follow (what changed, no customer data).
    """

    if TYPE_CHECKING:
        # What mypy sees: the real services, so calls are checked against their
        # signatures. At run time each is a GuardedService (``__getattr__``).
        inbox: InboxService
        customers: CustomerService
        templates: TemplateService
        agents: AgentService
        admin: AdminService
        audit: AuditService
        auth: AuthService
        branch: BranchService
        staff: StaffService
        intake: IntakeService
        kb: KbService
        presence: PresenceService
        sla: SlaService
        monitor: MonitorService
        channels: ChannelService
        mailboxes: MailboxLeases
        deliveries: DeliveryQueue
        mail: MailService
        events: EventStore
        messaging: MessagingService
        calls: CallService
        webchat: WebchatService

    def __init__(self, services: Services, principal: Principal) -> None:
        self._services = services
        self.principal = principal
        self.changes = ChangeSource(services.db)
        self._guarded: dict[str, GuardedService] = {}

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in _NOT_SERVICES:
            raise AttributeError(name)
        guarded = self._guarded.get(name)
        if guarded is None:
            guarded = GuardedService(name, getattr(self._services, name), self._services,
                                     self.principal)
            self._guarded[name] = guarded
        return guarded

    @property
    def clock(self) -> Clock:
        """Where "now" comes from (timers, greetings)."""
        return self._services.clock

    @property
    def timezone(self) -> str:
        """The site's time zone name (IANA), for time stamps on screen."""
        return self._services.settings.timezone


# The name the first release used; kept for callers that still say it.
Authorized = Door


class GuardedService:
    """One service whose operations are checked against the permission matrix.

    Args:
        namespace: the service's field name in Services ("customers").
        target: the service itself.
        services: all services (for the database and clock the audit needs).
        principal: who is calling.
    """

    def __init__(self, namespace: str, target: object, services: Services,
                 principal: Principal) -> None:
        self._namespace = namespace
        self._target = target
        self._services = services
        self._principal = principal

    def __getattr__(self, op: str) -> Callable[..., Any]:
        if op.startswith("_"):
            raise AttributeError(op)
        operation = f"{self._namespace}.{op}"
        method = getattr(self._target, op)

        # The check runs when the operation is called, not when it is looked up: the
        # window hands ``door.inbox.list`` to a worker, and a refusal must come back
        # from there like any other outcome, not be raised on the GUI thread.
        def call(*args: Any, **kwargs: Any) -> Any:
            rule = permitted(operation, self._principal)
            passed = _arguments(method, args, kwargs)
            self._check_actor(rule, passed)
            self._check_own(rule, passed)
            if not rule.audit:
                return method(*args, **kwargs)
            # One unit of work: the action's own sessions join this one, so the
            # action and its audit entry commit together or not at all.
            with self._services.db.write() as session:
                result = method(*args, **kwargs)
                self._audit(session, rule, operation, passed, result)
            return result

        call.__name__ = op
        call.__doc__ = method.__doc__
        return call

    def _check_actor(self, rule: Rule, passed: dict[str, Any]) -> None:
        """The acting person passed to the service must be the one at this door."""
        if rule.actor is None:
            return
        if passed.get(rule.actor) != self._principal:
            raise NotPermitted(f"{self._principal.name} may act only as themself.")

    def _check_own(self, rule: Rule, passed: dict[str, Any]) -> None:
        if rule.own is None or self._principal.role in ON_BEHALF:
            return
        value = passed.get(rule.own)
        if value is not None and value != self._principal.login:
            raise NotPermitted(f"{self._principal.name} may act only as themself, "
                               f"not as '{str(value)[:64]}'.")

    def _audit(self, session: Any, rule: Rule, operation: str, passed: dict[str, Any],
               result: Any) -> None:
        if isinstance(result, Written):  # a write's value names the record, not its wrapper
            result = result.value
        key = passed.get(rule.key) if rule.key else getattr(result, "id", None)
        detail: dict[str, Any] = {"operation": operation}
        query = next((passed[n] for n in _QUERY_ARGS if n in passed), None)
        if isinstance(query, str):
            detail["query"] = mask_digit_runs(query[:200])
        for name, label in _DESCRIBED_ARGS.items():
            value = passed.get(name)
            if value is not None:
                detail[label] = _described(value)
        if isinstance(result, list):
            detail["results"] = len(result)
        for name in rule.detail:
            detail[name] = passed.get(name)
        if rule.own is not None:
            acting_for = passed.get(rule.own)
            if acting_for is not None and acting_for != self._principal.login:
                detail["acting_for"] = str(acting_for)[:_MAX_TEXT]
        audit.append(session, at=self._services.clock.now(), actor=self._principal,
                     action=rule.audit or "", entity=rule.entity,
                     entity_id="-" if key is None else key, detail=detail)


class Entrance:
    """What a front end holds before anybody signs in: signing in opens a Door.

    Args:
        services: the services the doors lead to (held here, never handed out).
    """

    def __init__(self, services: Services) -> None:
        self._services = services

    @property
    def database(self) -> str:
        """The database's URL with any password hidden, for titles and messages."""
        return self._services.db.describe()

    @property
    def workstation(self) -> str:
        """This workstation's name as configured (audit entries record it)."""
        return self._services.settings.workstation

    def sign_in(self, login: str, password: str, *, workstation: str = "",
                remember: bool = False, os_user: str = "") -> Door:
        """Checks the password; the door for that person (console.services.auth)."""
        principal = self._services.auth.sign_in(login, password, workstation=workstation,
                                                remember=remember, os_user=os_user)
        return Door(self._services, principal)

    def resume(self, *, workstation: str = "") -> Door | None:
        """The door for the person this workstation remembers, if any."""
        principal = self._services.auth.resume(workstation=workstation)
        return None if principal is None else Door(self._services, principal)

    def sign_out(self, door: Door) -> None:
        """Records the sign-out and forgets a remembered sign-in."""
        self._services.auth.sign_out(door.principal)

    def open_session(self, door: Door, *, lasting: timedelta) -> IssuedSession:
        """A session token for the person at ``door`` (the command line keeps it)."""
        return self._services.auth.open_session(door.principal, lasting=lasting)

    def resume_session(self, token: str, *, workstation: str = "",
                       os_user: str = "") -> Door | None:
        """The door for the person whose session ``token`` is, while it lasts."""
        principal = self._services.auth.resume_session(token, workstation=workstation,
                                                       os_user=os_user)
        return None if principal is None else Door(self._services, principal)

    def end_session(self, token: str, *, os_user: str = "") -> Principal | None:
        """Revokes a session; who it belonged to, or None when it was unknown."""
        return self._services.auth.end_session(token, os_user=os_user)

    def create_first_admin(self, login: str, name: str, password: str, *,
                           os_user: str = "") -> AgentInfo:
        """The first administrator of a database that has none (console.services.staff)."""
        return self._services.staff.create_first_admin(login, name, password, os_user=os_user)

    def close(self) -> None:
        self._services.close()


def authorize(services: Services, principal: Principal) -> Door:
    """The services as ``principal`` may use them."""
    return Door(services, principal)


def _described(value: Any) -> Any:
    """A search's filter or an export's format as plain, short JSON for its audit entry."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _described(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple | set | frozenset):
        return [_described(v) for v in list(value)[:_MAX_ITEMS]]
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return mask_digit_runs(value[:_MAX_TEXT])  # somebody may have typed a number
    return value if value is None or isinstance(value, bool | int | float) else str(value)[:_MAX_TEXT]


def _arguments(method: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> dict[str, Any]:
    """What was passed, by parameter name (empty when the call does not fit the signature:
    the method itself then raises its TypeError)."""
    try:
        return dict(inspect.signature(method).bind_partial(*args, **kwargs).arguments)
    except TypeError:
        return {}
