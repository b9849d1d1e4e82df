"""The menu bar and the keyboard-shortcut list (every action shows its shortcut)."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDockWidget, QMenuBar, QMessageBox, QWidget

from ui.agent.actions import WindowActions


def build_menus(bar: QMenuBar, a: WindowActions, docks: list[QDockWidget]) -> None:
    """Fills ``bar`` with File, Contact, View, State and Help."""
    file_menu = bar.addMenu("&File")
    file_menu.addActions([a.sign_out, a.quit])
    contact = bar.addMenu("&Contact")
    contact.addActions([a.get_next, a.claim])
    contact.addSeparator()
    contact.addActions([a.focus_reply, a.send_reply, a.add_note])
    contact.addSeparator()
    contact.addActions([a.transfer, a.resolve])
    contact.addSeparator()
    contact.addActions([a.link_customer, a.unlink_customer])
    contact.addSeparator()
    contact.addActions([a.next_contact, a.previous_contact])
    view = bar.addMenu("&View")
    view.addActions([a.focus_inbox, a.focus_kb, a.refresh])
    view.addSeparator()
    for dock in docks:
        toggle = dock.toggleViewAction()
        toggle.setToolTip(f"Show or hide the {dock.windowTitle()} pane")
        view.addAction(toggle)
    view.addSeparator()
    view.addAction(a.reset_layout)
    state = bar.addMenu("&State")
    state.addActions(list(a.states.values()))
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.shortcuts)


def show_shortcuts(parent: QWidget, a: WindowActions) -> None:
    """A non-blocking list of every shortcut."""
    rows = "".join(f"<tr><td>{html.escape(name)}</td><td>&nbsp;&nbsp;<b>{html.escape(keys)}"
                   f"</b></td></tr>" for name, keys in a.shortcut_table())
    box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts",
                      f"<table>{rows}</table>", QMessageBox.StandardButton.Close, parent)
    box.setObjectName("shortcutsDialog")
    box.finished.connect(box.deleteLater)
    box.open()
