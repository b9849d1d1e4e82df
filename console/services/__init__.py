"""Services: the plain-Python API the UI and the CLI call. Each returns dataclasses."""
