"""Adds the Branch menu to the console window and opens the counter's customer lookup from it."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QWidget

from console.domain import Role
from ui.branch.lookup import BranchLookupPane
from ui.shell.context import Workbench

AT_THE_COUNTER = frozenset({Role.BRANCH, Role.SUPERVISOR})


class BranchLauncher(QObject):
    """"Branch > Customer lookup" (branch staff and supervisors who signed in).

    The lookup goes through the guarded services only: every search, card view
    and unmasking is checked against the signed-in person's role and audited.

    Args:
        bench: the console's services, jobs and signed-in person.
        menus: the menu bar to add the menu to.
        parent: the console window (the lookup window's owner).
    """

    def __init__(self, bench: Workbench, menus: QMenuBar, parent: QWidget) -> None:
        super().__init__(parent)
        self._bench, self._owner = bench, parent
        self.window: BranchLookupPane | None = None
        self.action = QAction("Customer &lookup", parent)
        self.action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.action.setToolTip("Find a customer at the counter (Ctrl+Shift+B)")
        self.action.triggered.connect(self.open)
        if bench.principal.role in AT_THE_COUNTER:
            menus.addMenu("&Branch").addAction(self.action)
            parent.addAction(self.action)

    def open(self) -> BranchLookupPane | None:
        """Shows the lookup window (one per console window)."""
        principal = self._bench.principal
        if self.window is None:
            self.window = BranchLookupPane(self._bench.door, self._bench.jobs, self._owner)
            self.window.setWindowFlag(Qt.WindowType.Window)
            self.window.setWindowTitle(f"Customer lookup — {principal.name}")
            self.window.resize(1000, 700)
        self.window.show()
        self.window.raise_()
        return self.window

    def close(self) -> None:
        """Sign-out: the next person finds no customer, result or full number on screen."""
        if self.window is not None:
            self.window.clear()
            self.window.close()
