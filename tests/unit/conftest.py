"""Unit-test fixtures shared by the service and CLI tests."""

from __future__ import annotations

import pytest

from console.clock import ManualClock
from console.store.db import Database
from tests.factories import World, small_world


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    """The small contact centre of tests/factories.py (a module may define its own)."""
    return small_world(db, clock)
