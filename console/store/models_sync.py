"""Tables for presence heartbeats (issue 4); registered on the shared Base by console.store.models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from console.store.models import Base
from console.store.types import UTCDateTime


class Presence(Base):
    """Who has a contact open right now: one row per agent and contact, kept alive by heartbeats.

    A workstation that dies stops beating; its row expires and others stop
    seeing it, with nobody having to clean up.
    """

    __tablename__ = "presence"

    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    activity: Mapped[str] = mapped_column(String(16))
    workstation: Mapped[str] = mapped_column(String(120), default="")
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
