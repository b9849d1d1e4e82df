"""Tables for presence heartbeats (issue 4); registered on the shared Base by console.store.models."""

from __future__ import annotations

from console.store.models import Base  # noqa: F401
