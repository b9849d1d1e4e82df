"""Adds the Supervisor menu to the console window and opens the wallboard from it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from console.domain import Role
from ui.shell.change_feed import ChangeFeed
from ui.shell.context import Workbench
from ui.supervisor.window import WallboardWindow

SUPERVISING = frozenset({Role.SUPERVISOR, Role.ADMIN})


class WallboardLauncher(QObject):
    """The "Supervisor > Live wallboard" menu item (shown to supervisors and admins only).

    Args:
        bench: the console's services, jobs and signed-in agent.
        feed: the console's change feed, shared with the wallboard.
        menus: the menu bar to add the menu to.
        parent: the console window (the wallboard's owner).
    """

    def __init__(self, bench: Workbench, feed: ChangeFeed, menus: QMenuBar,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self._bench, self._feed, self._owner = bench, feed, parent
        self.window: WallboardWindow | None = None
        self.action = QAction("Live &wallboard", parent)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+W"))
        self.action.triggered.connect(self.open)
        if bench.agent.role in SUPERVISING:
            menus.addMenu("S&upervisor").addAction(self.action)
            parent.addAction(self.action)

    def open(self) -> WallboardWindow:
        """Shows the wallboard (one per console window), loading it on first open."""
        if self.window is None:
            self.window = WallboardWindow(self._bench, self._feed, parent=self._owner)
            self.window.setWindowFlag(Qt.WindowType.Window)
            self.window.resize(1200, 800)
            self.window.start()
        self.window.show()
        self.window.raise_()
        return self.window
