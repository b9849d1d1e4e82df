"""Sign-in: argon2 password hashes, lockout after repeated failures, "remember me".

"Remember me" keeps a random token in the OS keyring (``keyring``); the
database holds only the token's sha256, so neither a stolen keyring entry
outlives its expiry nor a stolen database row signs anybody in. A command-line
session (``switchboard signin``) is the same kind of token with a working
day's lifetime; the command line decides where to keep it. Passwords are
never stored anywhere but as an argon2id hash.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

import keyring
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from keyring.errors import KeyringError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from console.clock import Clock
from console.domain import Role
from console.errors import SignInFailed, ValidationError
from console.security.principal import Principal
from console.services import audit
from console.store.db import Database
from console.store.models import Agent
from console.store.models_security import RememberToken

log = logging.getLogger(__name__)

KEYRING_SERVICE = "switchboard-sign-in"
KEYRING_USER = "remember-me"
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_WRONG = "Wrong login or password."


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A session just opened: the token to keep on the workstation, and when it ends."""

    token: str
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """After ``max_failures`` wrong passwords in a row, refuse sign-in for ``lock_for``."""

    max_failures: int = 5
    lock_for: timedelta = timedelta(minutes=15)
    remember_for: timedelta = timedelta(days=14)


def check_password(password: str) -> None:
    """Rejects passwords too short or too long to accept."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"A password needs at least {MIN_PASSWORD} characters.")
    if len(password) > MAX_PASSWORD:
        raise ValidationError(f"A password has at most {MAX_PASSWORD} characters.")
    if not password.isprintable():
        raise ValidationError("A password cannot contain control characters.")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AuthService:
    """Signing people in and out of a workstation.

    Args:
        db: the database.
        clock: where "now" comes from (lockouts expire by it).
        policy: lockout and "remember me" durations.
        hasher: the argon2 parameters (tests pass cheap ones).
        keyring_service: the keyring entry "remember me" uses.
    """

    def __init__(self, db: Database, clock: Clock, *, policy: LockoutPolicy | None = None,
                 hasher: PasswordHasher | None = None,
                 keyring_service: str = KEYRING_SERVICE) -> None:
        self._db = db
        self._clock = clock
        self._policy = policy or LockoutPolicy()
        self._hasher = hasher or PasswordHasher()
        self._keyring_service = keyring_service
        self._dummy: str | None = None

    def set_password(self, login: str, password: str, *, actor: Principal | None = None) -> None:
        """Sets (or resets) a person's password; also lifts any lockout."""
        check_password(password)
        hashed = self._hasher.hash(password)
        with self._db.write() as s:
            agent = _agent(s, login)
            if agent is None:
                raise ValidationError(f"There is no active agent '{login}'.")
            agent.password_hash, agent.failed_logins, agent.locked_until = hashed, 0, None
            s.execute(delete(RememberToken).where(RememberToken.agent_id == agent.id))
            audit.append(s, at=self._clock.now(), actor=actor, action="change", entity="agent",
                         entity_id=agent.id, detail={"field": "password", "login": login})

    def sign_in(self, login: str, password: str, *, workstation: str = "",
                remember: bool = False, os_user: str = "") -> Principal:
        """Checks the password and returns who is now signed in.

        Args:
            os_user: the operating-system account signing in (recorded in the
                audit entries of this sign-in and of everything the person does).

        Raises:
            SignInFailed: wrong login or password, or the account is locked.
        """
        now = self._clock.now()
        with self._db.read() as s:
            plausible = len(login) <= 64 and login.isprintable()
            agent = _agent(s, login.strip()) if plausible else None
            hashed = agent.password_hash if agent else None
            locked_until = agent.locked_until if agent else None
        if agent is None or hashed is None:
            self._verify(self._dummy_hash(), password)
            raise SignInFailed(_WRONG)
        origin = (workstation, os_user)  # where and as which OS user, for the audit
        if locked_until is not None and locked_until > now:
            self._record(agent.id, origin, "sign_in_refused", {"reason": "locked"})
            raise SignInFailed(_locked_message(locked_until))
        if not self._verify(hashed, password):
            self._failed(agent.id, origin)
        principal = self._succeeded(agent.id, hashed, password, origin)
        if remember:
            self._remember(principal)
        return principal

    def resume(self, *, workstation: str = "") -> Principal | None:
        """Signs in the person this workstation remembers, if the token is still good."""
        stored = self._stored_token()
        if not stored:
            return None
        now = self._clock.now()
        with self._db.write() as s:
            row = s.execute(select(RememberToken)
                            .where(RememberToken.token_hash == _token_hash(stored))).scalar()
            agent = s.get(Agent, row.agent_id) if row else None
            if row is None or agent is None or not agent.active or row.expires_at <= now:
                if row is not None:
                    s.delete(row)
                self._forget_token()
                return None
            principal = _principal(agent, workstation)
            audit.append(s, at=now, actor=principal, action="sign_in", entity="agent",
                         entity_id=agent.id, detail={"method": "remembered"})
            return principal

    def sign_out(self, principal: Principal) -> None:
        """Forgets the remembered token of this workstation and records the sign-out."""
        stored = self._stored_token()
        with self._db.write() as s:
            if stored:
                s.execute(delete(RememberToken)
                          .where(RememberToken.token_hash == _token_hash(stored)))
            audit.append(s, at=self._clock.now(), actor=principal, action="sign_out",
                         entity="agent", entity_id=principal.id)
        if stored:
            self._forget_token()

    # -- command-line sessions ---------------------------------------------
    def open_session(self, principal: Principal, *, lasting: timedelta) -> IssuedSession:
        """Opens a session for a person who has just signed in (``switchboard signin``).

        The caller keeps the token; the database holds only its sha256, in the
        table "remember me" uses, so deactivating the person or resetting their
        password ends their sessions too.
        """
        if lasting <= timedelta(0):
            raise ValidationError("A session must last a positive time.")
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        with self._db.write() as s:
            s.add(RememberToken(agent_id=principal.id, token_hash=_token_hash(token),
                                workstation=principal.workstation, created_at=now,
                                expires_at=now + lasting))
        return IssuedSession(token, now + lasting)

    def resume_session(self, token: str, *, workstation: str = "",
                       os_user: str = "") -> Principal | None:
        """The person whose session ``token`` is, while it lasts on the workstation it was opened.

        A session that has ended (expired, its person deactivated, or opened
        on another workstation) is removed and None returned.
        """
        now = self._clock.now()
        with self._db.write() as s:
            row = _session_row(s, token)
            if row is None:
                return None
            agent = s.get(Agent, row.agent_id)
            if (agent is None or not agent.active or row.expires_at <= now
                    or row.workstation != workstation[:120]):
                s.delete(row)
                return None
            return _principal(agent, workstation, os_user)

    def end_session(self, token: str, *, os_user: str = "") -> Principal | None:
        """Revokes the session and records its person's sign-out; None if it was unknown."""
        with self._db.write() as s:
            row = _session_row(s, token)
            if row is None:
                return None
            agent = s.get_one(Agent, row.agent_id)
            principal = _principal(agent, row.workstation, os_user)
            s.delete(row)
            audit.append(s, at=self._clock.now(), actor=principal, action="sign_out",
                         entity="agent", entity_id=agent.id, detail={"method": "session"})
            return principal

    # A workstation without a keyring (a headless server, a bare desktop) simply
    # has no "remember me": signing in still works, nothing is written to a file.
    def _stored_token(self) -> str | None:
        try:
            return keyring.get_password(self._keyring_service, KEYRING_USER)
        except KeyringError as exc:
            log.info("no keyring for 'remember me' (%s)", exc)
            return None

    def _forget_token(self) -> None:
        try:
            keyring.delete_password(self._keyring_service, KEYRING_USER)
        except KeyringError as exc:
            log.info("could not remove the remembered sign-in (%s)", exc)

    def _dummy_hash(self) -> str:
        """Verified against when the login is unknown, so timing does not tell logins apart."""
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_hex(16))
        return self._dummy

    def _verify(self, hashed: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(hashed, password))
        except (VerificationError, InvalidHashError, UnicodeEncodeError):
            return False  # a lone surrogate cannot be any password we stored

    def _failed(self, agent_id: int, origin: tuple[str, str]) -> NoReturn:
        now = self._clock.now()
        with self._db.write() as s:
            agent = s.execute(select(Agent).where(Agent.id == agent_id).with_for_update()).scalar_one()
            agent.failed_logins = (agent.failed_logins or 0) + 1
            locked = agent.failed_logins >= self._policy.max_failures
            if locked:
                agent.failed_logins, agent.locked_until = 0, now + self._policy.lock_for
            audit.append(s, at=now, actor=_principal(agent, *origin), action="sign_in_failed",
                         entity="agent", entity_id=agent_id, detail={"locked": locked})
        if locked:
            raise SignInFailed(_locked_message(now + self._policy.lock_for))
        raise SignInFailed(_WRONG)

    def _succeeded(self, agent_id: int, hashed: str, password: str,
                   origin: tuple[str, str]) -> Principal:
        with self._db.write() as s:
            agent = s.execute(select(Agent).where(Agent.id == agent_id).with_for_update()).scalar_one()
            agent.failed_logins, agent.locked_until = 0, None
            if self._hasher.check_needs_rehash(hashed):
                agent.password_hash = self._hasher.hash(password)
            principal = _principal(agent, *origin)
            audit.append(s, at=self._clock.now(), actor=principal, action="sign_in",
                         entity="agent", entity_id=agent_id, detail={"method": "password"})
            return principal

    def _remember(self, principal: Principal) -> None:
        token = secrets.token_urlsafe(32)
        try:
            keyring.set_password(self._keyring_service, KEYRING_USER, token)
        except KeyringError as exc:
            log.info("cannot remember the sign-in: no keyring (%s)", exc)
            return
        now = self._clock.now()
        with self._db.write() as s:
            s.add(RememberToken(agent_id=principal.id, token_hash=_token_hash(token),
                                workstation=principal.workstation, created_at=now,
                                expires_at=now + self._policy.remember_for))

    def _record(self, agent_id: int, origin: tuple[str, str], action: str,
                detail: dict[str, str]) -> None:
        with self._db.write() as s:
            agent = s.get(Agent, agent_id)
            actor = _principal(agent, *origin) if agent else None
            audit.append(s, at=self._clock.now(), actor=actor, action=action, entity="agent",
                         entity_id=agent_id, detail=detail)


def _session_row(s: Session, token: str) -> RememberToken | None:
    if not token or len(token) > 256:
        return None  # not a token we issued: no need to hash it
    return s.execute(select(RememberToken)
                     .where(RememberToken.token_hash == _token_hash(token))).scalar()


def _agent(s: Session, login: str) -> Agent | None:
    return s.execute(select(Agent).where(Agent.login == login, Agent.active)).scalar()


def _principal(agent: Agent, workstation: str, os_user: str = "") -> Principal:
    return Principal(agent.id, agent.login, agent.name, Role(agent.role), workstation[:120],
                     os_user[:64])


def _locked_message(until: datetime) -> str:
    return (f"Too many wrong passwords: this account is locked until "
            f"{until.strftime('%H:%M')} UTC. Ask a supervisor or try again then.")
