"""Switchboard's headless core: domain, store, services, sync, channels and CLI.

Nothing in this package imports Qt; it runs from a script, a test or a server.
"""

__version__ = "0.1.0"
