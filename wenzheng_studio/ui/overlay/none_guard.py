"""Keeps PySide6 6.12 from killing the process on CPython 3.11.

Measured here (PySide6-Essentials 6.12.0, CPython 3.11.7): every call of a Qt method that
returns void (QPainter.setPen, QTimer.setInterval, QObject.setObjectName, ...) lowers
None's reference count by one. A painter that animates at 50 fps makes hundreds of such
calls a frame, so within seconds the count reaches zero and CPython aborts with "Fatal
Python error: none_dealloc". CPython 3.12+ makes None immortal (PEP 683), which hides the
bug; on 3.11 we do the same by hand: give None a reference count that no run can use up.
"""

from __future__ import annotations

import ctypes
import sys

HEADROOM = 1 << 60  # ~10^18 lost references: centuries of painting at 50 fps


def immortalize_none() -> bool:
    """Raises None's reference count out of reach once; True when it did."""
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False  # None is immortal there already
    if hasattr(sys, "gettotalrefcount"):
        return False  # debug build: the object header has other fields first
    refcount = ctypes.c_ssize_t.from_address(id(None))  # ob_refcnt is the header's first field
    if refcount.value >= HEADROOM:
        return False
    refcount.value += HEADROOM
    return True


immortalize_none()
