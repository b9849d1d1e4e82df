"""Sync between workstations: waking on changes (LISTEN/NOTIFY or polling) and following the log."""
