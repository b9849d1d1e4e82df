"""The recommended PostgreSQL deployment: group roles, an append-only audit log, TLS URLs.

The roles script runs inside a transaction that is rolled back, so the test
leaves no roles behind on the server (CREATE ROLE is transactional).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from console.clock import ManualClock
from console.config import with_keyring_password
from console.services import audit
from console.store.db import Database
from tests.factories import small_world

ROLES_SQL = Path(__file__).resolve().parents[2] / "packaging" / "postgres-roles.sql"


@pytest.fixture
def roles(db: Database, clock: ManualClock) -> Iterator[Connection]:
    """A connection inside a transaction where the roles script has run."""
    if not db.is_postgres:
        pytest.skip("database roles are a PostgreSQL deployment")
    small_world(db, clock)
    with db.write() as s:
        audit.append(s, at=clock.now(), actor=None, action="view", entity="customer", entity_id=1)
    script = "\n".join(line for line in ROLES_SQL.read_text(encoding="utf-8").splitlines()
                       if line.strip() not in ("BEGIN;", "COMMIT;"))
    with db.engine.connect() as conn:
        trans = conn.begin()
        conn.connection.driver_connection.execute(script)  # type: ignore[union-attr]
        yield conn
        trans.rollback()


def _refused(conn: Connection, sql: str) -> bool:
    try:
        with conn.begin_nested():
            conn.execute(text(sql))
    except DBAPIError as exc:
        if "permission denied" in str(exc.orig) or "append-only" in str(exc.orig):
            return True
        raise  # any other error is a broken test, not a refusal
    return False


@pytest.mark.pg
def test_agent_role_appends_to_the_audit_log_but_cannot_rewrite_it(
        roles: Connection, clock: ManualClock) -> None:
    roles.execute(text("SET ROLE switchboard_agent"))
    with Session(bind=roles, join_transaction_mode="create_savepoint") as s:
        audit.append(s, at=clock.now(), actor=None, action="search", entity="customers",
                     entity_id="-")
        s.flush()
    assert _refused(roles, "UPDATE audit_events SET action = 'nothing'")
    assert _refused(roles, "DELETE FROM audit_events")
    assert _refused(roles, "TRUNCATE audit_events")
    assert _refused(roles, "SELECT detail FROM audit_events")
    assert _refused(roles, "CREATE TABLE sneaky (id int)")
    assert _refused(roles, "UPDATE alembic_version SET version_num = '0001'")
    assert not _refused(roles, "UPDATE contacts SET priority = priority")
    assert not _refused(roles, "SELECT count(*) FROM customers")


@pytest.mark.pg
def test_supervisors_read_the_audit_log_and_nobody_rewrites_it(roles: Connection) -> None:
    roles.execute(text("SET ROLE switchboard_supervisor"))
    assert not _refused(roles, "SELECT detail FROM audit_events")
    assert _refused(roles, "UPDATE audit_events SET action = 'nothing'")
    roles.execute(text("RESET ROLE"))  # back to the superuser: the trigger still refuses
    assert _refused(roles, "UPDATE audit_events SET action = 'nothing'")
    assert _refused(roles, "DELETE FROM audit_events")


def test_tls_options_in_the_url_reach_the_driver() -> None:
    url = with_keyring_password("postgresql://ws_tokyo@db.example:5432/switchboard"
                                "?sslmode=verify-full&sslrootcert=/etc/switchboard/ca.pem")
    assert url.drivername == "postgresql+psycopg"
    assert url.query == {"sslmode": "verify-full", "sslrootcert": "/etc/switchboard/ca.pem"}
