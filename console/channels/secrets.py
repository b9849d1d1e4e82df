"""Where a channel account's password or token lives: never in the database or a config file.

Three places, named by the account's ``secret_ref``:

- ``keyring:KEY`` -- the OS keyring (Keychain, Credential Manager, Secret
  Service), under the service name ``switchboard-channel``;
- ``file:PATH`` -- on a headless server with no keyring, a file readable only
  by its owner (mode 0600, created with that mode), in ``$SWITCHBOARD_SECRETS_DIR``
  or the user's state directory; a file others can read is refused;
- ``env:NAME`` -- an environment variable of the gateway's process (containers,
  systemd ``LoadCredential``/``EnvironmentFile``); nothing is stored.

Keyring entries and files belong to the OS user and machine that stored them:
add an account as the user the gateway runs as, on its machine, or use ``env:``.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import tempfile
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.errors

from console.errors import ValidationError

log = logging.getLogger(__name__)

KEYRING_SERVICE = "switchboard-channel"
SECRETS_DIR_ENV = "SWITCHBOARD_SECRETS_DIR"
MAX_SECRET = 4096
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_KEY = re.compile(r"[A-Za-z0-9._-]{1,120}")


class SecretUnavailable(ValidationError):
    """A secret cannot be read or kept where its reference says (with what to do about it)."""


@dataclass(frozen=True, slots=True)
class SecretRef:
    """A parsed ``secret_ref``: where (keyring, file, env) and which entry there."""

    where: str
    which: str

    @classmethod
    def parse(cls, ref: str) -> SecretRef:
        where, _, which = ref.partition(":")
        if where == "keyring" and _KEY.fullmatch(which):
            return cls(where, which)
        if where == "file" and which and Path(which).is_absolute():
            return cls(where, which)
        if where == "env" and _ENV_NAME.fullmatch(which):
            return cls(where, which)
        raise ValidationError(f"'{ref[:80]}' is not a secret reference (keyring:KEY, "
                              "file:/ABSOLUTE/PATH or env:NAME).")

    def __str__(self) -> str:
        return f"{self.where}:{self.which}"

    def describe(self) -> str:
        """Where the secret is, in words for ``channels show``."""
        if self.where == "keyring":
            return f"OS keyring ({KEYRING_SERVICE}/{self.which})"
        if self.where == "file":
            return f"file {self.which} (readable only by its owner)"
        return f"environment variable {self.which} of the gateway"


def describe(ref: str | None) -> str:
    """``ref`` in words; "none" for an account that needs no password."""
    return "none" if ref is None else SecretRef.parse(ref).describe()


class SecretStore:
    """Keeps and reads channel secrets.

    Args:
        directory: where secret files go when there is no keyring (default:
            ``$SWITCHBOARD_SECRETS_DIR``, else the user's state directory).
        environ: the environment ``env:`` references read (default: os.environ).
    """

    def __init__(self, directory: Path | None = None,
                 environ: Mapping[str, str] | None = None) -> None:
        self._directory = directory
        self._environ = os.environ if environ is None else environ

    def directory(self) -> Path:
        if self._directory is not None:
            return self._directory
        named = self._environ.get(SECRETS_DIR_ENV)
        if named:
            return Path(named)
        import platformdirs

        return Path(platformdirs.user_state_dir("switchboard")) / "secrets"

    def keep(self, secret: str, label: str) -> str:
        """Stores ``secret`` (keyring, else an owner-only file); returns its ``secret_ref``.

        Args:
            secret: the password or token.
            label: a readable part of the entry's name (the account's name).
        """
        _check_secret(secret)
        key = f"{re.sub(r'[^A-Za-z0-9._-]', '_', label)[:60]}-{uuid.uuid4().hex[:12]}"
        try:
            keyring.set_password(KEYRING_SERVICE, key, secret)
            # Read back: some backends (keyring's "null" one) accept and drop everything.
            kept = keyring.get_password(KEYRING_SERVICE, key) == secret
        except keyring.errors.KeyringError as exc:
            log.info("no usable keyring (%s); keeping the channel secret in a file", exc)
            kept = False
        if kept:
            return f"keyring:{key}"
        return f"file:{self._write_file(key, secret)}"

    def read(self, ref: str) -> str:
        """The secret ``ref`` names.

        Raises:
            SecretUnavailable: it is missing, or its file is readable by others.
        """
        parsed = SecretRef.parse(ref)
        if parsed.where == "env":
            value = self._environ.get(parsed.which)
            if value is None:
                raise SecretUnavailable(f"The environment variable {parsed.which} is not set "
                                        "for the gateway.")
            return value
        if parsed.where == "file":
            return _read_file(Path(parsed.which))
        try:
            value = keyring.get_password(KEYRING_SERVICE, parsed.which)
        except keyring.errors.KeyringError as exc:
            raise SecretUnavailable(f"The OS keyring cannot be read ({exc}); run the gateway "
                                    "where the account was added, or use env:NAME.") from exc
        if value is None:
            raise SecretUnavailable(f"The OS keyring has no entry {KEYRING_SERVICE}/{parsed.which} "
                                    "for this user; add the account again as the gateway's user.")
        return value

    def forget(self, ref: str) -> None:
        """Deletes what ``keep`` stored (an ``env:`` variable is the operator's to unset)."""
        parsed = SecretRef.parse(ref)
        if parsed.where == "file":
            Path(parsed.which).unlink(missing_ok=True)
        elif parsed.where == "keyring":
            try:
                keyring.delete_password(KEYRING_SERVICE, parsed.which)
            except keyring.errors.KeyringError as exc:  # PasswordDeleteError: already gone
                log.warning("could not delete keyring entry %s: %s", parsed.which, exc)

    def _write_file(self, key: str, secret: str) -> Path:
        folder = self.directory()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        target = folder / f"{key}.secret"
        # mkstemp creates the file with mode 0600 (O_EXCL): the secret is never, even
        # for a moment, in a file someone else can open; the rename makes it appear whole.
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secret)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target.resolve()


def _check_secret(secret: str) -> None:
    if not secret:
        raise ValidationError("The password is empty.")
    if len(secret) > MAX_SECRET:
        raise ValidationError(f"The password is {len(secret):,} characters; at most {MAX_SECRET:,}.")
    if any(ch in "\r\n\x00" for ch in secret):
        raise ValidationError("The password contains a line break or NUL.")


def _read_file(path: Path) -> str:
    try:
        info = path.stat()
        if os.name == "posix":
            if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
                raise SecretUnavailable(f"The secret file {path} can be read by others "
                                        f"(mode {stat.S_IMODE(info.st_mode):o}); run "
                                        f"'chmod 600 {path}' and try again.")
            if info.st_uid != os.geteuid():
                raise SecretUnavailable(f"The secret file {path} belongs to another user.")
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SecretUnavailable(f"The secret file {path} does not exist.") from None
    except PermissionError:
        raise SecretUnavailable(f"The secret file {path} cannot be read by this user.") from None
