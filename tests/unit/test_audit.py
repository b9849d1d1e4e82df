"""The audit log: hash chain, tamper detection, filters, exports and the CLI."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import text

from console.cli.main import main
from console.clock import ManualClock
from console.domain.audit import AuditFilter
from console.errors import ValidationError
from console.security.principal import Principal
from console.services import audit
from console.services.audit import GENESIS, AuditService
from console.store.db import Database
from tests.factories import World


def _who(world: World, login: str) -> Principal:
    a = world.services.agents.get(login)
    return Principal(a.id, a.login, a.name, a.role, "WS-01")


def _write(db: Database, clock: ManualClock, actor: Principal | None, action: str,
           entity: str = "customer", entity_id: object = 1, **detail: object) -> None:
    with db.write() as s:
        audit.append(s, at=clock.now(), actor=actor, action=action, entity=entity,
                     entity_id=entity_id, detail=dict(detail))
    clock.advance(1)


def _three(world: World, db: Database, clock: ManualClock) -> list[int]:
    emma, sara = _who(world, "emma"), _who(world, "sara")
    _write(db, clock, emma, "view", entity_id=world.alice)
    _write(db, clock, emma, "search", "customers", "-", query="smith")
    _write(db, clock, sara, "view", entity_id=world.yamada, note="山田様")
    with db.read() as s:
        return list(s.execute(text("SELECT id FROM audit_events ORDER BY id")).scalars())


def test_entries_chain_from_genesis(world: World, db: Database, clock: ManualClock) -> None:
    ids = _three(world, db, clock)
    with db.read() as s:
        rows = s.execute(text("SELECT prev_hash, hash FROM audit_events ORDER BY id")).all()
    assert rows[0].prev_hash == GENESIS and len(ids) == 3
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    report = AuditService(db, clock).verify()
    assert report.intact and report.checked == 3 and report.head_hash == rows[-1].hash


def test_an_entry_names_the_os_user_and_older_entries_still_verify(world: World, db: Database,
                                                                    clock: ManualClock) -> None:
    emma = _who(world, "emma")
    _write(db, clock, emma, "view", entity_id=world.alice)  # as the first release wrote them
    _write(db, clock, dataclasses.replace(emma, os_user="emma.c"), "view", entity_id=world.yamada)
    before, after = AuditService(db, clock).list()
    assert "os_user" not in before.detail and after.detail == {"os_user": "emma.c"}
    assert AuditService(db, clock).verify().intact
    with db.write() as s:  # the OS user is covered by the hash like any other detail
        s.execute(text("""UPDATE audit_events SET detail = '{"os_user": "someone"}' """
                       "WHERE id = :i"), {"i": after.id})
    assert AuditService(db, clock).verify().first_bad_id == after.id


@pytest.mark.parametrize("column", ["detail", "action", "at", "actor_id"])
def test_an_altered_entry_is_named(world: World, db: Database, clock: ManualClock,
                                   column: str) -> None:
    ids = _three(world, db, clock)
    change = {"detail": "'{\"query\": \"jones\"}'", "action": "'change'",
              "at": "at", "actor_id": "NULL"}[column]
    if column == "at":
        with db.write() as s:
            s.execute(text("UPDATE audit_events SET at = :t WHERE id = :i"),
                      {"t": "2026-11-19 01:30:00.000000", "i": ids[1]})
    else:
        with db.write() as s:
            s.execute(text(f"UPDATE audit_events SET {column} = {change} WHERE id = :i"),
                      {"i": ids[1]})
    report = AuditService(db, clock).verify()
    assert not report.intact and report.first_bad_id == ids[1] and report.checked == 1


def test_a_removed_entry_is_named_by_its_successor(world: World, db: Database,
                                                   clock: ManualClock) -> None:
    ids = _three(world, db, clock)
    with db.write() as s:
        s.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[0]})
    report = AuditService(db, clock).verify()
    assert not report.intact and report.first_bad_id == ids[1]
    assert "removed" in report.reason


def test_rehashing_an_altered_entry_still_breaks_the_next_link(
        world: World, db: Database, clock: ManualClock) -> None:
    ids = _three(world, db, clock)
    with db.write() as s:
        s.execute(text("UPDATE audit_events SET hash = :h WHERE id = :i"),
                  {"h": "f" * 64, "i": ids[1]})
    report = AuditService(db, clock).verify()
    assert report.first_bad_id == ids[1]


def test_concurrent_writers_never_fork_the_chain(world: World, db: Database,
                                                 clock: ManualClock) -> None:
    emma = _who(world, "emma")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(8):
                with db.write() as s:
                    audit.append(s, at=clock.now(), actor=emma, action="view", entity="customer",
                                 entity_id=n * 100 + i)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    report = AuditService(db, clock).verify()
    assert errors == [] and report.intact and report.checked == 32


def test_a_recorded_head_catches_entries_cut_off_the_end(world: World, db: Database,
                                                         clock: ManualClock) -> None:
    ids = _three(world, db, clock)
    sv = AuditService(db, clock)
    head = sv.verify().head_hash
    assert sv.verify(expect_head=head).intact
    with db.write() as s:
        s.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": ids[-1]})
    assert sv.verify().intact  # the shorter chain is consistent in itself...
    report = sv.verify(expect_head=head)
    assert not report.intact and "removed from the end" in report.reason  # ...but not the anchor
    with pytest.raises(ValidationError):
        sv.verify(expect_head="not a hash")


def test_filters_by_person_customer_and_time(world: World, db: Database,
                                             clock: ManualClock) -> None:
    start = clock.now()
    _three(world, db, clock)
    sv = AuditService(db, clock)
    assert [e.action for e in sv.list(AuditFilter(person="emma"))] == ["view", "search"]
    assert [e.actor_login for e in sv.list(AuditFilter(customer_id=world.yamada))] == ["sara"]
    window = AuditFilter(since=start + timedelta(seconds=1), until=start + timedelta(seconds=2))
    assert [e.action for e in sv.list(window)] == ["search"]
    assert sv.list(AuditFilter(person="nobody")) == []
    with pytest.raises(ValidationError, match="after its end"):
        sv.list(AuditFilter(since=start, until=start - timedelta(days=1)))


def test_exports_json_and_csv(world: World, db: Database, clock: ManualClock) -> None:
    _three(world, db, clock)
    sv = AuditService(db, clock)
    rows = json.loads(sv.export(fmt="json"))
    assert [r["person"] for r in rows] == ["emma", "emma", "sara"]
    assert rows[2]["detail"] == {"note": "山田様"}
    table = list(csv.DictReader(io.StringIO(sv.export(AuditFilter(person="sara"), fmt="csv"))))
    assert len(table) == 1 and table[0]["workstation"] == "WS-01"


def test_csv_export_defuses_formulas(world: World, db: Database, clock: ManualClock) -> None:
    _write(db, clock, None, "search", "customers", "=HYPERLINK(1)")
    cell = next(csv.DictReader(io.StringIO(AuditService(db, clock).export(fmt="csv"))))["entity_id"]
    assert cell == "'=HYPERLINK(1)"


def test_cli_verify_list_and_export(world: World, db: Database, db_url: str, clock: ManualClock,
                                    cli_signin: Callable[[str], str],
                                    capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("sara")  # her password and sign-in are entries too
    ids = _three(world, db, clock)
    assert main(["--db", db_url, "audit", "verify"]) == 0
    assert f"intact: {len(AuditService(db, clock).list())} entries" in capsys.readouterr().out
    assert main(["--db", db_url, "audit", "list", "--person", "emma", "--json"]) == 0
    assert [e["action"] for e in json.loads(capsys.readouterr().out)] == ["view", "search"]
    assert main(["--db", db_url, "audit", "export", "--customer", str(world.alice), "--csv"]) == 0
    assert len(list(csv.DictReader(io.StringIO(capsys.readouterr().out)))) == 1
    assert AuditService(db, clock).list()[-1].action == "export"
    with db.write() as s:
        s.execute(text("UPDATE audit_events SET entity_id = '999' WHERE id = :i"), {"i": ids[2]})
    assert main(["--db", db_url, "audit", "verify"]) == 5  # 4 is "nobody is signed in"
    err = capsys.readouterr().err
    assert f"entry {ids[2]}" in err and "Traceback" not in err
    assert main(["--db", db_url, "audit", "verify", "--expect-head", "0" * 63 + "1"]) == 5


def test_cli_rejects_a_bad_time(db_url: str, cli_signin: Callable[[str], str],
                                capsys: pytest.CaptureFixture[str]) -> None:
    cli_signin("sara")
    assert main(["--db", db_url, "audit", "list", "--since", "yesterday'; DROP TABLE x"]) == 2
    assert "--since takes a date" in capsys.readouterr().err

