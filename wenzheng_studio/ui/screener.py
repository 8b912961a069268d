"""The hotline screener's console (热线导播): a fast form that pushes a call to the
director's queue as a screened hotline question, with the caller's earlier calls.

`wenzheng-studio screener --connect URL --signin LINK` (or `--admin-token T`). The phone number is sent to the
engine in full (it keeps it) and shown in full only here; everything else masks it.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLineEdit,
                               QListWidget, QListWidgetItem, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget)

from ..core.questions import phone_digits
from .bridge import EngineBridge
from .connection import ConnectionBanner, RehearsalBadge, mark_rehearsal
from .operator_app import run_operator_window
from .roles import refusal
from .widgets import plain_label

TITLE = "Wenzheng Studio 热线导播"
LOST_NOTE = "与引擎断开：表单内容保留，恢复后再推送。"
PRIORITIES = [("普通", 0), ("优先", 3), ("紧急", 6)]
STATE_NAMES = {"new": "待初审", "screened": "待终审", "approved": "已通过", "rejected": "未采用", "on_air": "播出中",
               "answered": "已答复", "referred": "已转办", "closed": "已办结"}


class ScreenerConsole(QWidget):
    """The form on the left, the caller's history and this shift's calls on the right."""

    def __init__(self, bridge: EngineBridge, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.units: list[dict[str, Any]] = []
        self._history_for = ""
        self.scene: dict[str, Any] = {}
        self.setWindowTitle(TITLE)
        self.connection = ConnectionBanner()
        self.rehearsal = RehearsalBadge()

        self.name = QLineEdit(placeholderText="如：张先生")
        self.phone = QLineEdit(placeholderText="138 1234 5678")
        self.district = QLineEdit(placeholderText="所在区 / 街道")
        self.topic = QLineEdit(placeholderText="如：老旧小区电梯")
        self.unit = QComboBox(editable=True)
        self.unit.lineEdit().setPlaceholderText("责任单位")
        self.point = QPlainTextEdit(placeholderText="一句话说清问题（播出前还会终审）")
        self.point.setFixedHeight(70)
        self.notes = QPlainTextEdit(placeholderText="备注：情绪、是否愿意上线连线、回电时间……")
        self.notes.setFixedHeight(70)
        self.priority = QComboBox()
        for label, value in PRIORITIES:
            self.priority.addItem(label, value)
        for w in (self.name, self.phone, self.district, self.topic):
            w.setMaxLength(100)
        self.phone.setMaxLength(20)

        form = QFormLayout()
        for label, widget in (("来电人", self.name), ("电话", self.phone), ("区域", self.district),
                              ("话题", self.topic), ("责任单位", self.unit), ("问题要点", self.point),
                              ("备注", self.notes), ("优先级", self.priority)):
            form.addRow(label, widget)
        self.push_button = QPushButton("推送到导播台  Ctrl+Enter")
        self.push_button.setObjectName("push")
        self.push_button.setStyleSheet("#push { background:#b71c1c; color:white; font-weight:bold; padding:10px; }")
        self.clear_button = QPushButton("清空  Esc")
        self.status = plain_label()
        buttons = QHBoxLayout()
        buttons.addWidget(self.push_button, 3)
        buttons.addWidget(self.clear_button, 1)
        top = QHBoxLayout()
        top.addWidget(self.connection)
        top.addWidget(self.rehearsal)
        top.addStretch(1)
        left = QVBoxLayout()
        left.addLayout(top)
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.status)
        left.addStretch(1)

        self.history_title = plain_label("来电历史：输入电话后自动查询")
        self.history = QListWidget()
        self.pushed = QListWidget()
        for lst in (self.history, self.pushed):
            lst.setWordWrap(True)
            lst.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        history_box = QGroupBox("该号码的来电历史")
        hb = QVBoxLayout(history_box)
        hb.addWidget(self.history_title)
        hb.addWidget(self.history)
        pushed_box = QGroupBox("本班次已推送（完整号码仅本机可见）")
        QVBoxLayout(pushed_box).addWidget(self.pushed)
        right = QVBoxLayout()
        right.addWidget(history_box, 1)
        right.addWidget(pushed_box, 1)

        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)

        self.push_button.clicked.connect(self.push)
        self.clear_button.clicked.connect(self.clear)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.push)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.push)
        QShortcut(QKeySequence("Escape"), self, self.clear)
        self._lookup_timer = QTimer(self, singleShot=True, interval=400)
        self._lookup_timer.timeout.connect(self.lookup_history)
        self.phone.textChanged.connect(lambda _: self._lookup_timer.start())
        bridge.questionsChanged.connect(lambda ids: self._refresh_pushed())
        bridge.follow_identity(self._identity)
        # The bridge may have connected before this window existed: it reports its last status now.
        bridge.follow_connection(self._connection)
        if self.connection.status != "connected":
            self.load_units()  # over HTTP: it need not wait for the socket

    # --- engine ------------------------------------------------------------------------
    def load_units(self) -> None:
        def done(reply) -> None:
            if reply.ok:
                self.scene = reply.body
                mark_rehearsal(self, self.rehearsal, TITLE, reply.body, self.bridge.identity)
                current = self.unit.currentText()
                self.units = reply.body.get("units", [])
                self.unit.clear()
                self.unit.addItem("")
                for u in self.units:
                    self.unit.addItem(u["name"])
                self.unit.setCurrentText(current)
        self.bridge.request("GET", "/api/scene", None, done)

    def _identity(self, identity) -> None:
        """The title says who is signed in; a role that may not push greys the button out."""
        mark_rehearsal(self, self.rehearsal, TITLE, self.scene, identity)
        why = refusal(self.bridge.role, "question.create")
        self.push_button.setEnabled(not why)
        self.push_button.setToolTip(why)
        if self.bridge.unauthorized:
            self.status.setText("登录已被撤销或已失效：请导演在“人员”里生成新的登录码。")

    def _connection(self, status: str, detail: str) -> None:
        was = self.connection.status
        self.connection.set_status(status, detail)
        if status == "connected":
            if self.status.text() == LOST_NOTE:
                self.status.clear()
            if was != "connected":
                self.load_units()  # units, and whether this engine is a rehearsal (it may have restarted)
        elif status != "connecting":
            self.status.setText(LOST_NOTE)

    def call_body(self) -> dict[str, Any]:
        body = {"source": "hotline", "text": self.point.toPlainText().strip(), "name": self.name.text().strip(),
                "phone": self.phone.text().strip(), "district": self.district.text().strip(),
                "topic": self.topic.text().strip(), "unit": self.unit.currentText().strip(),
                "notes": self.notes.toPlainText().strip(), "priority": self.priority.currentData()}
        body = {k: v for k, v in body.items() if v not in ("", None)}
        body["screened"] = True  # the screener is the first review; one durable write, never half-pushed
        return body

    def push(self) -> None:
        if refusal(self.bridge.role, "question.create"):
            return
        body = self.call_body()
        if not body.get("text"):
            self.status.setText("请先填写“问题要点”。")
            self.point.setFocus()
            return
        self.push_button.setEnabled(False)
        self.status.setText("正在推送……")

        def created(reply) -> None:
            if not reply.ok:
                self.push_button.setEnabled(True)
                self.status.setText(f"推送失败，表单已保留：{reply.error}")
                return
            qid = reply.body["id"]
            self._remember(qid, body)
            self.clear()  # the call is safely stored; the form is free for the next caller
            self.push_button.setEnabled(True)
            self.status.setText(f"已推送 #{qid}，已初审，等待终审。")
            self._refresh_pushed()

        self.bridge.request("POST", "/api/questions", body, created)

    def clear(self) -> None:
        for w in (self.name, self.phone, self.district, self.topic):
            w.clear()
        self.unit.setCurrentText("")
        self.point.clear()
        self.notes.clear()
        self.priority.setCurrentIndex(0)
        self.history.clear()
        self.history_title.setText("来电历史：输入电话后自动查询")
        self._history_for = ""
        self.name.setFocus()

    def lookup_history(self) -> None:
        digits = phone_digits(self.phone.text())
        if len(digits) < 7 or digits == self._history_for:
            return
        self._history_for = digits

        def done(reply) -> None:
            if digits != phone_digits(self.phone.text()):
                return  # the screener typed on: an old answer
            self.history.clear()
            calls = reply.body.get("questions", []) if reply.ok else []
            if not reply.ok:
                self.history_title.setText(f"查询失败：{reply.error}")
                return
            self.history_title.setText(f"该号码此前来电 {len(calls)} 次" if calls else "首次来电")
            for q in calls:
                when = time.strftime("%m-%d %H:%M", time.localtime(q.get("created_at", 0)))
                text = f"{when} · {STATE_NAMES.get(q['state'], q['state'])} · {q.get('name', '')}\n{q['text']}"
                if q.get("refer_unit"):
                    text += f"\n转办 {q['refer_unit']}，期限 {q.get('due', '')}，结果 {q.get('result') or '未办结'}"
                self.history.addItem(QListWidgetItem(text))
            if calls and not self.name.text():
                self.name.setText(calls[0].get("name", ""))
            if calls and not self.district.text():
                self.district.setText(calls[0].get("district", ""))
        self.bridge.request("GET", f"/api/questions/history?phone={digits}", None, done)

    def _remember(self, qid: int, body: dict[str, Any]) -> None:
        item = QListWidgetItem()
        item.setData(Qt.UserRole, (qid, body))
        self.pushed.insertItem(0, item)
        self._paint_pushed(item, "待初审")

    def _paint_pushed(self, item: QListWidgetItem, state: str) -> None:
        qid, body = item.data(Qt.UserRole)
        item.setText(f"#{qid} {state} · {body.get('name', '')} {body.get('phone', '')} · {body.get('unit', '')}\n"
                     f"{body['text']}")

    def _refresh_pushed(self) -> None:
        if not self.pushed.count():
            return

        def done(reply) -> None:
            if not reply.ok:
                return
            states = {q["id"]: q["state"] for q in reply.body.get("questions", [])}
            for i in range(self.pushed.count()):
                item = self.pushed.item(i)
                qid = item.data(Qt.UserRole)[0]
                if qid in states:
                    self._paint_pushed(item, STATE_NAMES.get(states[qid], states[qid]))
        self.bridge.request("GET", "/api/questions", None, done)


def run_screener(args) -> int:
    return run_operator_window(args, "screener", ScreenerConsole, (1100, 640))
