"""Saving a message's attachment: the agent picks a file, a worker fetches the bytes and writes it.

The GUI thread never waits for the database or the disk: the fetch (through
the door, audited as a view of the contact) and the write both run on the
jobs helper. The file appears whole or not at all: the bytes go to a
temporary file beside it, which then takes its name.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from console.domain import AttachmentContent, AttachmentInfo
from console.errors import ValidationError
from ui.shell.context import Workbench

# Asks where to save: (suggested file name, what to do with the path chosen). Never
# called back when the agent cancels.
PathAsker = Callable[[str, Callable[[Path], None]], None]


class AttachmentSaver(QObject):
    """Saves kept attachments where the agent chooses.

    Args:
        bench: the door, jobs and signed-in person.
        window: the parent of the file dialog.

    Attributes:
        ask_path: how the destination is asked for (a non-native, non-blocking
            file dialog); tests set their own.

    Signals:
        saved(str): the sentence for the banner once a file is written.
        error(object): a SwitchboardError (refused, not kept, cannot be written).
    """

    saved = Signal(str)
    error = Signal(object)

    def __init__(self, bench: Workbench, window: QWidget) -> None:
        super().__init__(window)
        self._bench, self._window = bench, window
        self.ask_path: PathAsker = self._ask_with_dialog

    def save(self, contact_id: int, attachment: AttachmentInfo) -> None:
        """Asks where, then fetches and writes ``attachment`` of ``contact_id`` off the GUI thread."""
        if not attachment.kept:
            self.error.emit(ValidationError(
                f"'{attachment.filename}' was not kept: {attachment.note or 'no reason recorded'}."))
            return
        suggested = Path(attachment.filename).name or f"attachment-{attachment.id}"
        self.ask_path(suggested, lambda path: self._fetch(contact_id, attachment.id, path))

    def _fetch(self, contact_id: int, attachment_id: int, path: Path) -> None:
        fetch = self._bench.door.inbox.attachment
        self._bench.jobs.read(_fetch_and_write, fetch, contact_id, attachment_id, path,
                              on_success=lambda p: self.saved.emit(f"Saved {p.name} to {p.parent}."),
                              on_failure=self.error.emit)

    def _ask_with_dialog(self, suggested: str, then: Callable[[Path], None]) -> None:
        dialog = QFileDialog(self._window, "Save attachment", suggested)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        # Qt's own dialog: a native one runs a nested event loop on some platforms.
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(lambda chosen: then(Path(chosen)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()


def _fetch_and_write(fetch: Callable[[int, int], AttachmentContent], contact_id: int,
                     attachment_id: int, path: Path) -> Path:
    """Worker thread: the attachment's bytes, written to ``path`` in one piece."""
    content = fetch(contact_id, attachment_id).content
    try:
        _write_whole(path, content)
    except OSError as exc:
        raise ValidationError(f"Could not save {path.name} in {path.parent}: "
                              f"{exc.strerror or exc}.") from None
    return path


def _write_whole(path: Path, content: bytes) -> None:
    # Beside the target (the rename stays on one file system), created with the
    # user's usual permissions.
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        with temporary.open("xb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
