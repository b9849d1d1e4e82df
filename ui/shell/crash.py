"""The global exception hook: a bug is logged with its traceback and the agent is told where.

Known problems (``SwitchboardError``) never come here from the jobs helper;
if one escapes a slot anyway it is shown as a plain message, not a crash.
"""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

import platformdirs

from console.errors import SwitchboardError

log = logging.getLogger(__name__)

APP = "switchboard"


def log_path() -> Path:
    """The log file in the user's state directory (~/.local/state/switchboard/log)."""
    path = Path(platformdirs.user_log_dir(APP))
    path.mkdir(parents=True, exist_ok=True)
    return path / "switchboard.log"


def write_crash(etype: type[BaseException], value: BaseException,
                tb: TracebackType | None) -> Path:
    """Appends the traceback to the log file and returns its path."""
    path = log_path()
    text = "".join(traceback.format_exception(etype, value, tb))
    with path.open("a", encoding="utf-8") as out:
        out.write(f"{datetime.now(UTC).isoformat()} CRASH unexpected error\n{text}\n")
    log.error("unexpected error (logged to %s): %s", path, value)
    return path


class CrashHandler:
    """``sys.excepthook`` replacement that logs and then shows a dialog.

    Args:
        show: shows the dialog for a bug, given its summary and the log path
            (tests and headless runs pass something that does not block).
        known: shows a known problem that escaped a slot (a banner).
    """

    def __init__(self, show: Callable[[str, Path], None] | None = None,
                 known: Callable[[str], None] | None = None) -> None:
        self._show = show or show_crash_dialog
        self.known = known
        self._previous = sys.excepthook

    def __call__(self, etype: type[BaseException], value: BaseException,
                 tb: TracebackType | None) -> None:
        if isinstance(value, SwitchboardError):
            log.warning("known problem reached the exception hook: %s", value.message)
            if self.known is not None:
                self.known(value.message)
            return
        if issubclass(etype, KeyboardInterrupt):
            self._previous(etype, value, tb)
            return
        path = write_crash(etype, value, tb)
        self._show(f"{etype.__name__}: {value}", path)

    def install(self) -> None:
        sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous


def show_crash_dialog(summary: str, path: Path) -> None:
    """A non-blocking dialog naming the log file; the window stays usable."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    parent = QApplication.activeWindow()
    box = QMessageBox(QMessageBox.Icon.Critical, "Switchboard hit a bug",
                      "Something went wrong inside Switchboard. Your typed text is kept; "
                      "you can carry on, but please tell your supervisor or IT.",
                      QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText(f"{summary}\n\nThe details are in:\n{path}")
    box.setObjectName("crashDialog")
    box.finished.connect(box.deleteLater)
    box.open()
