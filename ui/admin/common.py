"""What every administration tab shares: the guarded services, a table, an inline error line.

Every service call goes through the jobs helper as the signed-in admin
(console.security.guard), so the permission check and the audit entry happen
in the services; a refusal comes back as a message under the tab's form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QTableView,
    QWidget,
)

from console.errors import SwitchboardError
from console.security.guard import Door
from ui.shell.jobs import Jobs
from ui.supervisor.models import IdRole, SnapshotTableModel, snapshot_table


def table_view(model: SnapshotTableModel[Any], name: str, parent: QWidget,
               stretch: int | None = None) -> QTableView:
    """The wallboard's table (see snapshot_table), sorted by its first column, read-only,
    with alternating rows for the longer admin lists."""
    view = snapshot_table(model, name, parent, stretch)
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    return view


def selected_key(view: QTableView) -> Any:
    """The IdRole of the selected row (login, queue name...), or None."""
    rows = view.selectionModel().selectedRows()
    return rows[0].data(IdRole) if rows else None


def select_key(view: QTableView, key: Any) -> bool:
    """Selects the row whose IdRole is ``key``; False when there is none."""
    model = view.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data(IdRole) == key:
            view.selectRow(row)
            return True
    return False


class AdminTab(QWidget):
    """A tab of the administration window.

    Args:
        guarded: the services as the signed-in admin may use them.
        jobs: the background-work helper.
        parent: the owning widget.

    Signals:
        done(str): a change was saved (a sentence for the banner).
        loaded(): the tab's list is on screen.
    """

    done = Signal(str)
    loaded = Signal()

    def __init__(self, guarded: Door, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.guarded, self.jobs = guarded, jobs
        self.writing = False
        self.error = QLabel(self)
        self.error.setObjectName("dialogError")
        self.error.setWordWrap(True)
        self.error.hide()

    def subject_label(self, parent: QWidget) -> QLabel:
        """The line naming the selected row in a "Selected ..." form."""
        label = QLabel("Select a row in the table above.", parent)
        label.setObjectName("paneStatus")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def refresh(self) -> None:
        """Reloads the tab's list."""
        raise NotImplementedError

    def read(self, fn: Callable[[], Any], on_success: Callable[[Any], None]) -> None:
        """Runs a read off the GUI thread; a refusal shows on the error line."""
        self.jobs.read(fn, on_success=on_success, on_failure=self.show_error,
                       key=f"admin-{self.objectName()}")

    def write(self, fn: Callable[[], Any], message: Callable[[Any], str],
              refused: Callable[[SwitchboardError], None] | None = None) -> bool:
        """Runs a change on the write lane, then says so and reloads the list.

        Args:
            refused: where a refusal is shown (default: the tab's error line; a
                dialog shows it beside its fields).

        Returns:
            False when an earlier change of this tab is still running (a double
            click does not create an agent twice).
        """
        if self.writing:
            return False
        self.writing = True
        self.error.hide()
        self.jobs.write(fn, on_success=lambda result: self._written(message(result)),
                        on_failure=lambda exc: self._refused(exc, refused or self.show_error))
        return True

    def _written(self, message: str) -> None:
        self.writing = False
        self.error.hide()
        self.done.emit(message)
        self.refresh()

    def _refused(self, exc: SwitchboardError, show: Callable[[SwitchboardError], None]) -> None:
        self.writing = False
        show(exc)

    def show_error(self, exc: SwitchboardError) -> None:
        """Shows a refusal (bad input, not permitted, offline) under the form."""
        self.error.setText(exc.message)
        self.error.show()
