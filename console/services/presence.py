"""Presence: which other agents have a contact open ("viewing") or are typing to it ("replying").

A workstation beats every few seconds while a contact is open; a row lives
for ``ttl`` seconds after its last beat, so a crashed workstation vanishes on
its own. Only a change of activity goes to the change log: other screens
learn of new or changed presence at once, and of an expiry from the
``expires_at`` they already hold.
"""

from __future__ import annotations

import builtins
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from console.clock import Clock
from console.domain.presence import Activity, PresenceInfo
from console.errors import NotFound
from console.services.rows import agent_by_login
from console.store import changes
from console.store.db import Database
from console.store.models import Agent, Contact
from console.store.models_sync import Presence

DEFAULT_TTL_S = 30
MAX_WORKSTATION = 120


class PresenceService:
    """Heartbeats in, "who else is here" out."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db, self._clock = db, clock

    def beat(self, contact_id: int, agent_login: str, activity: Activity, *,
             workstation: str = "", ttl_s: int = DEFAULT_TTL_S) -> None:
        """Says this agent is on this contact for the next ``ttl_s`` seconds."""
        now = self._clock.now()
        with self._db.write() as s:
            agent = agent_by_login(s, agent_login)
            if s.get(Contact, contact_id) is None:
                raise NotFound(f"There is no contact {contact_id}.")
            # A workstation that died left rows behind; this agent's next beat clears them.
            s.connection().execute(delete(Presence).where(
                Presence.agent_id == agent.id, Presence.expires_at <= now))
            before = s.execute(select(Presence.activity, Presence.expires_at).where(
                Presence.contact_id == contact_id, Presence.agent_id == agent.id)).one_or_none()
            values = {"contact_id": contact_id, "agent_id": agent.id, "activity": activity.value,
                      "workstation": workstation[:MAX_WORKSTATION], "since": now,
                      "expires_at": now + timedelta(seconds=ttl_s)}
            insert = (postgresql.insert(Presence) if self._db.is_postgres
                      else sqlite.insert(Presence)).values(values)
            keep_since = before is not None and before.activity == activity.value \
                and before.expires_at > now
            update = {k: v for k, v in values.items()
                      if k not in ("contact_id", "agent_id") and not (keep_since and k == "since")}
            s.execute(insert.on_conflict_do_update(
                index_elements=["contact_id", "agent_id"], set_=update))
            if not keep_since:
                changes.record(s, "presence", contact_id)

    def leave(self, contact_id: int, agent_login: str) -> None:
        """This agent closed the contact."""
        with self._db.write() as s:
            agent = agent_by_login(s, agent_login)
            gone = s.connection().execute(delete(Presence).where(
                Presence.contact_id == contact_id, Presence.agent_id == agent.id))
            if gone.rowcount:
                changes.record(s, "presence", contact_id)

    def on_contact(self, contact_id: int, *,
                   excluding: str | None = None) -> builtins.list[PresenceInfo]:
        """The agents on a contact now (oldest first), leaving out ``excluding``."""
        now = self._clock.now()
        query = (select(Presence, Agent.login, Agent.name)
                 .join(Agent, Agent.id == Presence.agent_id)
                 .where(Presence.contact_id == contact_id, Presence.expires_at > now)
                 .order_by(Presence.since, Agent.login))
        if excluding is not None:
            query = query.where(Agent.login != excluding)
        with self._db.read() as s:
            return [PresenceInfo(p.contact_id, login, name, Activity(p.activity), p.workstation,
                                 p.since, p.expires_at) for p, login, name in s.execute(query)]

    def purge_expired(self, older_than_s: int = 3600) -> int:
        """Deletes rows expired for a while (housekeeping); returns how many."""
        cutoff = self._clock.now() - timedelta(seconds=older_than_s)
        with self._db.write() as s:
            return int(s.connection().execute(
                delete(Presence).where(Presence.expires_at < cutoff)).rowcount)

