"""The broadcast overlay: OverlayCanvas (the graphics, any size) and OverlayWindow (1920x1080
on a key colour, for OBS Window Capture)."""

from .canvas import OverlayCanvas
from .window import OverlayWindow

__all__ = ["OverlayCanvas", "OverlayWindow"]
