"""The few colours code needs (the rest live in resources/style/switchboard.qss).

One accent, neutral greys, and the warning/breach pairs chosen for contrast
(every foreground here reads at 4.5:1 or better on its background).
"""

from __future__ import annotations

ACCENT = "#2563a8"
ACCENT_SOFT = "#e8f0fa"
TEXT = "#1f2933"
MUTED = "#6b7684"
DETAIL_FG = "#4a5360"  # small secondary text that must read on the bubble tints
BORDER = "#d5dae1"
SURFACE = "#ffffff"
WINDOW = "#f4f5f7"
WARNING_FG = "#7a4a00"
WARNING_BG = "#ffefc2"
BREACH_FG = "#ffffff"
BREACH_BG = "#c0362c"
URGENT_FG = "#b42318"
HIGH_FG = "#9a5800"
NOTE_BG = "#fff8dc"
NOTE_BORDER = "#e8d9a0"
INBOUND_BG = "#f1f3f6"
OUTBOUND_BG = "#e4eefb"
MARK_BG = "#ffe27a"
OK_FG = "#1e7a3c"

STATE_COLOURS = {
    "available": "#1e8e3e",
    "on_contact": ACCENT,
    "wrap_up": "#b26b00",
    "break": "#7b5ea7",
    "offline": "#80868b",
}
