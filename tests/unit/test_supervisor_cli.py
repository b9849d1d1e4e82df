"""``switchboard queues`` and ``switchboard sla``: JSON shape, set-up commands, one-line errors."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from console.cli.supervisor_commands import parse_hours
from console.domain import Role
from console.errors import ValidationError
from tests.factories import World
from tests.factories import run_cli as run


@pytest.fixture
def admin(world: World, cli_signin: Callable[[str], str]) -> None:
    """An administrator, signed in: SLA set-up is theirs."""
    world.services.admin.create_agent("root", "Ada Admin", role=Role.ADMIN)
    cli_signin("root")


def test_queues_json_has_queue_and_agent_figures(world: World, db_url: str,
                                                 cli_signin: Callable[[str], str],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("sara")
    code, out, _ = run(capsys, db_url, "queues", "--json")
    snap = json.loads(out)
    assert code == 0
    assert [(q["queue"], q["waiting"]) for q in snap["queues"]] == [("Cards", 2), ("Loans", 1)]
    assert {"service_level_today", "service_level_30m", "aht_s", "abandonment_rate", "breaches",
            "agents_needed", "longest_wait_s"} <= set(snap["queues"][0])
    assert [a["login"] for a in snap["agents"]] == ["emma", "kenji", "sara"]
    assert snap["agents"][0]["state"] == "offline"
    assert {"fcr", "art_s", "csat", "nps", "ces"} <= set(snap["kpis"])


def test_queues_text_table(world: World, db_url: str, cli_signin: Callable[[str], str],
                           capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("sara")
    code, out, _ = run(capsys, db_url, "queues")
    assert code == 0 and out.splitlines()[0].split()[:3] == ["QUEUE", "WAITING", "LONGEST"]
    assert "emma" in out


@pytest.mark.usefixtures("admin")
def test_sla_setup_commands(world: World, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, db_url, "sla", "calendar", "Tokyo", "--timezone", "Asia/Tokyo",
                         "--hours", "mon-fri 09:00-18:00", "--holidays", "JP", "--year", "2026")
    assert code == 0, err
    assert "10 opening spans" not in out and "5 opening spans" in out and "holidays" in out
    assert run(capsys, db_url, "sla", "queue", "Cards", "--calendar", "Tokyo",
               "--priority", "1")[0] == 0
    assert run(capsys, db_url, "sla", "policy", "Cards", "--first-response", "300",
               "--resolution", "3600", "--channel", "chat")[0] == 0
    code, out, _ = run(capsys, db_url, "sla", "policies", "--json")
    assert [(p["queue"], p["channel"], p["first_response_target_s"]) for p in json.loads(out)] == [
        ("Cards", "chat", 300)]


@pytest.mark.usefixtures("admin")
def test_sla_errors_are_one_line(world: World, db_url: str,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, db_url, "sla", "policy", "Cards", "--first-response", "900",
                       "--resolution", "60")
    assert code == 2 and err.count("\n") == 1 and "cannot be longer" in err
    code, _, err = run(capsys, db_url, "sla", "calendar", "X", "--timezone", "UTC",
                       "--hours", "someday 9-5")
    assert code == 2 and "mon-fri 09:00-18:00" in err


def test_parse_hours() -> None:
    week = parse_hours(["mon-wed 09:00-12:00", "mon 13:00-17:30", "sun 22:00-24:00"])
    assert sorted(week) == [0, 1, 2, 6] and len(week[0]) == 2
    with pytest.raises(ValidationError, match="impossible"):
        parse_hours(["mon 25:00-26:00"])
