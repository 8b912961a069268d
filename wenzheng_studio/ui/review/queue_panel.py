"""The director's queue: one ranked list of approved questions across all sources.
Drag to reorder, priority, put on air, mark answered by the head (一把手) or a deputy,
refer to a unit; the running 一把手 answer rate against the 50% target stays on screen."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from ...core.followup import HEAD_RATE_TARGET, head_answer_rate
from ..roles import refusal
from .model import QuestionsModel, source_icon
from .review_panel import list_text


def rank_of(q: dict[str, Any]) -> float:
    return float(q.get("rank", q["id"]))


def drop_position(above: dict[str, Any] | None, below: dict[str, Any] | None) -> tuple[int, float]:
    """(priority, rank) that sorts a dropped question between its new neighbours: it takes
    the priority of the one above (or below, at the top) and a rank between them."""
    if above is None:
        return below["priority"], rank_of(below) - 1.0
    lo = rank_of(above)
    if below is not None and below["priority"] == above["priority"] and rank_of(below) > lo:
        return above["priority"], (lo + rank_of(below)) / 2
    return above["priority"], lo + 1.0


class QueueList(QListWidget):
    """A list whose drops are reported, not applied: the engine's order is the truth."""

    def __init__(self, on_drop, parent=None):
        super().__init__(parent)
        self.on_drop = on_drop
        self.setDragDropMode(QAbstractItemView.InternalMove)
        self.setDefaultDropAction(Qt.MoveAction)
        self.setWordWrap(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)

    def dropEvent(self, event):
        moving = self.currentItem()
        super().dropEvent(event)
        if moving is not None:
            self.on_drop(self.row(moving))


class QueuePanel(QWidget):
    def __init__(self, model: QuestionsModel, parent=None):
        super().__init__(parent)
        self.model = model
        self.rate = QLabel()
        self.rate.setStyleSheet("font-size:18px; font-weight:bold; padding:6px;")
        self.queue = QueueList(self.moved)
        self.answered = QListWidget()
        self.answered.setWordWrap(True)
        self.answered.setMaximumHeight(170)
        self.on_air_button = QPushButton("上播 ▶")
        self.on_air_button.setStyleSheet("background:#b71c1c; color:white; font-weight:bold; padding:8px;")
        self.off_air_button = QPushButton("撤下")
        self.head_button = QPushButton("一把手答复 ✓")
        self.deputy_button = QPushButton("副职答复 ✓")
        self.answerer = QLineEdit(placeholderText="答复人姓名（副职时填写）")
        self.up_button = QPushButton("优先 ↑")
        self.down_button = QPushButton("降低 ↓")
        self.refer_unit = QComboBox(editable=True)
        self.hard = QCheckBox("疑难（一个月）")
        self.refer_button = QPushButton("转办")

        row1 = QHBoxLayout()
        for w in (self.on_air_button, self.off_air_button, self.up_button, self.down_button):
            row1.addWidget(w)
        row2 = QHBoxLayout()
        row2.addWidget(self.head_button)
        row2.addWidget(self.deputy_button)
        row2.addWidget(self.answerer, 1)
        # The unit gets a row of its own: names like 市住房和城乡建设局 were clipped beside the buttons.
        row3 = QHBoxLayout()
        row3.addWidget(QLabel("转办给"))
        row3.addWidget(self.refer_unit, 1)
        row4 = QHBoxLayout()
        row4.addStretch(1)
        row4.addWidget(self.hard)
        row4.addWidget(self.refer_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.rate)
        title = QLabel("导播队列（拖动排序）")
        title.setStyleSheet("font-size:16px; font-weight:bold;")
        layout.addWidget(title)
        layout.addWidget(self.queue, 1)
        layout.addLayout(row1)
        layout.addLayout(row2)
        layout.addWidget(QLabel("已答复（可转办跟踪）"))
        layout.addWidget(self.answered)
        layout.addLayout(row3)
        layout.addLayout(row4)

        self._focus = self.queue
        self.queue.itemClicked.connect(lambda *_: self._set_focus(self.queue))
        self.answered.itemClicked.connect(lambda *_: self._set_focus(self.answered))
        self.on_air_button.clicked.connect(lambda: self._act_queue("on_air"))
        self.off_air_button.clicked.connect(lambda: model.bridge.control("question.clear"))
        self.head_button.clicked.connect(lambda: self.mark_answered("head"))
        self.deputy_button.clicked.connect(lambda: self.mark_answered("deputy"))
        self.up_button.clicked.connect(lambda: self.bump(+1))
        self.down_button.clicked.connect(lambda: self.bump(-1))
        self.refer_button.clicked.connect(self.refer)
        model.changed.connect(self.reload)
        self.reload()

    def set_role(self, role: str | None) -> None:
        """Only the director puts anything on air, answers, or orders the queue; a reviewer refers."""
        for w, action in ((self.on_air_button, "on_air"), (self.off_air_button, "question.clear"),
                          (self.head_button, "answered"), (self.deputy_button, "answered"),
                          (self.up_button, "priority"), (self.down_button, "priority"),
                          (self.refer_button, "refer")):
            why = refusal(role, action)
            w.setEnabled(not why)
            w.setToolTip(why)
        self.answerer.setEnabled(not refusal(role, "answered"))
        self.hard.setEnabled(not refusal(role, "refer"))
        drag = not refusal(role, "reorder")
        self.queue.setDragDropMode(QAbstractItemView.InternalMove if drag else QAbstractItemView.NoDragDrop)

    def _set_focus(self, lst: QListWidget) -> None:
        self._focus = lst
        other = self.answered if lst is self.queue else self.queue
        other.clearSelection()

    def selected(self, lst: QListWidget | None = None) -> dict[str, Any] | None:
        item = (lst or self._focus).currentItem()
        return self.model.by_id(item.data(Qt.UserRole)) if item and item.isSelected() else None

    def queued(self) -> list[dict[str, Any]]:
        return self.model.in_states("approved", "on_air")

    def reload(self) -> None:
        keep = {lst: self.selected(lst) for lst in (self.queue, self.answered)}
        for lst, items in ((self.queue, self.queued()), (self.answered, self.model.in_states("answered"))):
            lst.clear()
            for q in items:
                text = list_text(q)
                if q["state"] == "on_air":
                    text = "【播出中】" + text
                elif q["state"] == "answered":
                    text = f"【{q.get('answered_by') or ''}答复】" + text
                item = QListWidgetItem(source_icon(q["source"]), text)
                item.setData(Qt.UserRole, q["id"])
                if q["state"] == "on_air":
                    item.setBackground(QBrush(QColor("#ffcdd2")))
                lst.addItem(item)
                if keep[lst] and keep[lst]["id"] == q["id"]:
                    lst.setCurrentItem(item)
                    item.setSelected(True)
        by_head, answered, rate = head_answer_rate(self.model.questions, self.model.heads)
        if rate is None:
            self.rate.setText(f"一把手答复率：尚无答复（目标 ≥ {HEAD_RATE_TARGET:.0%}）")
            colour = "#455a64"
        else:
            self.rate.setText(f"一把手答复率 {rate:.0%}（{by_head}/{answered}，目标 ≥ {HEAD_RATE_TARGET:.0%}）")
            colour = "#2e7d32" if rate >= HEAD_RATE_TARGET else "#c62828"
        self.rate.setStyleSheet(f"font-size:18px; font-weight:bold; padding:6px; color:white; background:{colour};")
        units = [u["name"] for u in self.model.units]
        if [self.refer_unit.itemText(i) for i in range(self.refer_unit.count())] != units:
            self.refer_unit.clear()
            self.refer_unit.addItems(units)

    def moved(self, row: int) -> None:
        order = [self.model.by_id(self.queue.item(i).data(Qt.UserRole)) for i in range(self.queue.count())]
        q = order[row]
        above = order[row - 1] if row > 0 else None
        below = order[row + 1] if row + 1 < len(order) else None
        if q is None or (above is None and below is None):
            return
        priority, rank = drop_position(above, below)
        self.model.act(q["id"], "reorder", rank=rank, priority=priority)

    def _act_queue(self, action: str, **fields: Any) -> None:
        q = self.selected(self.queue)
        if q is not None:
            self.model.act(q["id"], action, **fields)

    def mark_answered(self, role: str) -> None:
        q = next(iter(self.model.in_states("on_air")), None)
        if q is None:
            self.model.failed.emit("没有正在播出的问题")
            return
        by = self.answerer.text().strip()
        if role == "head":
            by = self.model.heads.get(q.get("unit", ""), "") or "一把手"
        self.model.act(q["id"], "answered", by=by or "副职", role=role)
        self.answerer.clear()

    def bump(self, delta: int) -> None:
        q = self.selected(self.queue)
        if q is not None:
            self.model.act(q["id"], "priority", priority=max(-10, min(10, q["priority"] + delta)))

    def refer(self) -> None:
        q = self.selected()
        if q is not None:
            unit = self.refer_unit.currentText().strip() or q.get("unit", "")
            self.model.act(q["id"], "refer", unit=unit, hard=self.hard.isChecked())
