"""Speakers of the segment on air; who is speaking drives the overlay's lower third."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QFrame, QGridLayout, QListWidget, QListWidgetItem, QVBoxLayout

from ..fonts import app_font
from .i18n import Translator
from .style import DIM, ON_AIR, TEXT, button, label


class SpeakersPanel(QFrame):
    actionRequested = Signal(str, dict)  # control action, fields

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self._key: tuple = ()
        self.current = -1

        self.list = QListWidget()
        self.list.setFont(app_font(18))
        self.list.setMinimumHeight(3 * 32)  # scrolls to whoever is speaking
        self.list.setFocusPolicy(Qt.NoFocus)
        self.list.setSelectionMode(QAbstractItemView.NoSelection)
        self.list.itemDoubleClicked.connect(lambda item: self.actionRequested.emit(
            "speaker.goto", {"index": self.list.row(item)}))
        self.empty = label(tr("本环节没有发言人"), 16, False, DIM, Qt.AlignCenter)

        self.next = button(tr("下一位"), "N", 17, "take")
        self.prev = button(tr("上一位"), "Shift+N")
        self.toggle = button(tr("开始/暂停计时"), "Space", 15)
        self.plus = button(tr("加 10 秒"), "=")
        self.minus = button(tr("减 10 秒"), "-")
        self.reset = button(tr("重置计时"), "Shift+R")
        self.clear = button(tr("清除发言人"), "C")
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
        box = QVBoxLayout(self)
        box.addWidget(label(tr("发言人"), 18, True))
        box.addWidget(self.list, 1)
        box.addWidget(self.empty)
        box.addLayout(grid)

    def previous(self) -> None:
        if self.current > 0:
            self.actionRequested.emit("speaker.goto", {"index": self.current - 1})

    def set_speakers(self, speakers: list[dict[str, Any]], speaker: dict[str, Any] | None) -> None:
        self.current = speaker.get("index", -1) if isinstance(speaker, dict) else -1
        key = tuple((s.get("name"), s.get("unit")) for s in speakers)
        if key != self._key:  # rebuild only when the segment's speakers change
            self._key = key
            self.list.clear()
            for s in speakers:
                parts = [s.get("name", ""), s.get("title", ""), s.get("unit", "")]
                item = QListWidgetItem()
                item.setData(Qt.UserRole, "   ".join(p for p in parts if p))
                self.list.addItem(item)
        for i in range(self.list.count()):
            item = self.list.item(i)
            on = i == self.current
            item.setBackground(QBrush(QColor(ON_AIR) if on else QColor(0, 0, 0, 0)))
            item.setForeground(QBrush(QColor(TEXT) if on or i > self.current else QColor(DIM)))
            item.setText(("▶ " if on else "   ") + item.data(Qt.UserRole))
        has = bool(speakers)
        self.list.setVisible(has)
        self.empty.setVisible(not has)  # the buttons' enabled state comes from actions.py
        if 0 <= self.current < self.list.count():
            self.list.scrollToItem(self.list.item(self.current))
