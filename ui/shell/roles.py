"""Custom item-data roles shared by the models and the two-line delegate."""

from __future__ import annotations

from PySide6.QtCore import Qt

_BASE = Qt.ItemDataRole.UserRole

# The id of the contact a row stands for (int).
ContactIdRole = _BASE + 1
# The service object behind a row (ContactRow, TimelineEntry, RenderedTemplate, ArticleHit).
ObjectRole = _BASE + 2
# The SLA state of an inbox row (a ui.shell.timefmt.SlaState value).
SlaStateRole = _BASE + 3
# The service sort key of an inbox column (str).
SortKeyRole = _BASE + 4
# Two-line delegate: the small right-aligned text on the first line (time, category).
MetaRole = _BASE + 10
# Two-line delegate: the body under the title, as Qt rich text (already escaped).
BodyRole = _BASE + 11
# Two-line delegate: how the item is tinted: "warning" (a problem), "note" (internal), or None.
ToneRole = _BASE + 12
