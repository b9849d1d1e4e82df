"""The Scripts dock: greeting scripts filled in for the selected contact.

Enter (or Insert) puts the script into the reply; Ctrl+C (or Copy) puts it on
the clipboard, for reading out on a phone call. A script that cannot be
filled in shows why, in warning colours, instead of half-filled text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QPushButton, QVBoxLayout, QWidget

from console.domain import RenderedTemplate
from ui.agent.models.list_models import ScriptsModel
from ui.shell.context import Workbench
from ui.widgets.compact import shrinking_label
from ui.widgets.two_line_delegate import card_list

# Scripts in the order a conversation uses them (the service sorts by category name).
CALL_ORDER = {"greeting": 0, "verification": 1, "closing": 3}


class ScriptsPane(QWidget):
    """Rendered scripts with Insert and Copy.

    Args:
        bench: services, jobs, agent and clock.
        parent: the owning widget.

    Signals:
        insert_requested(str): the agent wants this text in the reply.
        copied(str): a script was copied to the clipboard.
        error(object): a SwitchboardError while loading.
    """

    insert_requested = Signal(str)
    copied = Signal(str)
    error = Signal(object)

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptsPane")
        self._bench = bench
        self._contact_id: int | None = None
        self.model = ScriptsModel(self)
        self.view = QListView(self)
        self.view.setObjectName("scriptsList")
        self.view.setModel(self.model)
        card_list(self.view, max_body_lines=0)
        self.view.activated.connect(lambda _index: self.insert_current())
        self.status = shrinking_label(QLabel("No contact selected", self))
        self.status.setObjectName("paneStatus")
        self.insert_button = QPushButton("Insert", self)
        self.insert_button.setToolTip("Insert the script into the reply (Enter)")
        self.insert_button.clicked.connect(self.insert_current)
        self.copy_button = QPushButton("Copy", self)
        self.copy_button.setToolTip("Copy the script, e.g. to read it out on a call (Ctrl+C)")
        self.copy_button.clicked.connect(self.copy_current)
        copy = QAction("Copy script", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        copy.triggered.connect(self.copy_current)
        self.view.addAction(copy)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(8, 4, 8, 6)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.insert_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(self.view, 1)
        box.addLayout(buttons)

    def show_contact(self, contact_id: int | None) -> None:
        """Renders the scripts for ``contact_id`` (its customer, channel and language)."""
        self._contact_id = contact_id
        self.model.set_items([])
        if contact_id is None:
            self.status.setText("No contact selected")
            return
        self.status.setText("Loading…")
        self._bench.jobs.read(
            self._bench.door.templates.render_for_contact, contact_id,
            self._bench.agent.login, key=f"scripts:{id(self)}",
            on_success=lambda scripts: self._arrived(contact_id, scripts),
            on_failure=self._failed)

    def _arrived(self, contact_id: int, scripts: list[RenderedTemplate]) -> None:
        if contact_id != self._contact_id:
            return
        scripts = sorted(scripts, key=lambda s: CALL_ORDER.get(s.template.category, len(CALL_ORDER)))
        self.model.set_items(scripts)
        self.status.setText(f"{len(scripts)} scripts" if scripts else "No scripts for this channel")
        if scripts:
            self.view.setCurrentIndex(self.model.index(0, 0))

    def _failed(self, exc: Exception) -> None:
        self.status.setText("Scripts unavailable")
        self.error.emit(exc)

    def current_text(self) -> str | None:
        """The selected script's text (None when nothing usable is selected)."""
        script = self.model.item(self.view.currentIndex().row())
        return script.text if script is not None and script.error is None else None

    def insert_current(self) -> None:
        text = self.current_text()
        if text:
            self.insert_requested.emit(text)

    def copy_current(self) -> None:
        text = self.current_text()
        if text:
            QGuiApplication.clipboard().setText(text)
            self.copied.emit(text)
