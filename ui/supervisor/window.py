"""The supervisor's live wallboard: queues, agents, charts, CSV export and actions.

Figures come from ``MonitorService`` on the jobs helper; the change feed
triggers a refresh (coalesced: one in flight, at most one queued), a slow
timer reloads anyway, and a one-second tick moves running durations (longest
wait, time in state) on between loads without touching the database.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QToolBar,
    QWidget,
)

from console.domain import AgentInfo, QueueInfo
from console.errors import SwitchboardError
from ui.shell.change_feed import ChangeFeed
from ui.shell.context import Workbench
from ui.shell.dialogs import TransferDialog, TransferRequest
from ui.supervisor.charts import WallboardCharts
from ui.supervisor.data import BoardData, load_board, write_csv
from ui.supervisor.models import (
    AgentStatsModel,
    IdRole,
    QueueStatsModel,
    SnapshotTableModel,
    snapshot_table,
)

log = logging.getLogger(__name__)

REFRESH_MS = 10_000
TICK_MS = 1000
# Changes that move a wallboard figure; others (KB articles, templates) are ignored.
RELEVANT = frozenset({"contact", "agent", "queue", "sla_policy", "calendar", "survey", "demo"})


class WallboardWindow(QMainWindow):
    """Live queue and agent figures for supervisors.

    Args:
        bench: services, jobs, the signed-in supervisor, clock and time zone.
        feed: the change feed to follow (a private one is made when None).
        refresh_ms: the slow refresh between changes.
        parent: the owning widget.

    Signals:
        refreshed(object): a new BoardData is on screen.
    """

    refreshed = Signal(object)

    def __init__(self, bench: Workbench, feed: ChangeFeed | None = None,
                 refresh_ms: int = REFRESH_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("wallboard")
        self.setWindowTitle("Switchboard — live wallboard")
        self.bench = bench
        self._own_feed = feed is None
        self.feed = feed or ChangeFeed(bench.jobs, bench.door.changes, parent=self)
        self._loading = self._dirty = False
        self.data: BoardData | None = None
        self.queues = QueueStatsModel(self)
        self.agents = AgentStatsModel(self)
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(refresh_ms)
        self._timer.timeout.connect(self.refresh)
        self.feed.entities_changed.connect(self._changed)
        self._ticker = QTimer(self)
        self._ticker.setInterval(TICK_MS)
        self._ticker.timeout.connect(self.tick)
        self.dialog: TransferDialog | QInputDialog | None = None

    def _build(self) -> None:
        self.queue_view = snapshot_table(self.queues, "wallboardQueues", self, stretch=0)
        self.agent_view = snapshot_table(self.agents, "wallboardAgents", self, stretch=3)  # contact
        self.charts = WallboardCharts(self)
        split = QSplitter(Qt.Orientation.Vertical, self)
        for w in (self.queue_view, self.agent_view, self.charts):
            split.addWidget(w)
        self.setCentralWidget(split)
        self.updated = QLabel("Loading…", self)
        self.statusBar().addPermanentWidget(self.updated)
        bar = QToolBar("Wallboard", self)
        bar.setObjectName("wallboardToolbar")
        self.addToolBar(bar)
        self.refresh_action = self._action(bar, "&Refresh", self.refresh, QKeySequence.StandardKey.Refresh)
        self._action(bar, "Export &queues…", lambda: self._ask_csv(self.queues, "queues.csv"))
        self._action(bar, "Export &agents…", lambda: self._ask_csv(self.agents, "agents.csv"))
        self._action(bar, "Re&assign or transfer…", self.reassign_selected, "Ctrl+Shift+T")
        self._action(bar, "Queue &priority…", self.change_priority_selected, "Ctrl+Shift+P")

    def _action(self, bar: QToolBar, text: str, slot: object,
                keys: QKeySequence.StandardKey | str | None = None) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))
        action.triggered.connect(slot)
        bar.addAction(action)
        return action

    # -- loading ---------------------------------------------------------
    def start(self) -> None:
        """Loads the board and starts following changes."""
        self.refresh()
        self._timer.start()
        self._ticker.start()
        if self._own_feed:
            self.feed.start()

    def refresh(self) -> None:
        if self._loading:
            self._dirty = True
            return
        self._loading, self._dirty = True, False
        self.bench.jobs.read(load_board, self.bench.door, on_success=self._loaded,
                             on_failure=self._failed, key="wallboard")

    def tick(self) -> None:
        """Once a second: running durations (longest wait, time in state) move on."""
        if self.data is not None:
            elapsed = int((self.bench.clock.now() - self.data.snapshot.at).total_seconds())
            self.queues.tick(elapsed)
            self.agents.tick(elapsed)

    def _changed(self, grouped: dict[str, set[str]]) -> None:
        if RELEVANT & grouped.keys():
            self.refresh()

    def _loaded(self, data: BoardData) -> None:
        self._loading = False
        self.data = data
        self.queues.set_rows(data.snapshot.queues)
        self.agents.set_rows(data.snapshot.agents)
        tz = self.bench.tz
        self.charts.waiting.set_points([(t, float(n)) for t, n in data.waiting], tz)
        self.charts.service_level.set_points(data.service_level, tz, 100.0)
        self.charts.channels.set_counts(data.snapshot.per_channel)
        k = data.snapshot.kpis
        self.updated.setText(
            f"FCR {_pct(k.fcr)} · ART {_hours(k.art_s)} · CSAT {_pct(k.csat)} · "
            f"NPS {'-' if k.nps is None else f'{k.nps:+.0f}'} · "
            f"CES {'-' if k.ces is None else f'{k.ces:.1f}'} · "
            f"updated {data.snapshot.at.astimezone(tz):%H:%M:%S}")
        self.refreshed.emit(data)
        if self._dirty:
            self.refresh()

    def _failed(self, exc: SwitchboardError) -> None:
        self._loading = False
        self.statusBar().showMessage(exc.message, 10_000)

    # -- export ----------------------------------------------------------
    def _ask_csv(self, model: SnapshotTableModel[Any], name: str) -> None:
        dialog = QFileDialog(self, "Export to CSV", name, "CSV files (*.csv)")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        dialog.fileSelected.connect(lambda path: self.export_csv(model, Path(path)))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def export_csv(self, model: SnapshotTableModel[Any], path: Path) -> None:
        """Writes the table to ``path`` once the export is in the audit log."""
        what = "wallboard-queues" if model is self.queues else "wallboard-agents"
        self.bench.jobs.write(self.bench.door.audit.record_export, what, model.rowCount(),
                              on_success=lambda _none: self._write_csv(model, path),
                              on_failure=self._refused)

    def _write_csv(self, model: SnapshotTableModel[Any], path: Path) -> None:
        try:
            rows = write_csv(model, path)
        except OSError as exc:
            self.statusBar().showMessage(f"Could not write {path}: {exc.strerror}", 10_000)
            return
        self.statusBar().showMessage(f"Exported {rows} rows to {path}.", 10_000)

    # -- actions ---------------------------------------------------------
    def selected(self, view: QTableView) -> str | None:
        """The queue name or agent login of the selected row."""
        rows = view.selectionModel().selectedRows()
        return str(rows[0].data(IdRole)) if rows else None

    def reassign_selected(self) -> None:
        """Opens the transfer dialog for the selected agent's current contact."""
        login = self.selected(self.agent_view)
        agent = next((a for a in self.data.snapshot.agents if a.login == login), None) \
            if self.data else None
        if agent is None or agent.current_contact_id is None:
            self.statusBar().showMessage("Select an agent who is working on a contact.", 10_000)
            return
        contact_id = agent.current_contact_id
        sv = self.bench.door
        self.bench.jobs.read(lambda: (tuple(sv.agents.queues()), tuple(sv.agents.list())),
                             on_success=lambda ref: self._open_transfer(contact_id, *ref),
                             on_failure=self._failed)

    def _open_transfer(self, contact_id: int, queues: tuple[QueueInfo, ...],
                       agents: tuple[AgentInfo, ...]) -> None:
        dialog = TransferDialog(contact_id, queues, agents, self)
        dialog.submitted.connect(lambda req: self.transfer(contact_id, req, dialog))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def transfer(self, contact_id: int, req: TransferRequest,
                 dialog: TransferDialog | None = None) -> None:
        """Moves a contact to another queue or agent, as the signed-in supervisor."""
        if dialog is not None:
            dialog.set_busy(True)
        self.bench.jobs.write(
            self.bench.door.inbox.transfer, contact_id, self.bench.agent.login,
            to_queue=req.to_queue, to_agent=req.to_agent, note=req.note,
            on_success=lambda w: self._done(f"Contact {w.value.id} moved.", dialog),
            on_failure=lambda exc: self._refused(exc, dialog))

    def change_priority_selected(self) -> None:
        queue = self.selected(self.queue_view)
        if queue is None:
            self.statusBar().showMessage("Select a queue first.", 10_000)
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle(f"Priority of {queue}")
        dialog.setLabelText("Priority (1 urgent … 4 low):")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setIntRange(1, 4)
        dialog.intValueSelected.connect(lambda p: self.set_queue_priority(queue, p))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    def set_queue_priority(self, queue: str, priority: int) -> None:
        self.bench.jobs.write(self.bench.door.sla.configure_queue, queue, priority=priority,
                              on_success=lambda s: self._done(f"{s.queue}: priority {s.priority}."),
                              on_failure=self._refused)

    def _done(self, message: str, dialog: TransferDialog | None = None) -> None:
        if dialog is not None:
            dialog.accept()
        self.statusBar().showMessage(message, 10_000)
        self.refresh()

    def _refused(self, exc: SwitchboardError, dialog: TransferDialog | None = None) -> None:
        if dialog is not None:
            dialog.show_error(exc.message)
        else:
            self.statusBar().showMessage(exc.message, 10_000)

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        self._ticker.stop()
        if self._own_feed:
            self.feed.stop()
        super().closeEvent(event)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _hours(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds / 3600:.1f} h"
