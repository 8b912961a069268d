"""OBS's status in the clocks panel: linked or not (and why), the program scene, 直播/录制 dots.

`obs_view` decides everything from the engine's state (pure, no Qt); the widget only
paints it. Absent (`state.obs` missing: the engine runs without --obs) it is hidden.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from .style import AMBER, DIM, GREEN, RED, label, set_colour

_DOWN = {"unreachable": "OBS 未连接", "no_answer": "OBS 无响应", "auth_failed": "OBS 密码错误",
         "password_needed": "OBS 需要密码"}
_WHY = {"unreachable": "OBS 未运行，或未开启 WebSocket 服务器（工具 → WebSocket 服务器设置）；正在自动重试",
        "no_answer": "OBS 接受了连接但不应答（卡住或过忙）；正在自动重连",
        "auth_failed": "OBS 拒绝了密码：请核对 --obs-password 或 WENZHENG_OBS_PASSWORD",
        "password_needed": "OBS 要求密码：请用 --obs-password 或 WENZHENG_OBS_PASSWORD 提供"}


def obs_view(obs: dict[str, Any] | None) -> dict[str, Any]:
    """What the OBS status shows: visible, text, colour, tooltip, streaming, recording."""
    if not isinstance(obs, dict):
        return {"visible": False, "text": "", "colour": DIM, "tooltip": "", "streaming": False, "recording": False}
    connected = bool(obs.get("connected"))
    problem = obs.get("problem")
    pending = obs.get("pending_scene")
    scene = obs.get("program_scene") or "—"
    tooltip = f"OBS：{obs.get('url', '')}"
    if not connected:
        text, colour = _DOWN.get(problem, "OBS 未连接"), RED
        tooltip += "\n" + _WHY.get(problem, _WHY["unreachable"])
        if pending:
            text += f" · 待切换「{pending}」"
            tooltip += f"\n连上后切到「{pending}」（只切最新的一个）"
    elif problem == "switch_failed":
        text, colour = f"OBS 无场景「{obs.get('failed', '')}」 · {scene}", AMBER
        tooltip += "\n切换失败：请在 OBS 中建同名场景，或改节目流程的 OBS 场景名"
    elif problem == "mute_failed":
        text, colour = f"OBS 无输入「{obs.get('failed', '')}」 · {scene}", AMBER
        tooltip += "\n静音失败：请核对节目流程的 obs_mute 输入名"
    else:
        text, colour = f"OBS · {scene}", GREEN
        tooltip += "\n已连接：TAKE 切换到本环节的 OBS 场景"
    if obs.get("detail"):
        tooltip += f"\n（{obs['detail']}）"
    return {"visible": True, "text": text, "colour": colour, "tooltip": tooltip,
            "streaming": connected and bool(obs.get("streaming")), "recording": connected and bool(obs.get("recording"))}


class ObsStatus(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.link = label("", 14, True, DIM)
        self.link.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # a long scene name is cut, never widens
        self.link.setMinimumWidth(90)
        self.streaming = label("● 直播", 14, True, DIM)
        self.recording = label("● 录制", 14, True, DIM)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.link, 1)
        row.addWidget(self.streaming)
        row.addWidget(self.recording)
        self.view = obs_view(None)
        self.setVisible(False)

    def set_obs(self, obs: dict[str, Any] | None) -> None:
        view = obs_view(obs)
        if view == self.view:
            return  # the state arrives many times a second: repaint only what changed
        self.view = view
        self.setVisible(view["visible"])
        self._elide()
        self.setToolTip(view["tooltip"])
        set_colour(self.link, view["colour"])
        set_colour(self.streaming, RED if view["streaming"] else DIM)
        set_colour(self.recording, RED if view["recording"] else DIM)
        self.streaming.setToolTip("OBS 正在推流直播" if view["streaming"] else "OBS 未推流")
        self.recording.setToolTip("OBS 正在录制" if view["recording"] else "OBS 未录制")

    def _elide(self) -> None:
        """A long scene name ends in … within the room it has; the tooltip has it whole."""
        text = self.view["text"]
        width = self.link.width()
        self.link.setText(self.link.fontMetrics().elidedText(text, Qt.ElideRight, width) if width > 20 else text)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._elide()
