"""First review (初审) and final review (终审): pass, edit the wording for air (the
original is kept), tag the unit, merge duplicates, reject with a reason."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from ..roles import refusal
from ..widgets import plain_label
from .model import SOURCE_NAMES, QuestionsModel, source_icon

REJECT_REASONS = ["与本期主题无关", "信息不全，无法核实", "含不文明用语", "涉及个人隐私", "广告或重复灌水", "已在办理中"]
STAGES = {"new": ("初审", "screen", "通过初审 →"), "screened": ("终审", "approve", "终审通过，进入导播队列 →")}


def list_text(q: dict[str, Any]) -> str:
    who = q.get("name") or ("匿名" if q.get("anonymous") else "")
    head = " · ".join(x for x in (f"#{q['id']}", SOURCE_NAMES.get(q["source"], q["source"]), who, q.get("district", ""),
                                  q.get("unit", "")) if x)
    count = f"  【{q['count']}人次】" if q.get("count", 1) > 1 else ""
    flag = "  ⚠敏感词：" + "、".join(q["flagged"]) if q.get("flagged") else ""
    return f"{head}{count}{flag}\n{q.get('air_text') or q['text']}"


class ReviewPanel(QWidget):
    """One stage of review: the waiting list on top, the selected question below."""

    def __init__(self, model: QuestionsModel, state: str, parent=None):
        super().__init__(parent)
        self.model, self.state = model, state
        self.role: str | None = None  # who is signed in (None: not known yet, the engine decides)
        title, self.pass_action, pass_label = STAGES[state]
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.count_label = plain_label()
        self.original = QPlainTextEdit(readOnly=True)
        self.original.setFixedHeight(64)
        self.air_text = QPlainTextEdit(placeholderText="播出文字（留空则用原文；原文始终保留）")
        self.air_text.setFixedHeight(64)
        self.unit = QComboBox(editable=True)
        self.meta = plain_label()
        self.reason = QComboBox(editable=True)
        self.reason.addItems(REJECT_REASONS)
        self.merge_target = QComboBox()
        self.pass_button = QPushButton(pass_label)
        self.pass_button.setStyleSheet("font-weight:bold; padding:6px;")
        self.reject_button = QPushButton("不采用")
        self.merge_button = QPushButton("合并为重复")

        detail = QGroupBox("选中的问题")
        form = QFormLayout(detail)
        form.addRow("来源/来电", self.meta)
        form.addRow("原文", self.original)
        form.addRow("播出文字", self.air_text)
        form.addRow("责任单位", self.unit)
        pass_row = QHBoxLayout()
        pass_row.addWidget(self.pass_button)
        form.addRow(pass_row)
        reject_row = QHBoxLayout()
        reject_row.addWidget(self.reason, 1)
        reject_row.addWidget(self.reject_button)
        form.addRow("不采用原因", reject_row)
        merge_row = QHBoxLayout()
        merge_row.addWidget(self.merge_target, 1)
        merge_row.addWidget(self.merge_button)
        form.addRow("重复于", merge_row)

        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        header = QLabel(title)
        header.setStyleSheet("font-size:16px; font-weight:bold;")
        tl.addWidget(header)
        tl.addWidget(self.count_label)
        tl.addWidget(self.list)
        split = QSplitter(Qt.Vertical)
        split.addWidget(top)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(split)

        self.list.currentItemChanged.connect(lambda *_: self.show_selected())
        self.pass_button.clicked.connect(self.pass_selected)
        self.reject_button.clicked.connect(self.reject_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        model.changed.connect(self.reload)
        self.reload()

    def selected(self) -> dict[str, Any] | None:
        item = self.list.currentItem()
        return self.model.by_id(item.data(Qt.UserRole)) if item else None

    def reload(self) -> None:
        keep = self.selected()
        waiting = self.model.in_states(self.state)
        self.list.blockSignals(True)
        self.list.clear()
        for q in waiting:
            item = QListWidgetItem(source_icon(q["source"]), list_text(q))
            item.setData(Qt.UserRole, q["id"])
            if q.get("flagged"):
                item.setBackground(QBrush(QColor("#fff3cd")))
            self.list.addItem(item)
            if keep and keep["id"] == q["id"]:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.list.blockSignals(False)
        self.count_label.setText(f"等待 {len(waiting)} 条")
        units = [u["name"] for u in self.model.units]
        if [self.unit.itemText(i) for i in range(1, self.unit.count())] != units:
            self.unit.clear()
            self.unit.addItems(["", *units])
        self.show_selected()

    def set_role(self, role: str | None) -> None:
        self.role = role
        self.show_selected()

    def show_selected(self) -> None:
        q = self.selected()
        for w, action in ((self.pass_button, self.pass_action), (self.reject_button, "reject"),
                          (self.merge_button, "merge")):
            why = refusal(self.role, action)
            w.setEnabled(q is not None and not why)
            w.setToolTip(why)
        editable = not refusal(self.role, "edit")
        self.air_text.setReadOnly(not editable)
        self.unit.setEnabled(editable)
        if q is None:
            self.original.clear(); self.air_text.clear(); self.meta.setText("")
            return
        if getattr(self, "_shown", None) != q["id"]:  # don't overwrite what the reviewer is typing
            self._shown = q["id"]
            self.original.setPlainText(q["text"])
            self.air_text.setPlainText(q.get("air_text", ""))
            self.unit.setCurrentText(q.get("unit", ""))
        bits = [SOURCE_NAMES.get(q["source"], q["source"]), q.get("name") or ("匿名" if q.get("anonymous") else "未留名"),
                q.get("district", ""), q.get("phone", ""), q.get("topic", ""), q.get("notes", "")]
        self.meta.setText(" · ".join(b for b in bits if b))
        self.merge_target.clear()
        for other in self.model.in_states("new", "screened", "approved", "on_air", "answered"):
            if other["id"] != q["id"]:
                self.merge_target.addItem(f"#{other['id']} {(other.get('air_text') or other['text'])[:30]}", other["id"])

    def _pending_edit(self, q: dict[str, Any]) -> dict[str, Any]:
        edit: dict[str, Any] = {}
        if self.air_text.toPlainText().strip() != (q.get("air_text") or ""):
            edit["air_text"] = self.air_text.toPlainText().strip()
        if self.unit.currentText().strip() != (q.get("unit") or ""):
            edit["unit"] = self.unit.currentText().strip()
        return edit

    def pass_selected(self) -> None:
        q = self.selected()
        if q is None:
            return
        edit = self._pending_edit(q)
        qid, action = q["id"], self.pass_action
        if edit:  # save the wording first; pass only if the engine took it
            self.model.act(qid, "edit", lambda r: r.ok and self.model.act(qid, action), **edit)
        else:
            self.model.act(qid, action)

    def reject_selected(self) -> None:
        q = self.selected()
        if q is not None:
            self.model.act(q["id"], "reject", reason=self.reason.currentText().strip())

    def merge_selected(self) -> None:
        q = self.selected()
        if q is not None and self.merge_target.currentData() is not None:
            self.model.act(q["id"], "merge", into=self.merge_target.currentData())
