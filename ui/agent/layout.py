"""Saving and restoring the window's layout per agent: docks, size, splitters, inbox columns.

Everything is stored as Qt's own saveState byte strings plus plain strings,
under the agent's group of ``ui.ini``; a layout from another version that Qt
refuses is ignored (defaults win), never an error.
"""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QHeaderView, QMainWindow, QSplitter

from ui.agent.models.inbox_scope import InboxView
from ui.shell.settings import UiSettings

log = logging.getLogger(__name__)

# Bumped when dock or toolbar object names change, so old states are not half-applied.
STATE_VERSION = 1


def save(settings: UiSettings, window: QMainWindow, header: QHeaderView,
         splitters: dict[str, QSplitter], view: InboxView) -> None:
    """Stores the window's layout and the inbox's columns, sort and filters."""
    settings.set_value("window/geometry", window.saveGeometry())
    settings.set_value("window/state", window.saveState(STATE_VERSION))
    settings.set_value("inbox/header", header.saveState())
    for name, splitter in splitters.items():
        settings.set_value(f"splitters/{name}", splitter.saveState())
    for key, value in view.to_settings().items():
        settings.set_value(f"inbox/view/{key}", value)
    settings.sync()


def has_saved_layout(settings: UiSettings) -> bool:
    return settings.blob("window/state") is not None


def restore(settings: UiSettings, window: QMainWindow, header: QHeaderView,
            splitters: dict[str, QSplitter]) -> InboxView:
    """Applies what ``save`` stored (each part only if present and accepted)."""
    geometry = settings.blob("window/geometry")
    if geometry is not None and not window.restoreGeometry(geometry):
        log.info("stored window geometry ignored")
    state = settings.blob("window/state")
    if state is not None and not window.restoreState(state, STATE_VERSION):
        log.info("stored dock layout ignored (other version)")
    columns = settings.blob("inbox/header")
    if columns is not None and not header.restoreState(columns):
        log.info("stored inbox columns ignored")
    for name, splitter in splitters.items():
        stored = settings.blob(f"splitters/{name}")
        if stored is not None:
            splitter.restoreState(stored)
    return InboxView.from_settings(settings.group("inbox/view"))
