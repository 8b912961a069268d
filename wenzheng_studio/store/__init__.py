"""Persistence: SQLite through sqlite-utils, the one place SQL lives."""

from .db import Snapshot, Store

__all__ = ["Store", "Snapshot"]
