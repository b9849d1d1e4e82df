"""Adds the Admin menu to the console window and opens the administration window from it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from console.domain import Role
from ui.admin.window import AdminWindow
from ui.shell.change_feed import ChangeFeed
from ui.shell.context import Workbench


class AdminLauncher(QObject):
    """The "Admin > Administration…" menu item (shown to administrators only).

    The services refuse admin operations to other roles anyway; hiding the
    menu only spares them a window full of refusals.

    Args:
        bench: the console's services, jobs and signed-in agent.
        feed: the console's change feed, shared with the window.
        menus: the menu bar to add the menu to.
        parent: the console window (the administration window's owner).
    """

    def __init__(self, bench: Workbench, feed: ChangeFeed, menus: QMenuBar,
                 parent: QWidget) -> None:
        super().__init__(parent)
        self._bench, self._feed, self._owner = bench, feed, parent
        self.window: AdminWindow | None = None
        self.action = QAction("A&dministration…", parent)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.action.triggered.connect(self.open)
        if bench.agent.role is Role.ADMIN:
            menus.addMenu("&Admin").addAction(self.action)
            parent.addAction(self.action)

    def open(self) -> AdminWindow:
        """Shows the administration window (one per console window), loading it on first open."""
        if self.window is None:
            self.window = AdminWindow(self._bench, self._feed, parent=self._owner)
            self.window.setWindowFlag(Qt.WindowType.Window)
            self.window.resize(1200, 760)
            self.window.start()
        self.window.show()
        self.window.raise_()
        return self.window

    def close(self) -> None:
        """Sign-out: closes the window and forgets it, so the next person starts afresh."""
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None
