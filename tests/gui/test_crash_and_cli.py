"""Bugs reach the crash hook and the log; the CLI keeps Qt out of headless commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from console.errors import ClaimConflict
from tests.factories import World, run_cli
from ui.shell.crash import CrashHandler, log_path
from ui.shell.jobs import Jobs

pytestmark = pytest.mark.gui
ROOT = Path(__file__).resolve().parents[2]


def _raise(exc: BaseException) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise exc
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_a_bug_is_logged_with_its_traceback_and_shown(tmp_path: Path) -> None:
    shown: list[tuple[str, Path]] = []
    hook = CrashHandler(show=lambda summary, path: shown.append((summary, path)))
    hook(*_raise(KeyError("contact_id")))  # type: ignore[arg-type]
    assert shown and shown[0][0] == "KeyError: 'contact_id'"
    assert shown[0][1] == log_path()
    assert str(tmp_path) in str(log_path())  # the test's own state dir
    text = log_path().read_text(encoding="utf-8")
    assert "Traceback" in text and "KeyError: 'contact_id'" in text


def test_a_known_problem_is_a_message_not_a_crash() -> None:
    shown: list[str] = []
    known: list[str] = []
    hook = CrashHandler(show=lambda s, _p: shown.append(s), known=known.append)
    hook(*_raise(ClaimConflict(5, "emma", "Emma Clarke")))  # type: ignore[arg-type]
    assert shown == []
    assert known == ["Contact 5 is already claimed by Emma Clarke (emma)."]


def test_a_bug_in_a_job_reaches_the_installed_hook(qtbot: QtBot) -> None:
    shown: list[str] = []
    hook = CrashHandler(show=lambda s, _p: shown.append(s))
    hook.install()
    jobs = Jobs(crash_handler=hook)
    try:
        jobs.read(lambda: {}["missing"])
        qtbot.waitUntil(lambda: bool(shown))
        assert shown == ["KeyError: 'missing'"]
    finally:
        hook.uninstall()
        assert jobs.shutdown()


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        env[var] = str(tmp_path / var.lower())
    return env


def test_the_cli_module_does_not_import_qt(tmp_path: Path) -> None:
    code = ("import sys, ui.cli; from console.cli.main import build_parser; "
            "build_parser(ui.cli.COMMANDS); print(any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(tmp_path),
                         capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "False"


def test_screenshot_command_writes_a_png(tmp_path: Path) -> None:
    out = tmp_path / "shot.png"
    done = subprocess.run([sys.executable, "-m", "ui", "screenshot", "--out", str(out),
                           "--size", "1280x800"], cwd=ROOT, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1280, 800)


def test_none_and_true_cannot_be_run_down_by_pyside() -> None:
    """PySide6 6.12.0 drops a reference to None on every void call and to True on every emit."""
    import ui  # noqa: F401 -- importing the package is what protects them
    from ui.shell.refcounts import RESERVE

    if sys.version_info >= (3, 12):
        pytest.skip("None and True are immortal from Python 3.12 on")
    label = QLabel()
    before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1000):
        label.setText("x")  # a void call
    assert before[0] > RESERVE // 2 and before[1] > RESERVE // 2
    assert sys.getrefcount(None) > RESERVE // 2


def test_a_screenshot_of_a_real_database_needs_a_signed_in_person(
        world: World, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "real.png"
    code, _out, err = run_cli(capsys, db_url, "screenshot", "--out", str(out))
    assert code == 4 and "Nobody is signed in" in err
    assert not out.exists()
