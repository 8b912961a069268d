"""Wenzheng Studio: a control room for live TV question sessions (百姓问政)."""

__version__ = "0.1.0"
