"""The Templates tab: edit greeting scripts with a live preview for a sample contact.

A template with bad syntax or an unknown placeholder shows the reason next to
the editor, and the services refuse to save it, so nothing is stored.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from console.domain import Channel, TemplateInfo
from console.errors import ValidationError
from console.security.guard import Door
from console.services.templates import PLACEHOLDERS
from ui.admin.common import AdminTab, select_key, selected_key, table_view
from ui.admin.models import TemplatesModel, template_key
from ui.admin.preview import preview
from ui.shell import palette
from ui.shell.context import Workbench

LANGUAGES = ("en", "ja")


class TemplatesTab(AdminTab):
    """Greeting templates (see the module docstring).

    Args:
        guarded: the services as the signed-in admin may use them.
        bench: the jobs helper, the admin's name and the site's clock for the preview.
        parent: the owning widget.
    """

    def __init__(self, guarded: Door, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(guarded, bench.jobs, parent)
        self.setObjectName("adminTemplates")
        self._bench = bench
        self._select_next: str | None = None
        self.model = TemplatesModel(self)
        self.view = table_view(self.model, "adminTemplateTable", self)  # names whole
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        new = QPushButton("New template", self)
        new.clicked.connect(self.new_template)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.view, 1)
        column.addWidget(new)
        split = QSplitter(self)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(self._build_editor())
        left.setMinimumWidth(400)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([10_000, 10_000])  # half and half to start: the list needs its columns
        QVBoxLayout(self).addWidget(split)

    def _build_editor(self) -> QWidget:
        editor = QWidget(self)
        self.name = QLineEdit(editor)
        self.name.setMaxLength(80)  # the widths of greeting_templates' columns
        self.language = QComboBox(editor)
        self.language.setEditable(True)
        self.language.addItems(LANGUAGES)
        code = self.language.lineEdit()
        assert code is not None  # an editable combo box has one
        code.setMaxLength(8)  # the width of greeting_templates.language
        self.language.setToolTip("Language code, e.g. en or ja")
        self.channel = QComboBox(editor)
        self.channel.addItem("Any channel", None)
        for channel in Channel:
            self.channel.addItem(channel.value.capitalize(), channel)
        self.category = QLineEdit("greeting", editor)
        self.category.setMaxLength(40)
        self.body = QPlainTextEdit(editor)
        self.body.setTabChangesFocus(True)
        self.body.setPlaceholderText("Placeholders: " + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS))
        self.body.textChanged.connect(self.update_preview)
        self.language.currentTextChanged.connect(self.update_preview)
        self.preview = QLabel(editor)
        self.preview.setObjectName("templatePreview")
        self.preview.setWordWrap(True)
        self.preview.setMinimumHeight(56)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview.setToolTip("Filled in for a sample customer (Alice Smith; 山田 太郎 in Japanese)")
        self.preview.setStyleSheet(f"#templatePreview {{ background: {palette.NOTE_BG}; "
                                   f"border: 1px solid {palette.NOTE_BORDER}; padding: 6px; }}")
        self.save_button = QPushButton("Save template", editor)
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(self.save)
        top = QHBoxLayout()
        top.addWidget(self.language, 1)
        top.addWidget(QLabel("Channel", editor))
        top.addWidget(self.channel, 2)
        top.addWidget(QLabel("Category", editor))
        top.addWidget(self.category, 2)
        form = QFormLayout(editor)
        form.setContentsMargins(8, 0, 0, 0)
        form.addRow("Name", self.name)
        form.addRow("Language", top)
        form.addRow("Body", self.body)
        form.addRow("", self.error)
        form.addRow("Preview", self.preview)
        form.addRow("", self.save_button)
        return editor

    # -- loading ---------------------------------------------------------
    def refresh(self) -> None:
        g = self.guarded
        # Looked up on the worker: a refusal then arrives as on_failure, not here.
        self.read(lambda: g.templates.list(), self._loaded)  # noqa: PLW0108

    def _loaded(self, templates: list[TemplateInfo]) -> None:
        chosen, self._select_next = self._select_next or selected_key(self.view), None
        self.model.set_rows(templates)
        if chosen is not None:
            select_key(self.view, chosen)
        self.loaded.emit()

    def selected(self) -> TemplateInfo | None:
        key = selected_key(self.view)
        rows = (self.model.row(n) for n in range(self.model.rowCount()))
        return next((t for t in rows if t is not None and template_key(t) == key), None)

    def _selection_changed(self, *_: QItemSelection) -> None:
        tpl = self.selected()
        if tpl is not None:
            self.show_template(tpl)

    def show_template(self, tpl: TemplateInfo) -> None:
        """Puts a template into the editor."""
        self.name.setText(tpl.name)
        self.language.setCurrentText(tpl.language)
        self.channel.setCurrentIndex(max(0, self.channel.findData(tpl.channel)))
        self.category.setText(tpl.category)
        self.body.setPlainText(tpl.body)

    def new_template(self) -> None:
        """Clears the editor for a new template."""
        self.view.clearSelection()
        self.name.clear()
        self.category.setText("greeting")
        self.channel.setCurrentIndex(0)
        self.body.clear()
        self.name.setFocus()

    # -- editing ---------------------------------------------------------
    def language_code(self) -> str:
        return self.language.currentText().strip()

    def update_preview(self) -> None:
        """Fills the body in for a sample contact, or says what is wrong with it."""
        bench = self._bench
        try:
            text = preview(self.body.toPlainText(), bench.agent.name, self.language_code(),
                           bench.clock.now().astimezone(bench.tz))
        except ValidationError as exc:
            self.preview.setText("No preview until the template is fixed.")
            self.show_error(exc)
            return
        self.error.hide()
        self.preview.setText(text)

    def save(self) -> None:
        """Saves the editor's template; the services refuse a template that does not parse."""
        g, name, language = self.guarded, self.name.text().strip(), self.language_code()
        data = self.channel.currentData()  # Qt hands a StrEnum back as its str
        channel = Channel(data) if data else None
        body, category = self.body.toPlainText(), self.category.text().strip() or "greeting"
        self.write(lambda: g.templates.save(name, language, body, channel=channel,
                                            category=category), self._saved)

    def _saved(self, tpl: TemplateInfo) -> str:
        self._select_next = template_key(tpl)
        return f"Template '{tpl.name}' ({tpl.language}) saved."
