"""The Administration window: tabs for agents, queues, greeting templates and channel accounts.

It talks to the services as the signed-in admin (console.security.guard), so
every change is checked against the permission matrix and audited with the
admin's name. Changes made elsewhere arrive through the change feed.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from ui.admin.agents_tab import AgentsTab
from ui.admin.channels_tab import ChannelsTab
from ui.admin.common import AdminTab
from ui.admin.queues_tab import QueuesTab
from ui.admin.templates_tab import TemplatesTab
from ui.shell.change_feed import ChangeFeed
from ui.shell.context import Workbench
from ui.widgets.banner import Banner

# Which tabs a changed entity concerns (change-log entity names); the Agents
# tab offers the queues in its "New agent" form, the Channels tab in its "Add"
# dialog, and shows each account's queued and failed replies (deliveries).
TABS_FOR = {"agent": ("agents",), "queue": ("queues", "agents", "channels"),
            "template": ("templates",), "channel": ("channels",), "delivery": ("channels",)}


class AdminWindow(QDialog):
    """Agents, queues, templates and channel accounts for administrators.

    Args:
        bench: services, jobs, the signed-in admin, clock and time zone.
        feed: the console's change feed (None: refresh only after own changes).
        parent: the owning widget.
    """

    def __init__(self, bench: Workbench, feed: ChangeFeed | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("adminWindow")
        self.setWindowTitle("Switchboard — administration")
        self.bench = bench
        self.guarded = bench.door
        self.banner = Banner(self)
        self.agents = AgentsTab(self.guarded, bench.jobs, self)
        self.queues = QueuesTab(self.guarded, bench.jobs, self)
        self.templates = TemplatesTab(self.guarded, bench, self)
        self.channels = ChannelsTab(self.guarded, bench, self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        for tab, title in ((self.agents, "&Agents"), (self.queues, "&Queues"),
                           (self.templates, "&Greeting templates"), (self.channels, "&Channels")):
            self.tabs.addTab(tab, title)
            tab.done.connect(self.banner.info)
        self.queues.done.connect(lambda _m: self.agents.refresh())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 8)
        box.addWidget(self.banner)
        inner = QVBoxLayout()
        inner.setContentsMargins(12, 8, 12, 0)
        inner.addWidget(self.tabs, 1)
        inner.addWidget(buttons)
        box.addLayout(inner, 1)
        if feed is not None:
            feed.entities_changed.connect(self._changed)

    def all_tabs(self) -> dict[str, AdminTab]:
        return {"agents": self.agents, "queues": self.queues, "templates": self.templates,
                "channels": self.channels}

    def start(self) -> None:
        """Loads every tab."""
        for tab in self.all_tabs().values():
            tab.refresh()

    def _changed(self, grouped: dict[str, set[str]]) -> None:
        tabs = self.all_tabs()
        for name in {t for e in grouped for t in TABS_FOR.get(e, ())}:
            tabs[name].refresh()
