"""The History dock: the customer's timeline across every channel, newest first."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QListView, QVBoxLayout, QWidget

from console.domain import Channel
from ui.agent.models.history_model import HistoryModel
from ui.shell.context import Workbench
from ui.shell.icons import channel_icon, channel_label
from ui.shell.roles import ContactIdRole
from ui.widgets.compact import compact_combo, shrinking_label
from ui.widgets.two_line_delegate import card_list


class HistoryPane(QWidget):
    """A channel filter over a lazily loaded timeline list.

    Args:
        bench: services, jobs, agent and clock.
        parent: the owning widget.

    Signals:
        contact_requested(int): the agent activated an entry of another contact.
    """

    contact_requested = Signal(int)

    def __init__(self, bench: Workbench, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("historyPane")
        self.model = HistoryModel(bench.jobs, bench.door.customers, bench.clock, bench.tz,
                                  parent=self)
        self.channel = compact_combo(QComboBox(self))
        self.channel.setObjectName("historyChannel")
        self.channel.setAccessibleName("History channel")
        self.channel.addItem("All channels", "")
        for ch in Channel:
            self.channel.addItem(channel_icon(ch), channel_label(ch), ch.value)
        self.channel.currentIndexChanged.connect(self._channel_chosen)
        self.status = shrinking_label(QLabel(self))
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.status.setObjectName("paneStatus")
        self.view = QListView(self)
        self.view.setObjectName("historyList")
        self.view.setModel(self.model)
        card_list(self.view, max_body_lines=2)
        self.view.activated.connect(self._activated)
        top = QHBoxLayout()
        top.setContentsMargins(8, 6, 8, 2)
        top.addWidget(self.channel)
        top.addWidget(self.status, 1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addLayout(top)
        box.addWidget(self.view, 1)
        for signal in (self.model.loading_changed, self.model.page_loaded,
                       self.model.modelReset):
            signal.connect(self._update_status)
        self._update_status()

    def show_customer(self, customer_id: int | None) -> None:
        """Shows the timeline of ``customer_id`` (None: an unknown caller, nothing to show)."""
        if customer_id != self.model.customer_id:
            self.model.set_customer(customer_id, self._chosen_channel())

    def reload(self) -> None:
        self.model.reload()

    def _chosen_channel(self) -> Channel | None:
        value = self.channel.currentData()
        return Channel(value) if value else None

    def _channel_chosen(self) -> None:
        if self.model.customer_id is not None:
            self.model.set_channel(self._chosen_channel())

    def _activated(self, index: QModelIndex) -> None:
        contact_id = index.data(ContactIdRole)
        if contact_id is not None:
            self.contact_requested.emit(int(contact_id))

    def _update_status(self) -> None:
        rows = self.model.rowCount()
        if self.model.customer_id is None:
            text = "No customer"
        elif self.model.loading:
            text = "Loading…"
        elif rows == 0:
            text = "No history"
        else:
            text = f"{rows}{'+' if self.model.canFetchMore() else ''} entries"
        self.status.setText(text)
