"""The approved question queue: put one on air, mark it answered and by whom.

Question text comes from viewers: it is shown only through QListWidgetItem text and
plain-text labels, never as rich text.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QFrame, QGridLayout, QHBoxLayout, QListWidget, QListWidgetItem, QVBoxLayout

from ..fonts import app_font
from .i18n import Translator
from .style import DIM, GREEN, ON_AIR, TEXT, button, label, set_colour

SHOWN_STATES = ("on_air", "approved")


class QuestionsPanel(QFrame):
    queueChanged = Signal()  # the list was rebuilt (the window re-derives the buttons)

    def __init__(self, tr: Translator, bridge, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self.bridge = bridge
        self.questions: list[dict[str, Any]] = []
        self.heads: dict[str, str] = {}
        self.on_air_id: int | None = None
        self.on_air_question: dict[str, Any] | None = None
        # A burst of new questions is one reload, not one per question.
        self._reload = QTimer(self)
        self._reload.setSingleShot(True)
        self._reload.setInterval(250)
        self._reload.timeout.connect(self.refresh)

        self.list = QListWidget()
        self.list.setFont(app_font(15))
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)  # where one question ends and the next begins
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setFocusPolicy(Qt.NoFocus)
        self.list.itemDoubleClicked.connect(lambda _item: self.put_on_air())
        self.head_rate = label("", 15, False, DIM)
        self.on_air_btn = button(tr("上播"), "F9", object_name="take")
        self.by_head = button(tr("一把手答复"), "F10", 14)
        self.by_deputy = button(tr("副职答复"), "Shift+F10", 14)
        self.off_air = button(tr("撤下问题"), "Shift+F9", 14)
        self.refresh_btn = button(tr("刷新"))
        self.review_btn = button(tr("审核台"), "Ctrl+R", 14)  # the window opens it (it owns windows)
        self.on_air_btn.clicked.connect(self.put_on_air)
        self.by_head.clicked.connect(lambda: self.mark_answered("head"))
        self.by_deputy.clicked.connect(lambda: self.mark_answered("deputy"))
        self.off_air.clicked.connect(lambda: self.bridge.control("question.clear", self._after))
        self.refresh_btn.clicked.connect(self.refresh)

        top = QHBoxLayout()
        top.addWidget(label(tr("待播问题"), 18, True))
        top.addStretch(1)
        top.addWidget(self.head_rate)
        top.addWidget(self.refresh_btn)
        top.addWidget(self.review_btn)
        self.buttons = QGridLayout()  # one row: the list keeps the height (six questions at 1920x1080)
        self.set_compact(False)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.list, 1)
        box.addLayout(self.buttons)

    def set_compact(self, on: bool) -> None:
        """Compact (a narrow middle column): the four buttons in two rows, none cut short."""
        for i, b in enumerate((self.on_air_btn, self.off_air, self.by_head, self.by_deputy)):
            self.buttons.removeWidget(b)
            self.buttons.addWidget(b, *((i // 2, i % 2) if on else (0, i)))

    def set_scene(self, scene: dict[str, Any]) -> None:
        for unit in scene.get("units", []) or []:
            if unit.get("head"):
                self.heads[unit.get("name", "")] = unit["head"]
                if unit.get("short"):
                    self.heads[unit["short"]] = unit["head"]

    # --- engine ------------------------------------------------------------------------
    def refresh_soon(self) -> None:
        if not self._reload.isActive():
            self._reload.start()

    def refresh(self) -> None:
        self.bridge.request("GET", "/api/questions", None, self._loaded)

    def _loaded(self, reply) -> None:
        if reply.ok and isinstance(reply.body, dict):
            self.questions = [q for q in reply.body.get("questions", []) if isinstance(q, dict)]
            self._rebuild()

    def _after(self, reply) -> None:
        self.refresh()

    def on_state(self, state: dict[str, Any]) -> None:
        q = state.get("question")
        self.on_air_question = q if isinstance(q, dict) else None
        on_air = q.get("id") if isinstance(q, dict) else None
        if on_air != self.on_air_id:
            self.on_air_id = on_air
            self.refresh()

    def put_on_air(self) -> None:
        item = self.list.currentItem()
        qid = item.data(Qt.UserRole) if item else None
        if qid is None or qid == self.on_air_id:  # nothing chosen: the first one waiting
            waiting = [q for q in self.queue() if q["state"] == "approved"]
            qid = waiting[0]["id"] if waiting else None
        if qid is not None:
            self.bridge.request("POST", f"/api/questions/{qid}", {"action": "on_air"}, self._after)

    def mark_answered(self, role: str) -> None:
        """The question on air (the engine's state says which) was answered."""
        q = self.on_air_question or next((q for q in self.questions if q.get("state") == "on_air"), None)
        if q is None or q.get("id") is None:
            return
        head = self.heads.get(q.get("unit") or "", "")
        by = (head or "一把手") if role == "head" else "副职"
        self.bridge.request("POST", f"/api/questions/{q['id']}",
                            {"action": "answered", "by": by, "role": role}, self._after)

    # --- view --------------------------------------------------------------------------
    def queue(self) -> list[dict[str, Any]]:
        shown = [q for q in self.questions if q.get("state") in SHOWN_STATES]
        return sorted(shown, key=lambda q: q.get("state") != "on_air")  # stable: engine's order otherwise

    def _describe(self, q: dict[str, Any]) -> str:
        tr = self.tr_
        source = {"hotline": tr("热线"), "web": tr("网络"), "studio": tr("现场提问")}.get(q.get("source"), q.get("source", ""))
        who = " · ".join(p for p in (q.get("name") or tr("匿名"), q.get("district"), q.get("unit")) if p)
        head = f"{tr('播出中')}  " if q.get("state") == "on_air" else ""
        text = q.get("air_text") or q.get("text") or ""
        return f"{head}#{q.get('id')} [{source}] {who}\n{text}"

    def _rebuild(self) -> None:
        selected = self.list.currentItem().data(Qt.UserRole) if self.list.currentItem() else None
        self.list.clear()
        for q in self.queue():
            item = QListWidgetItem(self._describe(q))
            item.setData(Qt.UserRole, q["id"])
            on = q.get("state") == "on_air"
            item.setBackground(QBrush(QColor(ON_AIR) if on else QColor(0, 0, 0, 0)))
            item.setForeground(QBrush(QColor(TEXT)))
            self.list.addItem(item)
            if q["id"] == selected:
                self.list.setCurrentItem(item)
        answered = [q for q in self.questions if q.get("answered_at") or q.get("state") == "answered"]
        by_head = sum(1 for q in answered if q.get("answered_role") == "head")
        self.head_rate.setText(f"{self.tr_('一把手答复率')} {by_head}/{len(answered)}")
        set_colour(self.head_rate, GREEN if answered and by_head * 2 >= len(answered) else DIM)
        self.queueChanged.emit()  # enabled states: actions.py, from the engine's state

    def waiting(self) -> int:
        return sum(1 for q in self.questions if q.get("state") == "approved")
