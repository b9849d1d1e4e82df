"""Where ``switchboard signin`` keeps its session token: the OS keyring, else a private file.

There is one token per database (keyed by its URL with any password hidden),
so a token is only ever sent to the database that issued it. Without a
keyring (a headless machine, where keyring raises KeyringError) the token goes
to a file in the user's state directory, created with mode 0600 in the same
step that creates it, so that no other account can ever read it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import stat
from pathlib import Path

import keyring
import platformdirs
from keyring.errors import KeyringError

from console.config import APP

log = logging.getLogger(__name__)

KEYRING_SERVICE = "switchboard-cli-session"
IN_KEYRING = "the OS keyring"
MAX_TOKEN = 256


class SessionStore:
    """The session token of one database on this workstation, for this OS user.

    Args:
        database: the database's URL with any password hidden (Database.describe()).
        state_dir: where the file goes without a keyring (default: the
            platformdirs user state directory).
    """

    def __init__(self, database: str, *, state_dir: Path | None = None) -> None:
        self._database = database
        directory = state_dir or Path(platformdirs.user_state_dir(APP))
        name = hashlib.sha256(database.encode()).hexdigest()[:16]
        self.file = directory / "sessions" / f"{name}.token"

    def save(self, token: str) -> str:
        """Keeps ``token``; returns where, in words for the person who signed in.

        Raises:
            OSError: there is no keyring and the file cannot be written.
        """
        try:
            keyring.set_password(KEYRING_SERVICE, self._database, token)
        except KeyringError as exc:
            log.info("no keyring for the command-line session (%s); using %s", exc, self.file)
        else:
            self.file.unlink(missing_ok=True)  # an older copy from a keyring-less time
            return IN_KEYRING
        self._write_file(token)
        return f"{self.file} (readable only by you)"

    def load(self) -> str | None:
        """The kept token, or None when there is none."""
        try:
            token = keyring.get_password(KEYRING_SERVICE, self._database)
        except KeyringError as exc:
            log.info("no keyring for the command-line session (%s)", exc)
            token = None
        return token or self._read_file()

    def clear(self) -> None:
        """Forgets the token, wherever it was kept."""
        try:
            if keyring.get_password(KEYRING_SERVICE, self._database) is not None:
                keyring.delete_password(KEYRING_SERVICE, self._database)
        except KeyringError as exc:
            log.info("no keyring to clear the command-line session from (%s)", exc)
        self.file.unlink(missing_ok=True)

    def _write_file(self, token: str) -> None:
        self.file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Created under a fresh name with its final mode, then renamed over the
        # old one: the token is never in a file that others could read.
        temporary = self.file.with_name(f".{self.file.name}.{secrets.token_hex(4)}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(temporary, flags, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(token)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, self.file)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise

    def _read_file(self) -> str | None:
        try:
            info = os.stat(self.file, follow_symlinks=False)
        except FileNotFoundError:
            return None
        if not _private(info):
            log.warning("%s is not a private file of this user; it is not used", self.file)
            return None
        token = self.file.read_text(encoding="ascii", errors="replace").strip()
        return token if 0 < len(token) <= MAX_TOKEN else None


def _private(info: os.stat_result) -> bool:
    """A regular file of this user that no other account may read or change."""
    if not stat.S_ISREG(info.st_mode):
        return False
    if os.name != "posix":
        return True  # the mode bits mean nothing there; the profile directory is private
    return info.st_uid == os.getuid() and not info.st_mode & 0o077
