"""The Queues tab: create queues and set their routing priority and service-level goal.

SLA targets (first response, resolution) are set when a queue is created;
per-priority and per-channel policies stay with ``switchboard sla`` for now.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.domain import QueueInfo
from console.domain.sla import QueueSetup
from console.security.guard import Door
from console.services.admin import MAX_DESCRIPTION, MAX_QUEUE
from ui.admin.common import AdminTab, select_key, selected_key, table_view
from ui.admin.models import PRIORITIES, QueueRow, QueuesModel
from ui.shell.jobs import Jobs

LANGUAGES = (("Any language", None), ("English", "en"), ("Japanese", "ja"))


def _spin(low: int, high: int, value: int, suffix: str, parent: QWidget) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setRange(low, high)
    spin.setValue(value)
    spin.setSuffix(suffix)
    return spin


class QueuesTab(AdminTab):
    """Queues and their settings (see the module docstring).

    Args:
        guarded: the services as the signed-in admin may use them.
        jobs: the background-work helper.
        parent: the owning widget.
    """

    def __init__(self, guarded: Door, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(guarded, jobs, parent)
        self.setObjectName("adminQueues")
        self.model = QueuesModel(self)
        self.view = table_view(self.model, "adminQueueTable", self)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self._select_next: str | None = None
        box = QVBoxLayout(self)
        box.addWidget(self.view, 1)
        box.addWidget(self.error)
        forms = QHBoxLayout()
        forms.addWidget(self._build_settings(), 1)
        forms.addWidget(self._build_new(), 1)
        box.addLayout(forms)
        self._selection_changed()

    def _build_settings(self) -> QGroupBox:
        group = QGroupBox("Selected queue", self)
        self.priority = QComboBox(group)
        for value, label in PRIORITIES.items():
            self.priority.addItem(f"{value} {label}", value)
        self.goal = _spin(1, 99, 80, " %", group)
        self.answer = _spin(1, 86400, 20, " s", group)
        self.save_button = QPushButton("Save settings", group)
        self.save_button.clicked.connect(self.save_settings)
        self.subject = self.subject_label(group)
        form = QFormLayout(group)
        form.addRow("Queue", self.subject)
        form.addRow("Priority", self.priority)
        form.addRow("Service-level goal", self.goal)
        form.addRow("Answered within", self.answer)
        form.addRow("", self.save_button)
        return group

    def _build_new(self) -> QGroupBox:
        group = QGroupBox("New queue", self)
        self.new_name = QLineEdit(group)
        self.new_name.setMaxLength(MAX_QUEUE)
        self.new_description = QLineEdit(group)
        self.new_description.setMaxLength(MAX_DESCRIPTION)
        self.new_language = QComboBox(group)
        for label, code in LANGUAGES:
            self.new_language.addItem(label, code)
        self.first_response = _spin(1, 7 * 24 * 60, 60, " min", group)
        self.resolution = _spin(1, 365 * 24, 24, " h", group)
        self.create_button = QPushButton("Create queue", group)
        self.create_button.setObjectName("primaryButton")
        self.create_button.clicked.connect(self.create_queue)
        form = QFormLayout(group)
        for label, field in (("Name", self.new_name), ("Description", self.new_description),
                             ("Language", self.new_language),
                             ("First response", self.first_response),
                             ("Resolution", self.resolution)):
            form.addRow(label, field)
        form.addRow("", self.create_button)
        return group

    # -- loading ---------------------------------------------------------
    def refresh(self) -> None:
        g = self.guarded
        self.read(lambda: [QueueRow(q, g.sla.setup(q.name)) for q in g.agents.queues()],
                  self._loaded)

    def _loaded(self, rows: list[QueueRow]) -> None:
        chosen, self._select_next = self._select_next or selected_key(self.view), None
        self.model.set_rows(rows)
        if chosen is not None:
            select_key(self.view, chosen)
        self._selection_changed()
        self.loaded.emit()

    def selected(self) -> QueueRow | None:
        name = selected_key(self.view)
        rows = (self.model.row(n) for n in range(self.model.rowCount()))
        return next((r for r in rows if r is not None and r.info.name == name), None)

    def _selection_changed(self, *_: QItemSelection) -> None:
        row = self.selected()
        for widget in (self.priority, self.goal, self.answer, self.save_button):
            widget.setEnabled(row is not None)
        if row is not None:
            self.subject.setText(row.info.name)
            self.priority.setCurrentIndex(self.priority.findData(row.setup.priority))
            self.goal.setValue(round(row.setup.service_level_goal * 100))
            self.answer.setValue(row.setup.answer_target_s)

    # -- changes ---------------------------------------------------------
    def save_settings(self) -> None:
        """Saves the selected queue's priority, service-level goal and answer target."""
        row = self.selected()
        if row is None:
            return
        g, name = self.guarded, row.info.name
        priority, goal, answer = self.priority.currentData(), self.goal.value(), self.answer.value()
        self.write(lambda: g.sla.configure_queue(name, priority=priority, service_level_goal=goal / 100,
                                                 answer_target_s=answer), _saved)

    def create_queue(self) -> None:
        """Creates the queue described in the "New queue" form."""
        g, name = self.guarded, self.new_name.text().strip()
        description = self.new_description.text().strip()
        language = self.new_language.currentData()
        first, resolution = self.first_response.value() * 60, self.resolution.value() * 3600
        self.write(lambda: g.admin.create_queue(name, description=description, language=language,
                                                first_response_target_s=first,
                                                resolution_target_s=resolution), self._created)

    def _created(self, queue: QueueInfo) -> str:
        self.new_name.clear()
        self.new_description.clear()
        self._select_next = queue.name
        return f"Queue {queue.name} created."


def _saved(setup: QueueSetup) -> str:
    return (f"{setup.queue}: priority {setup.priority}, {setup.service_level_goal:.0%} answered "
            f"within {setup.answer_target_s} s.")
