"""How quantities read for people: file sizes, the same in the window and on the command line."""

from __future__ import annotations

_UNITS = ("KB", "MB", "GB", "TB")


def human_size(size: int) -> str:
    """"512 bytes", "14 KB", "1.2 MB" (1 KB = 1,024 bytes, as mail clients count)."""
    if size < 1024:
        return "1 byte" if size == 1 else f"{max(size, 0):,} bytes"
    value, unit = size / 1024, _UNITS[0]
    for bigger in _UNITS[1:]:
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}" if value < 10 else f"{value:,.0f} {unit}"
