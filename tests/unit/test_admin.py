"""Set-up reads for the admin screens: every account with its lockout, and the teams."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from console.clock import ManualClock
from console.domain import Role
from console.errors import NotFound, NotPermitted, ValidationError
from console.security.guard import authorize
from console.security.principal import Principal
from console.store.db import Database
from console.store.models import Agent
from tests.factories import World, small_world


@pytest.fixture
def world(db: Database, clock: ManualClock) -> World:
    w = small_world(db, clock)
    w.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN, team="Ops")
    return w


def _lock(db: Database, login: str, until_s: int, clock: ManualClock) -> None:
    with db.write() as s:
        agent = s.execute(select(Agent).where(Agent.login == login)).scalar_one()
        agent.locked_until = clock.now() + timedelta(seconds=until_s)


def test_accounts_list_everyone_with_team_queues_and_state(world: World) -> None:
    sv = world.services
    sv.staff.deactivate("kenji")
    rows = {a.login: a for a in sv.admin.accounts()}
    assert [a.login for a in sv.admin.accounts()] == ["emma", "root", "sara", "kenji"]
    emma = rows["emma"]
    assert (emma.name, emma.role, emma.team, emma.queues) == (
        "Emma Clarke", Role.AGENT, "Tokyo A", ("Cards", "Loans"))
    assert emma.active and emma.locked_until is None
    assert not rows["kenji"].active
    assert rows["root"].role is Role.ADMIN and rows["root"].queues == ()


def test_a_lockout_shows_until_it_runs_out(world: World, db: Database,
                                           clock: ManualClock) -> None:
    _lock(db, "emma", 600, clock)
    emma = next(a for a in world.services.admin.accounts() if a.login == "emma")
    assert emma.locked_until == clock.now() + timedelta(seconds=600)
    clock.advance(601)
    emma = next(a for a in world.services.admin.accounts() if a.login == "emma")
    assert emma.locked_until is None


def test_teams_are_listed_by_name(world: World) -> None:
    assert world.services.admin.teams() == ["Ops", "Tokyo A"]


def test_only_admins_read_accounts(world: World) -> None:
    root = world.services.agents.get("root")
    admin = authorize(world.services, Principal(root.id, "root", root.name, Role.ADMIN))
    assert len(admin.admin.accounts()) == 4
    sara = world.services.agents.get("sara")
    lead = authorize(world.services, Principal(sara.id, "sara", sara.name, Role.SUPERVISOR))
    with pytest.raises(NotPermitted):
        lead.admin.teams()


def test_overlong_names_are_refused_before_the_database(world: World) -> None:
    sv = world.services
    with pytest.raises(ValidationError, match="at most 120"):
        sv.admin.create_agent("long", "x" * 121)
    with pytest.raises(ValidationError, match="team name at most 80"):
        sv.admin.create_agent("long", "Long", team="t" * 81)
    with pytest.raises(ValidationError, match="not a valid login"):
        sv.admin.create_agent("x" * 500, "Long")
    with pytest.raises(ValidationError, match="at most 80"):
        sv.admin.create_queue("q" * 81)
    assert len(sv.admin.accounts()) == 4 and len(sv.agents.queues()) == 2


def test_assign_agent_moves_team_and_queues(db: Database, clock: ManualClock) -> None:
    w = small_world(db, clock)
    admin = w.services.admin
    moved = admin.assign_agent("emma", team="Osaka", queues=["Loans"])
    assert (moved.team, moved.queues) == ("Osaka", ("Loans",))
    assert "Osaka" in admin.teams()
    assert list(w.services.agents.get("emma").queues) == ["Loans"]
    cleared = admin.assign_agent("emma", team=None, queues=[])
    assert (cleared.team, cleared.queues) == (None, ())


def test_assign_agent_with_an_unknown_queue_changes_nothing(db: Database,
                                                             clock: ManualClock) -> None:
    w = small_world(db, clock)
    before = next(a for a in w.services.admin.accounts() if a.login == "emma")
    with pytest.raises(NotFound, match="no queue named 'Nope'"):
        w.services.admin.assign_agent("emma", team="Osaka", queues=["Loans", "Nope"])
    after = next(a for a in w.services.admin.accounts() if a.login == "emma")
    assert after == before and "Osaka" not in w.services.admin.teams()
