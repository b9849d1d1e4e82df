"""Tables for SLA policies, business hours, holidays, surveys (issue 5); registered on the shared Base by console.store.models."""

from __future__ import annotations

from console.store.models import Base  # noqa: F401
