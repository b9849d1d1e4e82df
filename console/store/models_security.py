"""Tables for credentials, sessions, verification, audit chain, branch records (issue 6); registered on the shared Base by console.store.models."""

from __future__ import annotations

from console.store.models import Base  # noqa: F401
