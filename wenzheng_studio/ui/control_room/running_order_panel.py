"""The running order: every segment, planned against actual, on air and next marked."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QHeaderView, QTableWidget,
                               QTableWidgetItem, QVBoxLayout)

from ..fonts import app_font
from .i18n import Translator
from .live_clock import fmt_duration
from .style import BLUE, DIM, ON_AIR, RED, TEXT, button, label

COLUMNS = ("#", "环节", "计划", "实际", "")
ROW_H = 34  # nine rows and the speakers below fit the left column at 1080 px


class RunningOrderPanel(QFrame):
    takeRequested = Signal()
    prevRequested = Signal()
    gotoRequested = Signal(int)
    holdRequested = Signal()
    endRequested = Signal()
    resumeRequested = Signal()
    selectionChanged = Signal()

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self.rows: list[dict[str, Any]] = []
        self._on_air = -1

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setFocusPolicy(Qt.NoFocus)  # arrow keys and Enter belong to the shortcuts
        self.table.setFont(app_font(16))
        self.table.horizontalHeader().setFont(app_font(13))
        self.table.verticalHeader().setDefaultSectionSize(ROW_H)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _col: self.gotoRequested.emit(row))

        self.take = button(tr("TAKE 下一环节"), "Enter / F12", 20, "take")
        self.take.setMinimumHeight(56)
        self.prev = button(tr("上一环节"), "Ctrl+←")
        self.goto = button(tr("跳到所选"), "Ctrl+G")
        self.hold = button(tr("保持本环节"), "H")
        self.end = button(tr("结束节目"), "Ctrl+E", object_name="danger")
        self.resume = button(tr("恢复直播"), "Ctrl+Shift+E", 15, "resume")  # only once the show has ended
        self.resume.setVisible(False)
        self.resume.clicked.connect(self.resumeRequested)
        self.table.itemSelectionChanged.connect(self.selectionChanged)
        self.take.clicked.connect(self.takeRequested)
        self.prev.clicked.connect(self.prevRequested)
        self.goto.clicked.connect(self._goto_selected)
        self.hold.clicked.connect(self.holdRequested)
        self.end.clicked.connect(self.endRequested)

        buttons = QGridLayout()
        buttons.addWidget(self.take, 0, 0, 1, 2)
        buttons.addWidget(self.prev, 1, 0)
        buttons.addWidget(self.goto, 1, 1)
        buttons.addWidget(self.hold, 2, 0)
        buttons.addWidget(self.end, 2, 1)
        buttons.addWidget(self.resume, 2, 1)  # takes the place of 结束节目 once the show has ended
        box = QVBoxLayout(self)
        box.addWidget(label(tr("节目流程"), 18, True))
        box.addWidget(self.table, 1)
        box.addLayout(buttons)

    def set_held(self, held: bool) -> None:
        self.hold.setText(f"{self.tr_('解除保持') if held else self.tr_('保持本环节')}  [H]")
        self.hold.setObjectName("danger" if held else "")
        self.hold.style().unpolish(self.hold)
        self.hold.style().polish(self.hold)

    def selected_index(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    def _goto_selected(self) -> None:
        if self.selected_index() >= 0:
            self.gotoRequested.emit(self.selected_index())

    def set_rows(self, rows: list[dict[str, Any]], status: str) -> None:
        """Rebuilds cell text and colours from a pushed state (cheap: nine rows)."""
        self.rows = rows
        if self.table.rowCount() != len(rows):
            self.table.setRowCount(len(rows))
            # every segment visible without scrolling
            self.table.setMinimumHeight(self.table.horizontalHeader().height() + ROW_H * len(rows) + 6)
            for r in range(len(rows)):
                for c in range(len(COLUMNS)):
                    self.table.setItem(r, c, QTableWidgetItem())
        self._on_air = -1
        for r, row in enumerate(rows):
            marker = ""
            bg, fg = QColor(0, 0, 0, 0), QColor(TEXT)
            if row.get("on_air"):
                marker, bg, self._on_air = self.tr_("播出"), QColor(ON_AIR), r
            elif row.get("next"):
                marker, bg = self.tr_("下一个"), QColor(BLUE).darker(250)
            elif status != "standby" and (r < self._on_air or self._on_air < 0) and row.get("actual_s", 0) > 0:
                fg = QColor(DIM)
            texts = (str(r + 1), str(row.get("title", "")), fmt_duration(row.get("planned_s", 0)),
                     fmt_duration(row.get("actual_s", 0)), marker)
            for c, text in enumerate(texts):
                item = self.table.item(r, c)
                item.setText(text)
                item.setBackground(QBrush(bg))
                item.setForeground(QBrush(fg))
            self._colour_actual(r, row.get("actual_s", 0))

    def tick(self, since_update: float) -> None:
        """Moves the on-air row's actual time on between pushes."""
        r = self._on_air
        if 0 <= r < len(self.rows):
            actual = self.rows[r].get("actual_s", 0) + since_update
            self.table.item(r, 3).setText(fmt_duration(actual))
            self._colour_actual(r, actual)

    def _colour_actual(self, r: int, actual: float) -> None:
        planned = self.rows[r].get("planned_s", 0)
        if actual > planned:
            self.table.item(r, 3).setForeground(QBrush(QColor(RED).lighter(130)))
