"""Schema migrations (Alembic), callable from code: first use creates and upgrades.

On PostgreSQL an advisory lock makes two workstations that start at once
take turns instead of both migrating.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect, text

from console.errors import ValidationError
from console.store.db import Database

# The revision this code expects; a test checks it is Alembic's head.
HEAD_REVISION = "0007"
_MIGRATIONS = Path(__file__).with_name("migrations")
_LOCK_KEY = 0x5B0A2E
# Backend-specific search structures that the models deliberately do not describe.
SEARCH_OBJECTS = frozenset({
    "kb_fts", "kb_fts_data", "kb_fts_idx", "kb_fts_docsize", "kb_fts_config", "kb_fts_content",
    "search_vector", "ix_kb_articles_search_vector", "ix_kb_articles_title_trgm",
})


def include_object(obj: Any, name: str | None, type_: str, reflected: bool,
                   compare_to: Any) -> bool:
    """Alembic filter: leave the search structures out of model comparisons."""
    return name not in SEARCH_OBJECTS


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(db: Database) -> str | None:
    with db.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        value = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        return str(value) if value is not None else None


def upgrade(db: Database, revision: str = "head") -> None:
    """Brings the schema to ``revision`` (default: the newest)."""
    cfg = alembic_config()
    with db.begin() as conn:
        if db.is_postgres:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _known(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def ensure_schema(db: Database) -> bool:
    """Upgrades when the schema is older than this code; returns True if it did.

    Raises:
        ValidationError: a newer Switchboard has upgraded the database past what this
            code knows: this program must be updated, not the database changed (an older
            workstation would, for example, store replies that no gateway sends).
    """
    current = current_revision(db)
    if current == HEAD_REVISION:
        return False
    if current is not None and not _known(current):
        raise ValidationError(f"The database was upgraded by a newer Switchboard (schema "
                              f"{current}; this program knows up to {HEAD_REVISION}). "
                              "Update Switchboard on this machine.")
    upgrade(db)
    return True
