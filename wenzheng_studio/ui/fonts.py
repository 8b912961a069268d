"""Registers the CJK font shipped in assets/fonts/ so Chinese never renders as boxes."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

from ..paths import fonts_dir

FAMILY_FALLBACK = "Noto Sans SC"
_loaded: list[str] = []


def load_app_fonts() -> str:
    """Loads the bundled fonts once (needs a QGuiApplication) and returns the family name."""
    if _loaded:
        return _loaded[0]
    family = FAMILY_FALLBACK
    for path in sorted(fonts_dir().glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(path))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if families:
            family = families[0]
    _loaded.append(family)
    return family


def app_font(point_size: float = 11, bold: bool = False) -> QFont:
    font = QFont(load_app_fonts())
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font
