"""Settings, database URLs and the keyring."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from keyring.backends.fail import Keyring as FailKeyring

from console.config import (
    default_sqlite_url,
    load_settings,
    resolve_url,
    store_password,
    with_keyring_password,
)
from console.errors import Unavailable, ValidationError
from tests.conftest import MemoryKeyring

PG = "postgresql://agent@db.example:5432/switchboard"


def test_default_url_is_sqlite_in_user_data_dir(tmp_path: Path) -> None:
    url = resolve_url(None, load_settings())
    assert url == default_sqlite_url()
    assert url.startswith(f"sqlite:///{tmp_path}") and url.endswith("switchboard/switchboard.db")


def test_url_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text('db_url = "sqlite:////from/config.db"\n', encoding="utf-8")
    settings = load_settings(cfg)
    assert resolve_url(None, settings) == "sqlite:////from/config.db"
    monkeypatch.setenv("SWITCHBOARD_DB", "sqlite:////from/env.db")
    assert resolve_url(None, settings) == "sqlite:////from/env.db"
    assert resolve_url("sqlite:////from/cli.db", settings) == "sqlite:////from/cli.db"


def test_broken_config_is_a_clear_error(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    cfg.write_text("db_url = [unclosed", encoding="utf-8")
    with pytest.raises(ValidationError, match="not valid TOML"):
        load_settings(cfg)


def test_password_round_trip_through_keyring(memory_keyring: MemoryKeyring) -> None:
    account = store_password(PG, "s3cret")
    assert account == "agent@db.example:5432/switchboard"
    assert with_keyring_password(PG).password == "s3cret"
    assert with_keyring_password("postgresql://agent:given@db.example/switchboard").password == "given"


def test_no_keyring_is_explained_not_a_crash() -> None:
    keyring.set_keyring(FailKeyring())
    assert with_keyring_password(PG).password is None
    with pytest.raises(Unavailable, match="pgpass"):
        store_password(PG, "s3cret")


def test_bad_urls_are_rejected() -> None:
    with pytest.raises(ValidationError):
        resolve_url("not a url", load_settings()) and with_keyring_password("not a url")
    with pytest.raises(ValidationError, match="Unsupported"):
        with_keyring_password("mysql://x@y/z")
    with pytest.raises(ValidationError, match="empty"):
        store_password(PG, "")
