"""Per-element graphics controls beside the preview: 自动 / 显示 / 隐藏 for each overlay element.

The buttons show the engine's modes (state["overlay"]); a click sends `overlay.set` and the
next state push confirms it (a refused click leaves the engine's mode checked).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QButtonGroup, QFrame, QGridLayout, QHBoxLayout, QWidget

from .i18n import Translator
from .ranking_row import RankingBoardRow
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
        self.compact = False
        self._docked: QHBoxLayout | None = None  # where the ranking cue sits while compact
        self.modes: dict[str, str] = {e: "auto" for e, _ in ELEMENTS}
        self.buttons: dict[tuple[str, str], Any] = {}
        self.groups: dict[str, QButtonGroup] = {}
        self.grid = grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(3)
        self.heading = (label(tr("图文"), 16, True), label(tr("自动：按节目进程出现"), 12, False, DIM))
        # The heading row also holds the ranking board's cue (its own action, not a mode): no row of
        # height is taken from the votes below. The hint goes to the heading's tooltip while it does.
        self.ranking = RankingBoardRow(tr)
        self.ranking.setVisible(False)
        grid.addWidget(self.heading[0], 0, 0)
        grid.addWidget(self.heading[1], 0, 1, 1, 3)
        grid.addWidget(self.ranking, 0, 1, 1, 3)
        self.ranking.shownChanged.connect(self._ranking_shown)
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
        """Compact: no heading (the six names say what they are; the tooltip says the rest); the
        window docks the ranking cue in the preview's title row (dock_ranking)."""
        self.compact = on
        self.heading[0].setVisible(not on)
        self._ranking_shown(self.ranking.available)
        self.setToolTip(f"{self.tr_('图文')} — {self.tr_('自动：按节目进程出现')}" if on else "")

    def dock_ranking(self, row: QHBoxLayout | None) -> None:
        """Compact (1366×768): the ranking cue sits in `row` (the preview's title row), where it takes
        no height from the votes; None puts it back in this panel's heading row."""
        rb = self.ranking
        if row is self._docked:
            return
        (self._docked or self.grid).removeWidget(rb)
        if row is None:
            self.grid.addWidget(rb, 0, 1, 1, 3)
        else:
            row.insertWidget(1, rb, 1)
        self._docked = row
        rb.set_compact(row is not None)
        rb.setVisible(rb.available)

    def _ranking_shown(self, available: bool) -> None:
        self.ranking.setVisible(available)
        self.heading[1].setVisible(not available and not self.compact)
        self.heading[0].setToolTip(self.tr_("自动：按节目进程出现") if available else "")

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
