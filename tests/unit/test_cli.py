"""The ``switchboard`` command: JSON output, exit codes, and errors without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

from console.store.migrate import HEAD_REVISION
from tests.factories import CLI_PASSWORD, World
from tests.factories import run_cli as run

SignIn = Callable[[str], str]
# The person signs in for this one command, the password on the first line of stdin.
AS_KENJI = ("--user", "kenji", "--password-stdin")


def test_inbox_json_filters_by_queue(world: World, db_url: str, cli_signin: SignIn,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    code, out, _ = run(capsys, db_url, "inbox", "--queue", "Cards", "--json")
    rows = json.loads(out)
    assert code == 0 and [r["subject"] for r in rows] == ["Lost card", "Card limit"]
    assert rows[0]["channel"] == "phone" and rows[0]["customer_name"] == "Alice Smith"


def test_claim_exit_codes(world: World, db_url: str, cli_signin: SignIn,
                          capsys: pytest.CaptureFixture[str]) -> None:
    cid = str(world.contacts[0].id)
    cli_signin("emma")
    assert run(capsys, db_url, "claim", cid, "--agent", "emma")[0] == 0
    cli_signin("kenji")
    code, out, err = run(capsys, db_url, "claim", cid, "--agent", "kenji")
    assert code == 3 and out == ""
    assert err.strip() == f"switchboard: Contact {cid} is already claimed by Emma Clarke (emma)."


def test_customers_find_and_history_json(world: World, db_url: str, cli_signin: SignIn,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    code, out, _ = run(capsys, db_url, "customers", "find", "やまだ", "--json")
    found = json.loads(out)
    assert code == 0 and [c["id"] for c in found] == [world.yamada]
    assert found[0]["name_kana"] == "ヤマダ タロウ"
    code, out, _ = run(capsys, db_url, "history", str(world.yamada), "--json")
    page = json.loads(out)
    assert code == 0 and page["entries"][0]["subject"] == "住宅ローンの相談"


def test_agents_json(world: World, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, db_url, "agents", "--json")
    agents = {a["login"]: a for a in json.loads(out)}
    assert code == 0 and set(agents) == {"emma", "kenji", "sara"}
    assert agents["sara"]["role"] == "supervisor" and agents["emma"]["queues"] == ["Cards", "Loans"]


def test_known_errors_are_one_line(world: World, db_url: str, cli_signin: SignIn,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    code, out, err = run(capsys, db_url, "history", "999999")
    assert (code, out) == (2, "") and err == "switchboard: There is no customer 999999.\n"
    code, _, err = run(capsys, db_url, "customers", "find", "   ")
    assert code == 2 and err.count("\n") == 1 and "Type something" in err


def test_bad_database_url_is_explained(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "mysql://nobody@nowhere/db", "agents")
    assert code == 2 and "Unsupported database 'mysql'" in err


def test_unreachable_postgres_is_explained_without_traceback(tmp_path: object) -> None:
    env = dict(os.environ, PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    proc = subprocess.run(
        [sys.executable, "-m", "console.cli", "--db", "postgresql://u@127.0.0.1:1/none", "agents"],
        capture_output=True, text=True, env=env, timeout=60, check=False)
    assert proc.returncode == 2
    assert "cannot be reached" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_claim_conflict_in_a_real_process(world: World, db_url: str) -> None:
    cid = str(world.contacts[0].id)
    world.services.inbox.claim(world.contacts[0].id, "emma")
    world.services.auth.set_password("kenji", CLI_PASSWORD)
    proc = subprocess.run([sys.executable, "-m", "console.cli", "--db", db_url, "claim", cid,
                           "--agent", "kenji", *AS_KENJI], input=CLI_PASSWORD + "\n",
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 3 and "Emma Clarke" in proc.stderr and "Traceback" not in proc.stderr


def test_a_reader_that_stops_early_is_not_an_error(world: World, db_url: str) -> None:
    """``switchboard inbox --json | head -1``: the closed pipe ends the command quietly."""
    world.services.auth.set_password("kenji", CLI_PASSWORD)
    proc = subprocess.Popen([sys.executable, "-m", "console.cli", "--db", db_url, "inbox",
                             "--json", *AS_KENJI], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(CLI_PASSWORD.encode() + b"\n")
    proc.stdin.close()
    proc.stdout.close()  # the reader is gone before the first line (head -0)
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141
    assert "internal error" not in err and "Traceback" not in err


def test_db_upgrade_on_a_new_file(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/new.db"
    code, out, _ = run(capsys, url, "db", "upgrade")
    assert code == 0 and f"schema empty -> {HEAD_REVISION}" in out
    code, out, _ = run(capsys, url, "db", "upgrade")
    assert code == 0 and f"schema {HEAD_REVISION} -> {HEAD_REVISION}" in out


def test_set_password_from_stdin(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    import io

    import keyring

    monkeypatch.setattr(sys, "stdin", io.StringIO("hunter2\n"))
    url = "postgresql://agent@db.example:5432/switchboard"
    code, out, _ = run(capsys, url, "db", "set-password", "--password-stdin")
    assert code == 0 and "system keyring" in out
    assert keyring.get_password("switchboard-db", "agent@db.example:5432/switchboard") == "hunter2"


def test_templates_render(world: World, db_url: str, cli_signin: SignIn,
                          capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("emma")
    world.services.templates.save("Hi", "en", "Hello {customer.first_name}, {agent.name} here.")
    code, out, _ = run(capsys, db_url, "templates", "render", "Hi", "--contact",
                       str(world.contacts[0].id), "--agent", "emma")
    assert code == 0 and out == "Hello Alice, Emma Clarke here.\n"


def test_tables_line_up_with_japanese_names(capsys: pytest.CaptureFixture[str]) -> None:
    from console.cli.output import display_width, print_table

    print_table(["name", "queue"], [["佐藤 健二", "Cards"], ["Emma Clarke", "Loans"]])
    lines = capsys.readouterr().out.splitlines()
    assert [display_width(line[:line.index(q)]) for line, q in
            zip(lines, ["queue", "Cards", "Loans"], strict=True)] == [13, 13, 13]


def test_a_database_from_a_newer_release_is_refused_not_migrated(
        tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from sqlalchemy import text

    from console.store.db import Database

    url = f"sqlite:///{tmp_path}/newer.db"
    assert run(capsys, url, "db", "upgrade")[0] == 0
    db = Database(url)
    with db.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    db.dispose()
    code, _, err = run(capsys, url, "queues")
    assert code == 2 and "upgraded by a newer Switchboard (schema 0099" in err
    assert "internal error" not in err
