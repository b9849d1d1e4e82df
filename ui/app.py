"""Starting the window: the QApplication, its look, the crash hook, and the agent's window."""

from __future__ import annotations

import logging
import socket
import sys

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog

import resources
from console.app import Services
from console.domain import AgentInfo, Role
from console.errors import NotFound
from console.security.principal import Principal
from ui.change_feed import POLL_MS
from ui.context import Workbench
from ui.crash import CrashHandler
from ui.jobs import Jobs
from ui.main_window import MainWindow
from ui.sign_in import SignInDialog
from ui.ui_settings import UiSettings

log = logging.getLogger(__name__)

# Latin first, then a CJK face, so kana and kanji never fall back to tofu boxes.
FONT_FAMILIES = ["Noto Sans", "DejaVu Sans", "Noto Sans CJK JP", "IPAGothic", "sans-serif"]
FONT_POINTS = 10


def resolve_agent(services: Services, login: str | None) -> AgentInfo:
    """The agent to sign in: ``login``, else the first agent with the agent role.

    Runs before the window exists (the CLI thread), so it may call the services.

    Raises:
        NotFound: no such login, or no agents at all.
    """
    if login:
        return services.agents.get(login)
    agents = services.agents.list()
    for agent in agents:
        if agent.role == Role.AGENT:
            return agent
    if agents:
        return agents[0]
    raise NotFound("There are no agents yet; create one (or run 'switchboard demo') first.")


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


def open_window(services: Services, agent: AgentInfo, *, jobs: Jobs | None = None,
                settings: UiSettings | None = None, poll_ms: int = POLL_MS,
                principal: Principal | None = None) -> MainWindow:
    """Builds and starts the console window (a QApplication must exist)."""
    jobs = jobs or Jobs()
    window = MainWindow(Workbench.create(services, jobs, agent, principal), settings, poll_ms)
    window.start()
    return window


def run(services: Services, *, suggested_login: str | None = None) -> int:
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
        principal = services.auth.resume(workstation=workstation)
        while True:
            principal = principal or sign_in(services, jobs, workstation, suggested_login)
            if principal is None:
                return 0
            window = open_window(services, services.agents.get(principal.login), jobs=jobs,
                                 principal=principal)
            crash.known = window.banner.problem
            if window.first_start:
                window.fit_to_screen()
            window.show()
            code = app.exec()
            if not window.signed_out:
                return code
            jobs.wait_idle()  # the closed window's last results land before it goes
            services.auth.sign_out(principal)
            suggested_login, principal = None, None
            window.deleteLater()
    finally:
        jobs.shutdown()
        crash.uninstall()


def sign_in(services: Services, jobs: Jobs, workstation: str,
            suggested_login: str | None) -> Principal | None:
    """Shows the sign-in dialog; the signed-in person, or None when it was cancelled."""
    dialog = SignInDialog(services.auth, jobs, workstation)
    if suggested_login:
        dialog.login.setText(suggested_login)
        dialog.password.setFocus()
    accepted = dialog.exec() == QDialog.DialogCode.Accepted
    principal = dialog.principal if accepted else None
    dialog.deleteLater()
    return principal
