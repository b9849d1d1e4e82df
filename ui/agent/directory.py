"""Reference data the window keeps at hand: queues, agents and disposition codes.

Loaded once off the GUI thread and again when the change feed says one of
them changed, so dialogs open instantly with current choices.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from console.domain import AgentInfo, Disposition, QueueInfo
from console.security.guard import Door
from ui.shell.jobs import Jobs

ENTITIES = frozenset({"queue", "agent", "disposition"})


@dataclass(frozen=True)
class Reference:
    """Everything the directory holds."""

    queues: tuple[QueueInfo, ...] = ()
    agents: tuple[AgentInfo, ...] = ()
    dispositions: tuple[Disposition, ...] = ()
    warning_ratios: dict[int, float] = field(default_factory=dict)


def load_reference(door: Door) -> Reference:
    """Worker thread: reads the three lists."""
    queues = tuple(door.agents.queues())
    return Reference(queues, tuple(door.agents.list()),
                     tuple(door.inbox.dispositions()),
                     {q.id: q.warning_ratio for q in queues})


class Directory(QObject):
    """Queues, agents and dispositions, refreshed when they change.

    Args:
        jobs: runs the reads off the GUI thread.
        door: the signed-in person's door to the services.
        parent: the owning QObject.

    Signals:
        loaded(object): the new Reference.
    """

    loaded = Signal(object)

    def __init__(self, jobs: Jobs, door: Door, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs, self._door = jobs, door
        self.reference = Reference()
        self.ready = False

    def load(self) -> None:
        self._jobs.read(load_reference, self._door, key=f"directory:{id(self)}",
                        on_success=self._arrived)

    def _arrived(self, reference: Reference) -> None:
        self.reference, self.ready = reference, True
        self.loaded.emit(reference)

    def entities_changed(self, changed: dict[str, Collection[str]]) -> None:
        if ENTITIES & changed.keys():
            self.load()
