"""The Switchboard desktop window (PySide6): panes, item models, dialogs and workers."""

from ui.shell.refcounts import protect_singletons

# Before any Qt call: see ui/shell/refcounts.py (PySide6 6.12.0 over-releases None and True).
protect_singletons()
