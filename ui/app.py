"""Starting the window: the QApplication, its look, the crash hook, and the agent's window."""

from __future__ import annotations

import logging
import socket
import sys

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog

import resources
from console.domain import AgentInfo
from console.security.guard import Door, Entrance
from ui.agent.main_window import MainWindow
from ui.shell.change_feed import POLL_MS
from ui.shell.context import Workbench
from ui.shell.crash import CrashHandler
from ui.shell.jobs import Jobs
from ui.shell.settings import UiSettings
from ui.sign_in import SignInDialog

log = logging.getLogger(__name__)

# Latin first, then a CJK face, so kana and kanji never fall back to tofu boxes.
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans", "Noto Sans CJK JP", "IPAGothic", "sans-serif"]
FONT_POINTS = 10


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication with Switchboard's font and stylesheet."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv or sys.argv[:1])
    app.setApplicationName("Switchboard")
    app.setOrganizationName("Switchboard")
    app.setDesktopFileName("switchboard")
    apply_style(app)
    return app


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setPointSize(FONT_POINTS)
    app.setFont(font)
    app.setStyleSheet(resources.path("style", "switchboard.qss").read_text(encoding="utf-8"))


def open_window(door: Door, agent: AgentInfo, *, jobs: Jobs | None = None,
                settings: UiSettings | None = None, poll_ms: int = POLL_MS) -> MainWindow:
    """Builds and starts the console window for the person at ``door`` (a QApplication must exist)."""
    jobs = jobs or Jobs()
    window = MainWindow(Workbench.create(door, jobs, agent), settings, poll_ms)
    window.start()
    return window


def run(entrance: Entrance, *, suggested_login: str | None = None) -> int:
    """Runs the console: sign-in, the window, and again after each sign-out.

    A workstation that remembers someone (a token in the OS keyring) skips the
    sign-in dialog. Signing out forgets that, closes the window (nothing the
    last person had open stays on screen) and asks who is next.

    Returns:
        The exit code: 0 when the window closes or nobody signs in.
    """
    app = create_application()
    jobs = Jobs()
    crash = CrashHandler()
    crash.install()
    workstation = socket.gethostname()[:120]
    try:
        door = entrance.resume(workstation=workstation)
        while True:
            door = door or sign_in(entrance, jobs, workstation, suggested_login)
            if door is None:
                return 0
            # Before the window exists (no event loop runs yet), so it may wait for the database.
            window = open_window(door, door.agents.get(door.principal.login), jobs=jobs)
            crash.known = window.banner.problem
            if window.first_start:
                window.fit_to_screen()
            window.show()
            code = app.exec()
            if not window.signed_out:
                return code
            jobs.wait_idle()  # the closed window's last results land before it goes
            entrance.sign_out(door)
            suggested_login, door = None, None
            window.deleteLater()
    finally:
        jobs.shutdown()
        crash.uninstall()


def sign_in(entrance: Entrance, jobs: Jobs, workstation: str,
            suggested_login: str | None) -> Door | None:
    """Shows the sign-in dialog; the signed-in person's door, or None when it was cancelled."""
    dialog = SignInDialog(entrance, jobs, workstation)
    if suggested_login:
        dialog.login.setText(suggested_login)
        dialog.password.setFocus()
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    door = dialog.door if accepted else None
    dialog.deleteLater()
    return door
