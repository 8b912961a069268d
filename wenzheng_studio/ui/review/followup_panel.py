"""Follow-up after the show: referrals sorted by due date, overdue ones in red; record
the unit's reply, the A/B/C result and the callback with the citizen's satisfaction."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ...core.followup import RESULTS, SATISFACTION, days_left, followup_list, is_overdue
from ..roles import refusal
from .model import SOURCE_NAMES, QuestionsModel

COLUMNS = ["期限", "剩余", "编号", "来源", "转办单位", "问题", "类型", "单位回复", "结果", "回访"]


class FollowupPanel(QWidget):
    def __init__(self, model: QuestionsModel, today: Callable[[], date] = date.today, parent=None):
        super().__init__(parent)
        self.model, self.today = model, today
        self.summary = QLabel()
        self.summary.setStyleSheet("font-size:15px; font-weight:bold;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(5, QHeaderView.Stretch)
        self.reply = QLineEdit(placeholderText="单位书面回复")
        self.reply_button = QPushButton("录入回复")
        self.result = QComboBox()
        for key, label in RESULTS.items():
            self.result.addItem(f"{key} {label}", key)
        self.close_button = QPushButton("办结")
        self.satisfaction = QComboBox()
        for key, label in SATISFACTION.items():
            self.satisfaction.addItem(label, key)
        self.callback_note = QLineEdit(placeholderText="回访记录")
        self.callback_button = QPushButton("记录回访")

        row1 = QHBoxLayout()
        row1.addWidget(self.reply, 1)
        row1.addWidget(self.reply_button)
        row1.addWidget(self.result)
        row1.addWidget(self.close_button)
        row2 = QHBoxLayout()
        row2.addWidget(QLabel("市民满意度"))
        row2.addWidget(self.satisfaction)
        row2.addWidget(self.callback_note, 1)
        row2.addWidget(self.callback_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addLayout(row1)
        layout.addLayout(row2)

        self.reply_button.clicked.connect(self.record_reply)
        self.close_button.clicked.connect(self.close_selected)
        self.callback_button.clicked.connect(self.record_callback)
        model.changed.connect(self.reload)
        self.reload()

    def set_role(self, role: str | None) -> None:
        for w, action in ((self.reply_button, "reply"), (self.close_button, "close"),
                          (self.callback_button, "callback")):
            why = refusal(role, action)
            w.setEnabled(not why)
            w.setToolTip(why)

    def selected(self) -> dict[str, Any] | None:
        row = self.table.currentRow()
        item = self.table.item(row, 2) if row >= 0 else None
        return self.model.by_id(item.data(Qt.UserRole)) if item else None

    def reload(self) -> None:
        keep = self.selected()
        today = self.today()
        items = followup_list(self.model.questions)
        self.table.setRowCount(len(items))
        overdue = 0
        for row, q in enumerate(items):
            left = days_left(q, today)
            late = is_overdue(q, today)
            overdue += late
            if q["state"] == "closed":
                left_text = "已办结"
            elif left is None:
                left_text = ""
            else:
                left_text = f"超期 {-left} 天" if late else f"{left} 天"
            cells = [q.get("due", ""), left_text, f"#{q['id']}", SOURCE_NAMES.get(q["source"], q["source"]),
                     q.get("refer_unit", ""), q.get("air_text") or q["text"], "疑难" if q.get("hard") else "一般",
                     q.get("reply", ""), f"{q['result']} {RESULTS[q['result']]}" if q.get("result") in RESULTS else "",
                     SATISFACTION.get(q.get("satisfaction", ""), "")]
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)  # table items never interpret markup
                if col == 2:
                    cell.setData(Qt.UserRole, q["id"])
                if late:
                    cell.setBackground(QBrush(QColor("#ffcdd2")))
                    cell.setForeground(QBrush(QColor("#b71c1c")))
                elif q["state"] == "closed":
                    cell.setForeground(QBrush(QColor("#757575")))
                self.table.setItem(row, col, cell)
            if keep and keep["id"] == q["id"]:
                self.table.selectRow(row)
        open_count = sum(1 for q in items if q["state"] == "referred")
        self.summary.setText(f"转办 {len(items)} 件 · 办理中 {open_count} 件 · 超期 {overdue} 件")
        self.summary.setStyleSheet("font-size:15px; font-weight:bold; color:%s;" % ("#b71c1c" if overdue else "#263238"))

    def record_reply(self) -> None:
        q = self.selected()
        if q is not None and self.reply.text().strip():
            self.model.act(q["id"], "reply", reply=self.reply.text().strip())
            self.reply.clear()

    def close_selected(self) -> None:
        q = self.selected()
        if q is not None:
            fields = {"result": self.result.currentData()}
            if self.reply.text().strip():
                fields["reply"] = self.reply.text().strip()
            self.model.act(q["id"], "close", **fields)
            self.reply.clear()

    def record_callback(self) -> None:
        q = self.selected()
        if q is not None:
            self.model.act(q["id"], "callback", satisfaction=self.satisfaction.currentData(),
                           note=self.callback_note.text().strip())
            self.callback_note.clear()
