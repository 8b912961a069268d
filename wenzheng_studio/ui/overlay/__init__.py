"""The broadcast overlay: OverlayCanvas (the graphics, any size) and OverlayWindow (1920x1080
on a key colour, for OBS Window Capture)."""

from . import none_guard  # noqa: F401  (first: PySide6 6.12 drops a reference to None per void call)
from .canvas import OverlayCanvas
from .window import OverlayWindow

__all__ = ["OverlayCanvas", "OverlayWindow"]
