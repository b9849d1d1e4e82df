"""Channels: how customers' messages come in and agents' replies go out (no Qt)."""
