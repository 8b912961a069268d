"""The director's control room on a real engine (a child process), as the UI tests drive it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from wenzheng_studio.client import EmbeddedEngine
from wenzheng_studio.ui.bridge import EngineBridge
from wenzheng_studio.ui.control_room import ControlRoomWindow

TOKEN = "control-room-test-token"
AS_DIRECTOR = object()  # Room.api's default token: the engine's admin token (None: no token at all)


def http(url: str, method: str = "GET", body=None, token: str | None = TOKEN):
    """(status, parsed JSON) of one request; an HTTP error is an answer, not an exception."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


class Room:
    """Engine + bridge + window, shown at `size` and connected (state, scene and role known);
    confirmations are answered from `confirm_answers`. `token` is the engine's admin token;
    `bridge_token` signs the window in as someone else; `engine` shares another room's engine."""

    def __init__(self, qtbot, tmp_path: Path, *, token: str = TOKEN, bridge_token: str | None = None,
                 engine: EmbeddedEngine | None = None, scene: Path | None = None, size=(1920, 1080),
                 lang: str | None = None, rehearsal: bool = False):
        self.qtbot = qtbot
        self.token = token
        self.own_engine = engine is None
        self.engine = engine or EmbeddedEngine(port=0, host="127.0.0.1", db=str(tmp_path / "show.db"),
                                               admin_token=token, scene=str(scene) if scene else None,
                                               extra_args=["--voter-token-rate", "0"], rehearsal=rehearsal)
        self.url = self.engine.start() if self.own_engine else engine.url
        self.bridge = EngineBridge(self.url, bridge_token or token)
        self.window = ControlRoomWindow(self.bridge, lang)
        self.confirm_answers: list[bool] = []
        self.confirm_asked: list[str] = []
        self.window.confirm = self._confirm
        qtbot.addWidget(self.window)
        self.window.resize(*size)
        self.window.show()
        self.window.activateWindow()
        qtbot.waitExposed(self.window)
        self.bridge.start()
        qtbot.waitUntil(lambda: self.window.connection == "connected" and bool(self.window.state)
                        and bool(self.window.scene) and self.bridge.role is not None, timeout=15000)
        self.window.refresh_actions()

    def _confirm(self, text: str) -> bool:
        self.confirm_asked.append(text)
        return self.confirm_answers.pop(0) if self.confirm_answers else False

    def press(self, key, modifier=Qt.NoModifier) -> None:
        self.window.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is self.window, timeout=3000)
        self.qtbot.keyClick(self.window, key, modifier)

    def api(self, path: str, method: str = "GET", body=None, token=AS_DIRECTOR):
        return http(self.url + path, method, body, self.token if token is AS_DIRECTOR else token)

    @property
    def state(self) -> dict:
        return self.window.state

    def close(self) -> None:
        self.window.close()
        self.bridge.stop()
        if self.own_engine:
            self.engine.stop()
