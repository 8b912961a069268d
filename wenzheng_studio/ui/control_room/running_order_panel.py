"""The running order: every segment, planned against actual, on air and next marked.

Edited in place (issue 13): double-click a title or a planned time to change it, drag a row
to move it, 插入/删除 below the table; the panel only asks — the window sends the control
action (with its confirmation and its undo) and the engine's state push redraws the rows.
"""

from __future__ import annotations

from typing import Any

import time

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QTableWidgetItem,
                               QVBoxLayout)

from ..fonts import app_font
from .edit_widgets import CommitDelegate, DragTable
from .edits import fmt_planned
from .i18n import Translator
from .live_clock import fmt_duration
from .style import BLUE, DIM, ON_AIR, RED, TEXT, button, label

COLUMNS = ("#", "环节", "计划", "实际", "")
ROW_H = 34  # nine rows and the speakers below fit the left column at 1080 px
VISIBLE_ROWS = 9  # more rows than this scroll, with the on-air and next rows kept in view
EDIT_COLUMNS = {1: "title", 2: "planned"}  # double-click edits these; the other columns go to the segment
RETURN_AFTER_S = 8.0  # scrolled away by hand: back to the on-air row after this long untouched


class RunningOrderPanel(QFrame):
    takeRequested = Signal()
    prevRequested = Signal()
    gotoRequested = Signal(int)
    holdRequested = Signal()
    endRequested = Signal()
    resumeRequested = Signal()
    selectionChanged = Signal()
    editRequested = Signal(int, int)  # row, column: a double-click on a title or planned time
    renameRequested = Signal(int, str)  # row, new title
    retimeRequested = Signal(int, str)  # row, planned time as typed (mm:ss)
    moveRequested = Signal(int, int)  # row, where it goes
    insertRequested = Signal()
    removeRequested = Signal()
    undoRequested = Signal()

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self.rows: list[dict[str, Any]] = []
        self.row_h, self.visible_rows = ROW_H, VISIBLE_ROWS  # fewer, lower rows when compact
        self._on_air = -1
        self._next = -1
        self._in_view: tuple = ()
        self._touched_at = 0.0

        self.table = DragTable(0, len(COLUMNS))
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
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.delegate = CommitDelegate(self.table)
        for column in EDIT_COLUMNS:
            self.table.setItemDelegateForColumn(column, self.delegate)
        # Queued: a confirmation (是/否) opens after the cell editor has closed, not inside it.
        self.delegate.edited.connect(self._edited, Qt.QueuedConnection)
        self.table.moved.connect(self.moveRequested, Qt.QueuedConnection)
        self.table.verticalScrollBar().actionTriggered.connect(self._touched)
        self.keeper = QTimer(self)
        self.keeper.timeout.connect(self._return_to_on_air)
        self.keeper.start(1000)

        self.take = button(tr("TAKE 下一环节"), "Enter / F12", 20, "take")
        self.take.setMinimumHeight(56)
        self.prev = button(tr("上一环节"), "Ctrl+←")
        self.goto = button(tr("跳到所选"), "Ctrl+G")
        self.hold = button(tr("保持本环节"), "H")
        self.end = button(tr("结束节目"), "Ctrl+E", object_name="danger")
        self.resume = button(tr("恢复直播"), "Ctrl+Shift+E", 15, "resume")  # only once the show has ended
        self.resume.setVisible(False)
        # In the title row: editing costs no height of the left column.
        self.insert = button(tr("插入"), "Ins", 13)
        self.remove = button(tr("删除"), "Del", 13)
        self.undo = button(tr("撤销"), "Ctrl+Z", 13)
        for b in (self.insert, self.remove, self.undo):
            b.setObjectName("small")
        self.insert.clicked.connect(self.insertRequested)
        self.remove.clicked.connect(self.removeRequested)
        self.undo.clicked.connect(self.undoRequested)
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
        head = QHBoxLayout()
        head.addWidget(label(tr("节目流程"), 18, True))
        head.addStretch(1)
        for b in (self.insert, self.remove, self.undo):
            head.addWidget(b)
        box = QVBoxLayout(self)
        box.addLayout(head)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)

    def _fit_height(self) -> None:
        # nine segments visible without scrolling (seven when compact); more scroll, the
        # on-air and next rows kept in view
        shown = max(1, min(self.table.rowCount(), self.visible_rows))
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + self.row_h * shown + 6)

    def set_compact(self, on: bool, tight: bool = False) -> None:
        """A 1366x768 screen: lower rows, seven in view (six when tight), a lower TAKE button."""
        self.row_h, self.visible_rows = (26, 6 if tight else 7) if on else (ROW_H, VISIBLE_ROWS)
        self.table.verticalHeader().setDefaultSectionSize(self.row_h)
        self.take.setMinimumHeight(40 if on else 56)
        self._fit_height()
        if self._on_air >= 0:
            self.keep_in_view()

    def set_held(self, held: bool) -> None:
        self.hold.setText(f"{self.tr_('解除保持') if held else self.tr_('保持本环节')}  [H]")
        self.hold.setObjectName("danger" if held else "")
        self.hold.style().unpolish(self.hold)
        self.hold.style().polish(self.hold)

    def selected_index(self) -> int:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    # --- editing --------------------------------------------------------------------------
    def set_editable(self, on: bool) -> None:
        """Rows can be dragged only when editing is possible (actions.py: segment_edit)."""
        self.table.set_draggable(on)

    def _double_clicked(self, row: int, column: int) -> None:
        if column in EDIT_COLUMNS:
            self.editRequested.emit(row, column)  # the window checks, then start_edit()
        else:
            self.gotoRequested.emit(row)

    def start_edit(self, row: int, column: int) -> None:
        """Opens the cell editor on a title (column 1) or a planned time (column 2)."""
        item = self.table.item(row, column)
        if item is not None and column in EDIT_COLUMNS:
            self._touched()
            self.table.editItem(item)

    def editor(self):
        """The open cell editor (a QLineEdit), or None."""
        index = self.table.currentIndex()
        return self.table.indexWidget(index) if index.isValid() else None

    def _edited(self, row: int, column: int, text: str) -> None:
        if not 0 <= row < len(self.rows):
            return
        if EDIT_COLUMNS.get(column) == "title" and text.strip() != str(self.rows[row].get("title", "")):
            self.renameRequested.emit(row, text.strip())
        elif EDIT_COLUMNS.get(column) == "planned" and text.strip() != fmt_planned(self.rows[row].get("planned_s", 0)):
            self.retimeRequested.emit(row, text.strip())

    def move(self, row: int, to: int) -> None:
        """What a drag of `row` onto place `to` asks for (also for the keyboard and the tests)."""
        if row != to:
            self.moveRequested.emit(row, to)

    def select(self, row: int) -> None:
        if 0 <= row < self.table.rowCount():
            self.table.selectRow(row)

    # --- the on-air and next rows stay in view ------------------------------------------------
    def _touched(self, *_args) -> None:
        self._touched_at = time.monotonic()

    def keep_in_view(self) -> None:
        """Scrolls so the next row and then the on-air row are visible (the on-air row wins)."""
        if self.table.state() in (QAbstractItemView.EditingState, QAbstractItemView.DraggingState):
            return
        for r in (self._next, self._on_air):
            if 0 <= r < self.table.rowCount():
                self.table.scrollToItem(self.table.item(r, 0), QAbstractItemView.EnsureVisible)

    def rows_in_view(self) -> list[int]:
        top = self.table.rowAt(0)
        bottom = self.table.rowAt(self.table.viewport().height() - 1)
        if top < 0:
            return []
        return list(range(top, (bottom if bottom >= 0 else self.table.rowCount() - 1) + 1))

    def _return_to_on_air(self) -> None:
        if time.monotonic() - self._touched_at >= RETURN_AFTER_S and self._on_air >= 0:
            if self._on_air not in self.rows_in_view() or (self._next >= 0 and self._next not in self.rows_in_view()):
                self.keep_in_view()

    def _goto_selected(self) -> None:
        if self.selected_index() >= 0:
            self.gotoRequested.emit(self.selected_index())

    def set_rows(self, rows: list[dict[str, Any]], status: str) -> None:
        """Rebuilds cell text and colours from a pushed state (cheap: nine rows)."""
        self.rows = rows
        if self.table.rowCount() != len(rows):
            self.table.setRowCount(len(rows))
            self._fit_height()
            for r in range(len(rows)):
                for c in range(len(COLUMNS)):
                    if self.table.item(r, c) is None:
                        item = QTableWidgetItem()
                        if c not in EDIT_COLUMNS:
                            item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                        self.table.setItem(r, c, item)
        self._on_air = self._next = -1
        for r, row in enumerate(rows):
            marker = ""
            bg, fg = QColor(0, 0, 0, 0), QColor(TEXT)
            if row.get("on_air"):
                marker, bg, self._on_air = self.tr_("播出"), QColor(ON_AIR), r
            elif row.get("next"):
                marker, bg, self._next = self.tr_("下一个"), QColor(BLUE).darker(250), r
            elif status != "standby" and (r < self._on_air or self._on_air < 0) and row.get("actual_s", 0) > 0:
                fg = QColor(DIM)
            texts = (str(r + 1), str(row.get("title", "")), fmt_duration(row.get("planned_s", 0)),
                     fmt_duration(row.get("actual_s", 0)), marker)
            for c, text in enumerate(texts):
                item = self.table.item(r, c)
                item.setText(text)
                item.setBackground(QBrush(bg))
                item.setForeground(QBrush(fg))
            # what the cell editor starts with: mm:ss, as the engine takes it, even past an hour
            self.table.item(r, 2).setData(Qt.UserRole, fmt_planned(row.get("planned_s", 0)))
            self._colour_actual(r, row.get("actual_s", 0))
        in_view = (len(rows), self._on_air, self._next)
        if in_view != self._in_view:  # a TAKE, an insert or a move: the on-air and next rows in view
            self._in_view = in_view
            self.keep_in_view()

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
