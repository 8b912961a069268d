"""Persistence: SQLite through sqlite-utils, the one place SQL lives."""

from .db import Snapshot, Store
from .integrity import StoreDamaged
from .lock import StoreLocked, read_holder

__all__ = ["Store", "Snapshot", "StoreLocked", "StoreDamaged", "read_holder"]
