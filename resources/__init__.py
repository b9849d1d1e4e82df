"""Shipped resources: stylesheets, icons, demo content, default templates and KB articles."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent


def path(*parts: str) -> Path:
    """The path of a shipped resource file, e.g. ``path("templates", "greetings.toml")``."""
    return ROOT.joinpath(*parts)
