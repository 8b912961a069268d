"""OverlayWindow: the overlay at exactly 1920x1080 device pixels on a key colour, for OBS
Window Capture (found by its title). No frame, no cursor, no dialogs: connection trouble
goes to the log, never into the picture."""

from __future__ import annotations

import logging

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..bridge import EngineBridge
from . import style as S
from .canvas import OverlayCanvas

log = logging.getLogger(__name__)
TITLE = "Wenzheng Studio Overlay"
TRANSPARENT = ("transparent", "none", "")


class OverlayWindow(QWidget):
    def __init__(self, url: str, key_color: str = "#00B140", parent: QWidget | None = None,
                 bridge: EngineBridge | None = None):
        super().__init__(parent, Qt.Window | Qt.FramelessWindowHint)
        self.setWindowTitle(TITLE)
        self.setCursor(Qt.BlankCursor)
        self.url = url.rstrip("/")
        transparent = (key_color or "").strip().lower() in TRANSPARENT
        if transparent:  # where the compositor allows it: real alpha, no keying needed
            self.setAttribute(Qt.WA_TranslucentBackground, True)
        elif not QColor(key_color).isValid():
            raise ValueError(f"not a colour: {key_color!r}")
        self.canvas = OverlayCanvas(self, background=None if transparent else key_color)
        self.canvas.setCursor(Qt.BlankCursor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.bridge = bridge or EngineBridge(self.url, None, namespace="/overlay", parent=self)
        self.bridge.stateChanged.connect(self.canvas.set_state)
        self.bridge.tallyChanged.connect(self.canvas.set_tally)
        self.bridge.connectionChanged.connect(self._connection)
        self._started = False
        self.fit_to_device_pixels()

    def fit_to_device_pixels(self) -> None:
        """1920x1080 device pixels whatever the screen scaling: OBS captures device pixels."""
        screen = self.screen()
        ratio = screen.devicePixelRatio() if screen is not None else self.devicePixelRatioF()
        ratio = ratio or 1.0
        self.setFixedSize(QSize(round(S.DESIGN_W / ratio), round(S.DESIGN_H / ratio)))

    def device_size(self) -> QSize:
        ratio = self.devicePixelRatioF() or 1.0
        return QSize(round(self.width() * ratio), round(self.height() * ratio))

    # --- lifecycle -----------------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        handle = self.windowHandle()
        if handle is not None:
            handle.screenChanged.connect(lambda _s: self.fit_to_device_pixels())
        self.fit_to_device_pixels()
        if not self._started:
            self._started = True
            self.bridge.start()

    def closeEvent(self, event) -> None:
        if self._started:
            self.bridge.stop()
            self._started = False
        super().closeEvent(event)

    # --- engine --------------------------------------------------------------------------
    def _connection(self, status: str, detail: str) -> None:
        log.info("overlay engine connection: %s %s", status, detail)
        if status == "connected":
            # (Re)connected: the engine sends the whole state on connect; the voting
            # address comes from the scene (it may have changed while we were away).
            self.bridge.request("GET", "/api/scene", callback=self._scene)

    def _scene(self, reply) -> None:
        if reply.ok and isinstance(reply.body, dict):
            self.canvas.set_scene(reply.body)
        elif not reply.ok:
            log.warning("overlay: no scene from the engine: %s", reply.error)
