"""Keeps None, True and False alive under PySide6 6.12.0 on Python 3.11.

PySide6 6.12.0 hands back None from every void method (``label.setText``,
``painter.save``...) and from every invalid QVariant (``index.data(role)``)
without taking a reference, and True from ``Signal.emit()`` likewise. On
Python 3.12+ these singletons are immortal (PEP 683) and nothing happens; on
3.11 each call costs the singleton one reference, and a window that paints and
ticks all day runs the count to zero within minutes: the process aborts with
"none_dealloc" or "bool_dealloc". The cure is what 3.12 does: give the three
singletons a reference count they cannot run down (2**40: a million calls a
second for twelve days). They are never freed anyway, so nothing else changes.
"""

from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 40


def protect_singletons() -> bool:
    """Tops up the counts of None, True and False once; False where it is not needed."""
    if sys.version_info >= (3, 12) or hasattr(sys, "gettotalrefcount"):
        return False  # immortal already, or a debug build whose object header differs
    for singleton in (None, True, False):
        refcount = ctypes.c_ssize_t.from_address(id(singleton))  # ob_refcnt, the first field
        if refcount.value < RESERVE:
            refcount.value += RESERVE
    return True
