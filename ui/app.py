"""Starting the window: the QApplication, its look, the crash hook, and the agent's window."""

from __future__ import annotations

import logging
import sys

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

import resources
from console.app import Services
from console.domain import AgentInfo, Role
from console.errors import NotFound
from ui.context import Workbench
from ui.crash import CrashHandler
from ui.jobs import Jobs
from ui.main_window import MainWindow
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
                settings: UiSettings | None = None, poll_ms: int = 1000) -> MainWindow:
    """Builds and starts the console window (a QApplication must exist)."""
    jobs = jobs or Jobs()
    window = MainWindow(Workbench.create(services, jobs, agent), settings, poll_ms)
    window.start()
    return window


def run(services: Services, agent: AgentInfo) -> int:
    """Runs the console until the window closes; returns the exit code."""
    app = create_application()
    jobs = Jobs()
    window = open_window(services, agent, jobs=jobs)
    crash = CrashHandler(known=window.banner.problem)
    crash.install()
    window.show()
    try:
        return app.exec()
    finally:
        jobs.shutdown()
        crash.uninstall()
