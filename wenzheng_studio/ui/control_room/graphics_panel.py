"""Per-element graphics controls beside the preview: 自动 / 显示 / 隐藏 for each overlay element.

The buttons show the engine's modes (state["overlay"]); a click sends `overlay.set` and the
next state push confirms it (a refused click leaves the engine's mode checked).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QWidget

from .i18n import Translator
from .style import DIM, button, label

ELEMENTS = (("question", "问题"), ("lower_third", "人名条"), ("timer", "计时"),
            ("tally", "票数"), ("qr", "二维码"), ("bug", "台标"))
MODES = (("auto", "自动"), ("show", "显示"), ("hide", "隐藏"))


class GraphicsPanel(QFrame):
    modeRequested = Signal(str, str)  # element, mode

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self.modes: dict[str, str] = {e: "auto" for e, _ in ELEMENTS}
        self.buttons: dict[tuple[str, str], Any] = {}
        self.groups: dict[str, QButtonGroup] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        self.heading = (label(tr("图文"), 16, True), label(tr("自动：按节目进程出现"), 12, False, DIM))
        grid.addWidget(self.heading[0], 0, 0, 1, 2)
        grid.addWidget(self.heading[1], 0, 2, 1, 2)
        for i, (element, name) in enumerate(ELEMENTS):
            row, col = 1 + i // 2, (i % 2) * 2
            grid.addWidget(label(tr(name), 14, False), row, col)
            cell = QWidget()
            line = QHBoxLayout(cell)
            line.setContentsMargins(0, 0, 0, 0)
            line.setSpacing(0)
            group = QButtonGroup(self)
            group.setExclusive(True)
            for mode, words in MODES:
                b = button(tr(words), size=12)
                b.setCheckable(True)
                b.setObjectName(f"mode_{mode}")
                b.setMinimumWidth(44)
                b.setProperty("element", element)
                b.clicked.connect(lambda _=False, e=element, m=mode: self._clicked(e, m))
                group.addButton(b)
                line.addWidget(b)
                self.buttons[(element, mode)] = b
            self.groups[element] = group
            grid.addWidget(cell, row, col + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.set_modes({})

    def set_compact(self, on: bool) -> None:
        """Compact: no heading row (the six names say what they are; the tooltip says the rest)."""
        for lab in self.heading:
            lab.setVisible(not on)
        self.setToolTip(f"{self.tr_('图文')} — {self.tr_('自动：按节目进程出现')}" if on else "")

    def _clicked(self, element: str, mode: str) -> None:
        self._check(element, self.modes.get(element, "auto"))  # the engine's push moves the check
        if mode != self.modes.get(element):
            self.modeRequested.emit(element, mode)

    def _check(self, element: str, mode: str) -> None:
        b = self.buttons.get((element, mode)) or self.buttons[(element, "auto")]
        b.setChecked(True)

    def set_modes(self, overlay: dict[str, Any]) -> None:
        for element, _ in ELEMENTS:
            mode = str((overlay or {}).get(element) or "auto")
            self.modes[element] = mode
            self._check(element, mode)

    def set_enabled(self, on: bool) -> None:
        for b in self.buttons.values():
            b.setEnabled(on)

    def mode_shown(self, element: str) -> str:
        """Which mode is checked for `element` (what the director sees)."""
        return next((m for m, _ in MODES if self.buttons[(element, m)].isChecked()), "")


__all__ = ["GraphicsPanel", "ELEMENTS", "MODES"]
