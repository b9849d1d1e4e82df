"""Per-agent window settings (layout, columns, inbox view, drafts) in an INI file.

The file lives in the user's config directory (platformdirs, so
``XDG_CONFIG_HOME`` is honoured, also by tests that move it per test). Values
are plain: strings, numbers and the byte strings Qt's saveState returns.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import platformdirs
from PySide6.QtCore import QByteArray, QSettings

log = logging.getLogger(__name__)

APP = "switchboard"
VERSION = 1


def default_path() -> Path:
    return Path(platformdirs.user_config_dir(APP)) / "ui.ini"


class UiSettings:
    """One agent's UI settings.

    Args:
        agent_login: whose settings (each agent on a shared PC has their own).
        path: the INI file (default: ``ui.ini`` in the user's config directory).
    """

    def __init__(self, agent_login: str, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._qs = QSettings(str(self.path), QSettings.Format.IniFormat)
        self._prefix = f"agents/{agent_login}/"
        self._upgrade()

    def _upgrade(self) -> None:
        """Brings older layouts of the file up to VERSION (none yet)."""
        stored = int(str(self._qs.value("version", VERSION)))  # an ini file gives back text
        if stored > VERSION:
            log.warning("%s was written by a newer Switchboard (v%s); using defaults",
                        self.path, stored)
        self._qs.setValue("version", VERSION)

    def value(self, key: str, default: Any = None) -> Any:
        return self._qs.value(self._prefix + key, default)

    def text(self, key: str, default: str = "") -> str:
        value = self.value(key, default)
        return value if isinstance(value, str) else default

    def blob(self, key: str) -> QByteArray | None:
        """A byte string saved from Qt (saveState, saveGeometry), or None."""
        value = self.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_value(self, key: str, value: Any) -> None:
        self._qs.setValue(self._prefix + key, value)

    def remove(self, key: str) -> None:
        self._qs.remove(self._prefix + key)

    def group(self, name: str) -> dict[str, Any]:
        """Every key and value under ``name/``."""
        self._qs.beginGroup(self._prefix + name)
        try:
            return {key: self._qs.value(key) for key in self._qs.childKeys()}
        finally:
            self._qs.endGroup()

    def sync(self) -> None:
        self._qs.sync()
