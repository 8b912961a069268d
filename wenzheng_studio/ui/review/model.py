"""The questions as the review desk sees them: one list fetched from the engine,
refreshed whenever the engine says questions changed (coalesced), plus the scene's units."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap

from ...core.followup import heads_from_scene
from ..bridge import EngineBridge

SOURCE_BADGES = {"web": ("网", "#1565c0"), "hotline": ("热", "#c62828"), "studio": ("现", "#2e7d32")}
SOURCE_NAMES = {"web": "网络留言", "hotline": "热线", "studio": "现场"}
STATE_NAMES = {"new": "待初审", "screened": "待终审", "approved": "已通过", "rejected": "未采用", "on_air": "播出中",
               "answered": "已答复", "referred": "已转办", "closed": "已办结"}


def source_icon(source: str, size: int = 28) -> QIcon:
    """A coloured disc with one character: 网 web, 热 hotline, 现 studio."""
    char, colour = SOURCE_BADGES.get(source, ("?", "#616161"))
    pix = QPixmap(size, size)
    pix.fill(Qt.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    p.setBrush(QColor(colour))
    p.setPen(Qt.NoPen)
    p.drawEllipse(0, 0, size, size)
    font = QFont()
    font.setPixelSize(int(size * 0.6))
    font.setBold(True)
    p.setFont(font)
    p.setPen(QColor("white"))
    p.drawText(pix.rect(), Qt.AlignCenter, char)
    p.end()
    return QIcon(pix)


SAME_REVIEWER = "初审和终审须由两人完成"
FORBIDDEN = "您的角色不能做这一步（引擎拒绝）"


class QuestionsModel(QObject):
    changed = Signal()
    failed = Signal(str)
    sameReviewer = Signal(int, str)  # question id, the engine's message: 409 same_reviewer on approve

    def __init__(self, bridge: EngineBridge, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.questions: list[dict[str, Any]] = []
        self.units: list[dict[str, Any]] = []
        self.heads: dict[str, str] = {}
        self.scene: dict[str, Any] = {}
        self._refresh_timer = QTimer(self, singleShot=True, interval=150)
        self._refresh_timer.timeout.connect(self.refresh)
        bridge.questionsChanged.connect(lambda ids: self._refresh_timer.start())
        bridge.connectionChanged.connect(self._on_connection)

    def _on_connection(self, status: str, detail: str) -> None:
        if status == "connected":  # a reconnect may have missed changes: fetch everything
            self.load_scene()
            self.refresh()

    def load_scene(self) -> None:
        def done(reply) -> None:
            if reply.ok:
                self.scene = reply.body
                self.units = reply.body.get("units", [])
                self.heads = heads_from_scene(reply.body)
                self.changed.emit()
        self.bridge.request("GET", "/api/scene", None, done)

    def refresh(self) -> None:
        def done(reply) -> None:
            if reply.ok:
                self.questions = reply.body.get("questions", [])
                self.changed.emit()
            else:
                self.failed.emit(reply.error)
        self.bridge.request("GET", "/api/questions", None, done)

    def by_id(self, qid: int) -> dict[str, Any] | None:
        return next((q for q in self.questions if q["id"] == qid), None)

    def in_states(self, *states: str) -> list[dict[str, Any]]:
        return [q for q in self.questions if q["state"] in states]

    def act(self, qid: int, action: str, done: Callable[[Any], None] | None = None, **fields: Any) -> None:
        def finished(reply) -> None:
            error = reply.body.get("error") if isinstance(reply.body, dict) else None
            if reply.status == 409 and error == "same_reviewer":
                self.sameReviewer.emit(qid, str(reply.body.get("message") or ""))
            elif reply.status == 403 and error == "forbidden":
                self.failed.emit(f"{FORBIDDEN}：{reply.body.get('message') or ''}")
            elif not reply.ok:
                self.failed.emit(reply.error)
            self.refresh()
            if done:
                done(reply)
        self.bridge.request("POST", f"/api/questions/{qid}", {"action": action, **fields}, finished)
