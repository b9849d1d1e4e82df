"""Typed, versioned settings and where the database is.

The database URL comes from ``--db``, else ``SWITCHBOARD_DB``, else the
config file, else the embedded SQLite file in the user's data directory. A
PostgreSQL password never lives in a file: it is read from the OS keyring.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import platformdirs
from sqlalchemy.engine import URL

from console.errors import Unavailable, ValidationError
from console.store.db import parse_url

log = logging.getLogger(__name__)

APP = "switchboard"
KEYRING_SERVICE = "switchboard-db"
SETTINGS_VERSION = 1


@dataclass(frozen=True)
class Settings:
    """What a workstation is configured with (config.toml, all optional)."""

    version: int = SETTINGS_VERSION
    db_url: str | None = None
    # Regions tried, in order, for phone numbers typed without a country code.
    phone_regions: tuple[str, ...] = ("JP", "US", "GB")
    timezone: str = "Asia/Tokyo"
    workstation: str = field(default_factory=lambda: os.uname().nodename)
    # How long 'switchboard signin' lasts: a working day, then sign in again.
    cli_session_hours: float = 12.0


def config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "config.toml"


def data_dir() -> Path:
    path = Path(platformdirs.user_data_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_sqlite_url() -> str:
    return f"sqlite:///{data_dir() / 'switchboard.db'}"


def load_settings(path: Path | None = None) -> Settings:
    """Reads config.toml; missing file means defaults, a broken one is a ValidationError."""
    path = path or config_path()
    if not path.exists():
        return Settings()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path}: not valid TOML ({exc}).") from None
    return _from_dict(_upgrade(raw), path)


def _upgrade(raw: dict[str, Any]) -> dict[str, Any]:
    """Upgrades older settings layouts to the current version (none yet)."""
    raw.setdefault("version", SETTINGS_VERSION)
    return raw


def _from_dict(raw: dict[str, Any], path: Path) -> Settings:
    settings = Settings()
    known = set(Settings.__dataclass_fields__)
    for key in raw.keys() - known:
        log.warning("%s: unknown setting %r ignored", path, key)
    values = {k: v for k, v in raw.items() if k in known}
    if "phone_regions" in values:
        values["phone_regions"] = tuple(values["phone_regions"])
    try:
        return replace(settings, **values)
    except TypeError as exc:
        raise ValidationError(f"{path}: {exc}") from None


def resolve_url(cli_url: str | None, settings: Settings) -> str:
    """Picks the database URL: --db, SWITCHBOARD_DB, config file, embedded default."""
    return cli_url or os.environ.get("SWITCHBOARD_DB") or settings.db_url or default_sqlite_url()


def keyring_account(url: URL) -> str:
    return f"{url.username or ''}@{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def with_keyring_password(url_text: str) -> URL:
    """Fills in the password from the OS keyring when a PostgreSQL URL has none.

    With no keyring on the machine the URL is returned unchanged: PostgreSQL
    may still accept the login (trust, peer, ~/.pgpass or PGPASSWORD).
    """
    url = parse_url(url_text)
    if url.get_backend_name() != "postgresql" or url.password:
        return url
    import keyring
    from keyring.errors import KeyringError

    try:
        password = keyring.get_password(KEYRING_SERVICE, keyring_account(url))
    except KeyringError as exc:
        log.info("no keyring available (%s); connecting without a stored password", exc)
        return url
    return url.set(password=password) if password else url


def store_password(url_text: str, password: str) -> str:
    """Saves the password for this URL's account in the OS keyring; returns the account.

    Raises:
        Unavailable: when the machine has no usable keyring.
    """
    url = parse_url(url_text)
    if url.get_backend_name() != "postgresql":
        raise ValidationError("Only a PostgreSQL database has a password to store.")
    if not password:
        raise ValidationError("The password is empty; nothing was stored.")
    import keyring
    from keyring.errors import KeyringError

    account = keyring_account(url)
    try:
        keyring.set_password(KEYRING_SERVICE, account, password)
    except KeyringError as exc:
        raise Unavailable(
            f"No system keyring is available ({exc}). Use a ~/.pgpass file or the "
            "PGPASSWORD environment variable instead; Switchboard never writes passwords to files."
        ) from None
    return account
