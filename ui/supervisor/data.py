"""What the wallboard loads (off the GUI thread) and how its tables are written to CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from console.domain.sla import MonitorSnapshot
from console.security.guard import Door
from ui.supervisor.models import SnapshotTableModel


@dataclass(frozen=True)
class BoardData:
    """One load of the wallboard: the snapshot and today's chart series."""

    snapshot: MonitorSnapshot
    waiting: list[tuple[datetime, int]]
    service_level: list[tuple[datetime, float | None]]


def load_board(door: Door) -> BoardData:
    """Worker thread: everything the wallboard shows."""
    monitor = door.monitor
    return BoardData(monitor.snapshot(), monitor.waiting_series(), monitor.service_level_series())


def write_csv(model: SnapshotTableModel[object], path: Path) -> int:
    """Writes the model's table as CSV (UTF-8 with a BOM, so spreadsheets read Japanese).

    Returns:
        The number of data rows written.
    """
    headers, rows = model.table()
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        writer.writerows(rows)
    return len(rows)
