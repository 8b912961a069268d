"""Speakers of the segment on air; who is speaking drives the overlay's lower third.

Edited in place (issue 13): double-click a name, title or unit to change it, drag a row to
move it, 添加/删除 below; double-click the ▶ column to make that person the speaker.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QGridLayout, QHBoxLayout, QHeaderView, QTableWidgetItem,
                               QVBoxLayout)

from ..fonts import app_font
from .edit_widgets import CommitDelegate, DragTable
from .i18n import Translator
from .style import DIM, ON_AIR, TEXT, button, label


COLUMNS = ("", "姓名", "职务", "单位")
EDIT_COLUMNS = {1: "name", 2: "title", 3: "unit"}
ROW_H = 32


class SpeakersPanel(QFrame):
    actionRequested = Signal(str, dict)  # control action, fields
    editRequested = Signal(int, int)  # row, column: a double-click on a name, title or unit
    updateRequested = Signal(int, str, str)  # row, field (name/title/unit), new text
    moveRequested = Signal(int, int)  # row, where it goes
    insertRequested = Signal()
    removeRequested = Signal()
    selectionChanged = Signal()

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self._key: tuple = ()
        self.current = -1

        self.speakers: list[dict[str, Any]] = []
        self.table = DragTable(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_H)
        self.table.setFont(app_font(17))
        self.table.horizontalHeader().setFont(app_font(12))
        self.table.setMinimumHeight(3 * ROW_H + 30)  # scrolls to whoever is speaking
        self.table.setFocusPolicy(Qt.NoFocus)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setShowGrid(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.Stretch)
        self.table.cellDoubleClicked.connect(self._double_clicked)
        self.table.itemSelectionChanged.connect(self.selectionChanged)
        self.delegate = CommitDelegate(self.table)
        for column in EDIT_COLUMNS:
            self.table.setItemDelegateForColumn(column, self.delegate)
        self.delegate.edited.connect(self._edited, Qt.QueuedConnection)
        self.table.moved.connect(self.moveRequested, Qt.QueuedConnection)
        self.empty = label(tr("本环节没有发言人"), 16, False, DIM, Qt.AlignCenter)

        self.next = button(tr("下一位"), "N", 17, "take")
        self.prev = button(tr("上一位"), "Shift+N")
        self.toggle = button(tr("开始/暂停计时"), "Space", 15)
        self.plus = button(tr("加 10 秒"), "=")
        self.minus = button(tr("减 10 秒"), "-")
        self.reset = button(tr("重置计时"), "Shift+R")
        self.clear = button(tr("清除发言人"), "C")
        self.insert = button(tr("添加"), "Shift+Ins", 13)  # in the title row, like the running order's
        self.remove = button(tr("删除"), "Shift+Del", 13)
        for b in (self.insert, self.remove):
            b.setObjectName("small")
        self.insert.clicked.connect(self.insertRequested)
        self.remove.clicked.connect(self.removeRequested)
        self.next.clicked.connect(lambda: self.actionRequested.emit("speaker.next", {}))
        self.prev.clicked.connect(self.previous)
        self.toggle.clicked.connect(lambda: self.actionRequested.emit("timer.toggle", {}))
        self.plus.clicked.connect(lambda: self.actionRequested.emit("timer.add", {"seconds": 10}))
        self.minus.clicked.connect(lambda: self.actionRequested.emit("timer.add", {"seconds": -10}))
        self.reset.clicked.connect(lambda: self.actionRequested.emit("timer.reset", {}))
        self.clear.clicked.connect(lambda: self.actionRequested.emit("speaker.clear", {}))

        grid = QGridLayout()  # three rows: the panel shares a column with the running order
        grid.addWidget(self.next, 0, 0, 1, 3)
        grid.addWidget(self.toggle, 0, 3, 1, 3)
        grid.addWidget(self.prev, 1, 0, 1, 3)
        grid.addWidget(self.clear, 1, 3, 1, 3)
        for col, b in enumerate((self.plus, self.minus, self.reset)):
            grid.addWidget(b, 2, col * 2, 1, 2)
        head = QHBoxLayout()
        head.addWidget(label(tr("发言人"), 18, True))
        head.addStretch(1)
        head.addWidget(self.insert)
        head.addWidget(self.remove)
        box = QVBoxLayout(self)
        box.addLayout(head)
        box.addWidget(self.table, 1)
        box.addWidget(self.empty)
        box.addLayout(grid)

    def set_compact(self, on: bool, tight: bool = False) -> None:
        """A 1366x768 screen: lower rows; tight (maximized there), two rows before it scrolls."""
        row_h = 26 if on else ROW_H
        self.table.verticalHeader().setDefaultSectionSize(row_h)
        self.table.setMinimumHeight((2 if tight else 3) * row_h + (22 if on else 30))

    def previous(self) -> None:
        if self.current > 0:
            self.actionRequested.emit("speaker.goto", {"index": self.current - 1})

    # --- editing --------------------------------------------------------------------------
    def set_editable(self, on: bool) -> None:
        self.table.set_draggable(on)

    def _double_clicked(self, row: int, column: int) -> None:
        if column in EDIT_COLUMNS:
            self.editRequested.emit(row, column)  # the window checks, then start_edit()
        else:
            self.actionRequested.emit("speaker.goto", {"index": row})

    def start_edit(self, row: int, column: int) -> None:
        item = self.table.item(row, column)
        if item is not None and column in EDIT_COLUMNS:
            self.table.editItem(item)

    def _edited(self, row: int, column: int, text: str) -> None:
        name = EDIT_COLUMNS.get(column)
        if name and 0 <= row < len(self.speakers) and text.strip() != str(self.speakers[row].get(name, "")):
            self.updateRequested.emit(row, name, text.strip())

    def move(self, row: int, to: int) -> None:
        if row != to:
            self.moveRequested.emit(row, to)

    def selected_index(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def select(self, row: int) -> None:
        if 0 <= row < self.table.rowCount():
            self.table.selectRow(row)

    def marker(self, row: int) -> str:
        item = self.table.item(row, 0)
        return item.text() if item else ""

    def row_text(self, row: int) -> str:
        """"王建国   局长   市城市管理局" — the row as one line (as the list showed it)."""
        return "   ".join(t for t in (self.table.item(row, c).text() for c in EDIT_COLUMNS) if t)

    def set_speakers(self, speakers: list[dict[str, Any]], speaker: dict[str, Any] | None) -> None:
        self.current = speaker.get("index", -1) if isinstance(speaker, dict) else -1
        self.speakers = speakers
        key = tuple((s.get("name"), s.get("title"), s.get("unit")) for s in speakers)
        if key != self._key:  # rebuild only when the segment's speakers change
            self._key = key
            if self.table.rowCount() != len(speakers):
                self.table.setRowCount(len(speakers))
            for r, s in enumerate(speakers):
                for c in range(len(COLUMNS)):
                    item = self.table.item(r, c)
                    if item is None:
                        item = QTableWidgetItem()
                        if c not in EDIT_COLUMNS:
                            item.setFlags(item.flags() & ~Qt.ItemIsEditable)
                        self.table.setItem(r, c, item)
                    if c in EDIT_COLUMNS:
                        item.setText(str(s.get(EDIT_COLUMNS[c], "")))
        for r in range(self.table.rowCount()):
            on = r == self.current
            bg = QBrush(QColor(ON_AIR) if on else QColor(0, 0, 0, 0))
            fg = QBrush(QColor(TEXT) if on or r > self.current else QColor(DIM))
            self.table.item(r, 0).setText("▶" if on else "")
            for c in range(len(COLUMNS)):
                self.table.item(r, c).setBackground(bg)
                self.table.item(r, c).setForeground(fg)
        has = bool(speakers)
        self.table.setVisible(has)
        self.empty.setVisible(not has)  # the buttons' enabled state comes from actions.py
        if 0 <= self.current < self.table.rowCount() and self.table.state() == QAbstractItemView.NoState:
            self.table.scrollToItem(self.table.item(self.current, 0))
