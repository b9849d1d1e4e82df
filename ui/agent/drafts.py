"""Unsent replies, kept per contact so switching contacts (or a crash) loses nothing.

Drafts live in memory keyed by contact id and are written to the agent's UI
settings shortly after typing stops, so a crash loses at most a second.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ui.shell.settings import UiSettings

SAVE_DELAY_MS = 800
_GROUP = "drafts"


class Drafts(QObject):
    """The agent's unsent texts.

    Args:
        settings: where drafts are persisted (None: memory only).
        parent: the owning QObject.
    """

    def __init__(self, settings: UiSettings | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settings = settings
        self._texts: dict[int, str] = {}
        self._dirty: set[int] = set()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        if settings is not None:
            for key, text in settings.group(_GROUP).items():
                if key.isdigit() and isinstance(text, str) and text:
                    self._texts[int(key)] = text

    def get(self, contact_id: int) -> str:
        return self._texts.get(contact_id, "")

    def put(self, contact_id: int, text: str) -> None:
        """Remembers ``text`` for ``contact_id`` (an empty text forgets it)."""
        if self._texts.get(contact_id, "") == text:
            return
        if text:
            self._texts[contact_id] = text
        else:
            self._texts.pop(contact_id, None)
        self._dirty.add(contact_id)
        self._timer.start()

    def discard(self, contact_id: int) -> None:
        """Forgets the draft (after it was sent)."""
        self.put(contact_id, "")

    def contacts(self) -> list[int]:
        return sorted(self._texts)

    def flush(self) -> None:
        """Writes changed drafts to the settings file now."""
        self._timer.stop()
        if self._settings is None:
            self._dirty.clear()
            return
        for contact_id in sorted(self._dirty):
            key = f"{_GROUP}/{contact_id}"
            text = self._texts.get(contact_id)
            if text:
                self._settings.set_value(key, text)
            else:
                self._settings.remove(key)
        self._dirty.clear()
        self._settings.sync()
