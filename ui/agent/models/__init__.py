"""Qt item models over service results: lazily paged, changed only on the GUI thread."""
