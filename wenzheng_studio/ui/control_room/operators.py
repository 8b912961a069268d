"""人员 (Ctrl+P): the director's list of the crew — who, which role, signed in or revoked —
creating a person, revoking one, and a one-time sign-in code (QR, link, code in large
text, expiry) to sign that person's console in on their own PC.

Everything goes through the engine (`/api/operators…`, director only): this dialog keeps
no list of its own and never shows a token (the code is exchanged by the console itself).
"""

from __future__ import annotations

import time
from typing import Any, Callable

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFrame, QHBoxLayout, QHeaderView, QLineEdit,
                               QTableWidget, QTableWidgetItem, QVBoxLayout)

from ..bridge import EngineBridge
from ..fonts import app_font
from ..roles import ROLE_DUTIES, ROLE_NAMES, role_name
from .i18n import Translator
from .style import DIM, GREEN, RED, STYLESHEET, button, label

COLUMNS = ("编号", "姓名", "角色", "状态", "创建时间")


def qr_pixmap(data: str, size: int) -> QPixmap:
    """The QR code of `data`, black on white with a quiet zone, `size` pixels square."""
    from ..seat_cards import qr_matrix

    matrix = qr_matrix(data)
    n = len(matrix) + 8  # four modules of quiet zone each side
    image = QImage(size, size, QImage.Format_RGB32)
    image.fill(QColor("white"))
    p = QPainter(image)
    cell = size / n
    p.setPen(Qt.NoPen)
    p.setBrush(QColor("black"))
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                p.drawRect(QRectF((c + 4) * cell, (r + 4) * cell, cell + 0.4, cell + 0.4))
    p.end()
    return QPixmap.fromImage(image)


def _when(epoch: Any) -> str:
    return time.strftime("%m-%d %H:%M", time.localtime(epoch)) if isinstance(epoch, (int, float)) and epoch else ""


class OperatorsDialog(QDialog):
    def __init__(self, tr: Translator, bridge: EngineBridge, confirm: Callable[[str], bool], parent=None):
        super().__init__(parent)
        self.tr_, self.bridge, self.confirm = tr, bridge, confirm
        self.setWindowTitle(tr("人员与登录"))
        self.setStyleSheet(STYLESHEET)
        self.operators: list[dict[str, Any]] = []
        self.signin: dict[str, Any] | None = None  # the last code: {"code", "expires_at", "url", "operator"}

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setFont(app_font(14))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.Stretch)
        self.name = QLineEdit(placeholderText=tr("姓名，如：李审核"))
        self.name.setMaxLength(40)
        self.role = QComboBox()
        for key, name in ROLE_NAMES.items():
            self.role.addItem(tr(name), key)
            self.role.setItemData(self.role.count() - 1, tr(ROLE_DUTIES[key]), Qt.ToolTipRole)
        self.role.setCurrentIndex(self.role.findData("reviewer"))
        self.create_button = button(tr("新建"))
        self.revoke_button = button(tr("撤销登录"))
        self.revoke_button.setObjectName("danger")
        self.code_button = button(tr("生成登录码"))
        self.status = label("", 13, False, DIM)
        self.status.setWordWrap(True)

        self.qr = label("", 12, False, None, Qt.AlignCenter)
        self.qr.setFixedSize(260, 260)
        self.qr.setStyleSheet("background: #20262e; border-radius: 6px;")
        self.who = label("", 18, True, None, Qt.AlignCenter)
        self.code = label("", 44, True, GREEN, Qt.AlignCenter)
        self.code.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.link = label("", 13, False, None, Qt.AlignCenter)
        self.link.setWordWrap(True)
        self.link.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.expiry = label("", 14, True, DIM, Qt.AlignCenter)
        self.howto = label("", 12, False, DIM, Qt.AlignCenter)
        self.howto.setWordWrap(True)

        create = QHBoxLayout()
        create.addWidget(self.name, 2)
        create.addWidget(self.role, 1)
        create.addWidget(self.create_button)
        actions = QHBoxLayout()
        actions.addWidget(self.code_button)
        actions.addWidget(self.revoke_button)
        actions.addStretch(1)
        left = QVBoxLayout()
        left.addWidget(label(tr("人员"), 18, True))
        left.addWidget(self.table, 1)
        left.addLayout(actions)
        left.addWidget(label(tr("新建人员"), 15, True))
        left.addLayout(create)
        left.addWidget(self.status)
        card = QFrame()
        card.setObjectName("panel")
        card.setMinimumWidth(420)
        right = QVBoxLayout(card)
        right.addWidget(label(tr("登录码"), 18, True))
        right.addWidget(self.who)
        right.addWidget(self.qr, 0, Qt.AlignCenter)
        right.addWidget(self.code)
        right.addWidget(self.link)
        right.addWidget(self.expiry)
        right.addWidget(self.howto)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addWidget(card, 2)
        self.resize(1100, 620)

        self.create_button.clicked.connect(self.create)
        self.name.returnPressed.connect(self.create)
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.code_button.clicked.connect(self.signin_selected)
        self.table.itemSelectionChanged.connect(self._selection)
        self.ticker = QTimer(self, interval=1000)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start()
        self._clear_code()
        self._selection()

    # --- the list ------------------------------------------------------------------------
    def refresh(self) -> None:
        self.bridge.request("GET", "/api/operators", None, self._loaded)

    def _loaded(self, reply) -> None:
        if not (reply.ok and isinstance(reply.body, dict)):
            self.say(f"{self.tr_('读取人员失败')}：{reply.error}", RED)
            return
        keep = self.selected()
        self.operators = list(reply.body.get("operators") or [])
        self.table.setRowCount(len(self.operators))
        for row, op in enumerate(self.operators):
            revoked = bool(op.get("revoked_at"))
            cells = (f"#{op.get('id')}", str(op.get("name") or ""), self.tr_(role_name(op.get("role"))),
                     self.tr_("已撤销") + " " + _when(op.get("revoked_at")) if revoked else self.tr_("有效"),
                     _when(op.get("created_at")))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)  # names stay plain text
                item.setData(Qt.UserRole, op.get("id"))
                if revoked:
                    item.setForeground(QColor("#6b7480"))
                elif col == 3:
                    item.setForeground(QColor(GREEN))
                self.table.setItem(row, col, item)
            if keep and keep.get("id") == op.get("id"):
                self.table.selectRow(row)
        self._selection()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        oid = self.table.item(rows[0].row(), 0).data(Qt.UserRole)
        return next((op for op in self.operators if op.get("id") == oid), None)

    def select(self, oid: int) -> None:
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(Qt.UserRole) == oid:
                self.table.selectRow(row)
                return

    def _selection(self) -> None:
        op = self.selected()
        usable = op is not None and not op.get("revoked_at") and op.get("id") != 0
        why = "" if usable else (self.tr_("先在列表中选择一位人员") if op is None else
                                 self.tr_("导演本人的登录即本机，不能撤销") if op.get("id") == 0 else
                                 self.tr_("已撤销：请新建一位"))
        for b in (self.revoke_button, self.code_button):
            b.setEnabled(usable)
            b.setToolTip(why)

    def say(self, text: str, colour: str = DIM) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(f"color: {colour};")

    # --- create, revoke, sign in -----------------------------------------------------------
    def create(self) -> None:
        name = self.name.text().strip()
        if not name:
            self.say(self.tr_("请先填写姓名"), RED)
            self.name.setFocus()
            return
        role = self.role.currentData()

        def done(reply) -> None:
            if not (reply.ok and isinstance(reply.body, dict)):
                self.say(f"{self.tr_('新建未完成')}：{reply.error}", RED)
                return
            self.name.clear()
            op = reply.body
            self.say(f"{self.tr_('已新建')} {op.get('name')}（{self.tr_(role_name(op.get('role')))}）", GREEN)
            self.bridge.request("GET", "/api/operators", None, lambda r: (self._loaded(r), self.select(op["id"]),
                                                                          self.signin_selected()))
        self.bridge.request("POST", "/api/operators", {"name": name, "role": role}, done)

    def revoke_selected(self) -> None:
        op = self.selected()
        if op is None or op.get("revoked_at"):
            return
        text = (f"{self.tr_('撤销')} {op.get('name')}（{self.tr_(role_name(op.get('role')))}）{self.tr_('的登录？')}\n"
                f"{self.tr_('其控制台立即断开，登录码和令牌都不再有效。')}")
        if not self.confirm(text):
            return

        def done(reply) -> None:
            if reply.ok:
                self.say(f"{self.tr_('已撤销')} {op.get('name')}", GREEN)
                if self.signin and (self.signin.get("operator") or {}).get("id") == op.get("id"):
                    self._clear_code()
            else:
                self.say(f"{self.tr_('撤销未完成')}：{reply.error}", RED)
            self.refresh()
        self.bridge.request("DELETE", f"/api/operators/{op['id']}", None, done)

    def signin_selected(self) -> None:
        op = self.selected()
        if op is None or op.get("revoked_at"):
            return

        def done(reply) -> None:
            if not (reply.ok and isinstance(reply.body, dict) and reply.body.get("code")):
                self.say(f"{self.tr_('登录码未生成')}：{reply.error}", RED)
                return
            self.show_code({**reply.body, "operator": op})
        self.bridge.request("POST", f"/api/operators/{op['id']}/signin", None, done)

    def show_code(self, signin: dict[str, Any]) -> None:
        self.signin = signin
        op = signin.get("operator") or {}
        link = str(signin.get("url") or "")
        self.who.setText(f"{op.get('name', '')} · {self.tr_(role_name(op.get('role')))}")
        self.code.setText(str(signin.get("code") or ""))
        self.link.setText(link)
        self.qr.setPixmap(qr_pixmap(link or str(signin.get("code")), 250))
        self.howto.setText(self.tr_("在该同事的电脑上运行 wenzheng-studio review（或 screener）--signin 链接，"
                                    "或直接启动后把链接粘贴进登录框。只能用一次。"))
        self._tick()

    def _clear_code(self) -> None:
        self.signin = None
        self.qr.clear()
        self.qr.setText(self.tr_("选择一位人员，\n点“生成登录码”"))
        for w in (self.who, self.code, self.link, self.expiry, self.howto):
            w.setText("")

    def _tick(self) -> None:
        if not self.signin:
            return
        left = float(self.signin.get("expires_at") or 0) - time.time()
        until = time.strftime("%H:%M:%S", time.localtime(self.signin.get("expires_at") or 0))
        if left <= 0:
            self.expiry.setText(self.tr_("已过期：请重新生成"))
            self.expiry.setStyleSheet(f"color: {RED};")
            self.code.setStyleSheet("color: #5b6470;")
        else:
            self.expiry.setText(f"{self.tr_('有效至')} {until}（{self.tr_('剩余')} {int(left) // 60}:{int(left) % 60:02d}）")
            self.expiry.setStyleSheet(f"color: {DIM};")
            self.code.setStyleSheet(f"color: {GREEN};")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.refresh()
