"""The authorised facade: the services as one signed-in person may use them.

``authorize(services, principal)`` returns an object shaped like
console.app.Services (``guarded.customers.find(...)``) whose operations
check console.security.permissions before they run, raise NotPermitted with a
message for a person when the role does not allow them, and write the audit
entry the rule asks for. Front ends hold only the guarded object once somebody
has signed in. It is an API boundary, not a sandbox: Python code in the same
process could still reach the raw services.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from console.errors import NotPermitted
from console.masking import mask_digit_runs
from console.security.permissions import ON_BEHALF, PERMISSIONS, Rule
from console.security.principal import Principal
from console.services import audit

if TYPE_CHECKING:
    from console.app import Services

log = logging.getLogger(__name__)

_NOT_SERVICES = frozenset({"db", "clock", "settings"})
_QUERY_ARGS = ("query", "q")


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


class Authorized:
    """The services as ``principal`` may use them (see the module docstring)."""

    def __init__(self, services: Services, principal: Principal) -> None:
        self._services = services
        self.principal = principal

    def __getattr__(self, name: str) -> GuardedService:
        if name.startswith("_") or name in _NOT_SERVICES:
            raise AttributeError(name)
        return GuardedService(name, getattr(self._services, name), self._services, self.principal)


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
        rule = permitted(operation, self._principal)
        method = getattr(self._target, op)

        def call(*args: Any, **kwargs: Any) -> Any:
            self._check_own(rule, method, args, kwargs)
            if rule.actor == "first":
                args = (self._principal, *args)
            elif rule.actor == "keyword":
                kwargs["actor"] = self._principal
            result = method(*args, **kwargs)
            if rule.audit:
                self._audit(rule, operation, method, args, kwargs, result)
            return result

        call.__name__ = op
        call.__doc__ = method.__doc__
        return call

    def _check_own(self, rule: Rule, method: Callable[..., Any], args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> None:
        if rule.own is None or self._principal.role in ON_BEHALF:
            return
        value = _argument(method, args, kwargs, rule.own)
        if value is not None and value != self._principal.login:
            raise NotPermitted(f"{self._principal.name} may act only as themself, "
                               f"not as '{str(value)[:64]}'.")

    def _audit(self, rule: Rule, operation: str, method: Callable[..., Any],
               args: tuple[Any, ...], kwargs: dict[str, Any], result: Any) -> None:
        key = _argument(method, args, kwargs, rule.key) if rule.key else getattr(result, "id", None)
        detail: dict[str, Any] = {"operation": operation}
        query = next((_argument(method, args, kwargs, n) for n in _QUERY_ARGS
                      if n in _parameters(method)), None)
        if isinstance(query, str):
            detail["query"] = mask_digit_runs(query[:200])
        if isinstance(result, list):
            detail["results"] = len(result)
        sv = self._services
        with sv.db.write() as s:
            audit.append(s, at=sv.clock.now(), actor=self._principal, action=rule.audit or "",
                         entity=rule.entity, entity_id="-" if key is None else key, detail=detail)


def authorize(services: Services, principal: Principal) -> Authorized:
    """The services as ``principal`` may use them."""
    return Authorized(services, principal)


def _parameters(method: Callable[..., Any]) -> list[str]:
    return list(inspect.signature(method).parameters)


def _argument(method: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any],
              name: str) -> Any:
    """The value passed for parameter ``name`` (None when it was not passed)."""
    try:
        bound = inspect.signature(method).bind_partial(*args, **kwargs)
    except TypeError:
        return None
    return bound.arguments.get(name)
