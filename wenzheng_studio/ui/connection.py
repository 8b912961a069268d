"""What an operator's window shows about its engine: the connection banner (the same words
and colours as the control room's) and the rehearsal mark (彩排) in its title and badge."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from .roles import identity_text

CONNECTION = {"connected": ("已连接", "#4caf50"), "connecting": ("正在连接…", "#ffb300")}
LOST = ("连接中断，正在重连…", "#e53935")
REHEARSAL_TITLE = "【彩排 REHEARSAL】"


class ConnectionBanner(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setTextFormat(Qt.PlainText)
        self.status = ""
        self.set_status("connecting", "")

    def set_status(self, status: str, detail: str) -> None:
        self.status = status
        text, colour = CONNECTION.get(status, LOST)
        self.setText(text)
        self.setToolTip(detail)
        self.setStyleSheet(f"background: {colour}; color: #000; border-radius: 6px; padding: 6px; font-weight: bold;")


class RehearsalBadge(QLabel):
    """Hidden on a real show; on a rehearsal engine, loud, so no one takes it for the show."""

    def __init__(self, parent=None):
        super().__init__("彩排 REHEARSAL · 不计入正式结果", parent)
        self.setTextFormat(Qt.PlainText)
        self.setStyleSheet("background: #ffd666; color: #3d2600; border: 2px solid #d48806; border-radius: 6px;"
                           " padding: 6px; font-weight: bold;")
        self.hide()


def signed_in_title(title: str, identity: dict | None, tr: Callable[[str], str] = str) -> str:
    """"百姓问政 审核台 — 张三 · 审核": every console's title says who is signed in on it."""
    who = identity_text(identity, tr)
    return f"{title} — {who}" if who else title


def mark_rehearsal(window: QWidget, badge: RehearsalBadge, title: str, scene: dict, identity: dict | None = None) -> None:
    """Title and badge from the scene's `rehearsal` (GET /api/scene), and who is signed in."""
    on = scene.get("rehearsal") is True
    title = signed_in_title(title, identity)
    window.setWindowTitle(REHEARSAL_TITLE + title if on else title)
    badge.setVisible(on)
