"""Colours and text helpers: dark room, high contrast, sizes readable from two metres."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from ..fonts import app_font

BG = "#101317"
PANEL = "#1a1f26"
TEXT = "#e8ecf1"
DIM = "#8b95a3"
GREEN = "#2ecc71"
AMBER = "#f5a623"
RED = "#ff3b30"
BLUE = "#3d8bfd"
ON_AIR = "#b3001b"
REHEARSAL = "#7b3fe4"  # 彩排: a colour nothing on air uses

TIMER_COLOURS = {"normal": GREEN, "warning": AMBER, "danger": RED, "over": RED}

STYLESHEET = f"""
QWidget {{ background: {BG}; color: {TEXT}; }}
QFrame#panel {{ background: {PANEL}; border-radius: 8px; }}
QLabel, QCheckBox {{ background: transparent; }}
QPushButton {{ background: #2a323d; border: 1px solid #3a4452; border-radius: 6px; padding: 6px 10px; }}
QPushButton#small {{ padding: 2px 8px; }}
QPushButton:hover {{ background: #34404e; }}
QPushButton:disabled {{ color: #5b6470; background: #20262e; }}
QPushButton#take {{ background: #b3001b; border-color: #e0223b; font-weight: bold; }}
QPushButton#danger {{ background: #5a1a1a; border-color: #8a2a2a; }}
QPushButton#take:disabled, QPushButton#danger:disabled {{ color: #5b6470; background: #20262e; border-color: #2c333d; }}
QTableWidget, QListWidget {{ background: {PANEL}; alternate-background-color: #222a34; gridline-color: #2c333d; border: none; }}
QHeaderView::section {{ background: #222830; color: {DIM}; border: none; padding: 4px; }}
QLineEdit, QSpinBox, QComboBox {{ background: #0c0f12; border: 1px solid #3a4452; border-radius: 4px; padding: 4px; }}
QCheckBox {{ spacing: 8px; }}
QCheckBox::indicator {{ width: 18px; height: 18px; border: 2px solid #aeb8c5; border-radius: 4px; background: #0c0f12; }}
QCheckBox::indicator:hover {{ border-color: {TEXT}; }}
QCheckBox::indicator:checked {{ background: {BLUE}; border-color: #9cc2ff; }}
QCheckBox::indicator:disabled {{ border-color: #4a525d; }}
QPushButton:checked {{ background: #3d5a80; border-color: #7fa7d9; color: #fff; font-weight: bold; }}
QPushButton#mode_show:checked {{ background: #1e7d46; border-color: {GREEN}; }}
QPushButton#mode_hide:checked {{ background: #8a2a2a; border-color: #d04a4a; }}
QPushButton#resume {{ background: #1e7d46; border-color: {GREEN}; font-weight: bold; }}
QLabel#hold_banner {{ background: {AMBER}; color: #000; border: 3px solid {RED}; border-radius: 6px; padding: 2px; }}
QLabel#rehearsal_badge {{ background: {REHEARSAL}; color: #fff; border-radius: 6px; padding: 6px 14px; }}
"""


def label(text: str = "", size: float = 16, bold: bool = False, colour: str | None = None,
          align=Qt.AlignLeft | Qt.AlignVCenter) -> QLabel:
    """A label that never interprets markup: names and viewer text stay plain."""
    lab = QLabel(text)
    lab.setTextFormat(Qt.PlainText)
    lab.setFont(app_font(size, bold))
    lab.setAlignment(align)
    if colour:
        lab.setStyleSheet(f"color: {colour};")
    return lab


def button(text: str, key_hint: str = "", size: float = 15, object_name: str = "") -> QPushButton:
    """A button that shows its shortcut and never takes keyboard focus (keys go to shortcuts)."""
    btn = QPushButton(f"{text}  [{key_hint}]" if key_hint else text)
    btn.setFont(app_font(size, bold=bool(object_name)))
    btn.setFocusPolicy(Qt.NoFocus)
    btn.setMinimumWidth(60)  # overrides the text's minimum: a long label never widens the window
    if object_name:
        btn.setObjectName(object_name)
    return btn


def set_colour(lab: QLabel, colour: str) -> None:
    if lab.property("colour") != colour:  # restyling is costly; only when it changes
        lab.setProperty("colour", colour)
        lab.setStyleSheet(f"color: {colour};")


# Compact (a 1366x768 screen): smaller type and tighter buttons, so every panel fits without
# scrolling the window. The sizes are scaled from each widget's own 1920x1080 size.
COMPACT_SCALE = 0.78
COMPACT_STYLESHEET = """
QPushButton { padding: 2px 3px; }
QPushButton#small { padding: 1px 4px; }
QLineEdit, QSpinBox, QComboBox { padding: 1px; }
QHeaderView::section { padding: 1px; }
QLabel#rehearsal_badge { padding: 2px 8px; }
"""


def scale_fonts(root, factor: float) -> None:
    """Every widget under `root` (and `root`) at `factor` times its full-size font; 1.0 restores it.
    The full size is remembered on the widget, so going back and forth never drifts."""
    from PySide6.QtWidgets import QWidget

    for w in [root, *root.findChildren(QWidget)]:
        base = w.property("base_pt")
        if base is None:
            base = w.font().pointSizeF()
            if base <= 0:
                continue
            w.setProperty("base_pt", base)
        size = round(float(base) * factor * 2) / 2
        if factor != 1.0 and w.property("compact_pt"):  # a size of its own when compact
            size = float(w.property("compact_pt"))
        if abs(w.font().pointSizeF() - size) > 0.01:
            f = w.font()
            f.setPointSizeF(size)
            w.setFont(f)
