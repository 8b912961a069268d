"""The on-air preview (the overlay's own canvas) and the seat-card row of the control room
(seat cards, and the button of the 评议代表抽选 dialog)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QFrame, QHBoxLayout, QSpinBox, QVBoxLayout, QWidget

from ..bridge import EngineBridge
from ..fonts import app_font
from .i18n import Translator
from .style import DIM, button, label

PREVIEW_W, PREVIEW_H = 16, 9


class PreviewPanel(QFrame):
    """Exactly what is on air: its own /overlay connection, so a tally that is not revealed
    stays hidden here too (the control connection sees operator data)."""

    def __init__(self, tr: Translator, control_bridge: EngineBridge, parent=None):
        super().__init__(parent)
        from ..overlay import OverlayCanvas

        self.setObjectName("panel")
        self.tr_ = tr
        self.url = control_bridge.url
        self.window = None
        self.feed = EngineBridge(self.url, None, namespace="/overlay", parent=self)
        self.area = QWidget()
        self.area.setStyleSheet("background: #3a3a3a;")  # a neutral grey shows transparent areas
        self.area.setMinimumHeight(120)
        self.canvas = OverlayCanvas(self.area, background=None)
        self.feed.stateChanged.connect(self.canvas.set_state)
        self.feed.tallyChanged.connect(self.canvas.set_tally)
        self.feed.connectionChanged.connect(self._connection)
        self.toggle = button(tr("播出窗口"), "Ctrl+O")
        self.toggle.setCheckable(True)
        self.toggle.toggled.connect(self.show_window)
        self.top = top = QHBoxLayout()  # compact: the ranking board's cue joins this row (graphics_panel.py)
        top.addWidget(label(tr("预览"), 18, True))
        top.addStretch(1)
        top.addWidget(self.toggle)
        box = QVBoxLayout(self)
        box.addLayout(top)
        box.addWidget(self.area, 1)
        self.feed.start()

    def set_compact(self, on: bool) -> None:
        self.area.setMinimumHeight(56 if on else 120)  # it grows into what the votes leave

    # The control room's own pushes are operator views; the preview ignores them.
    def set_state(self, state: dict[str, Any]) -> None:
        pass

    def set_tally(self, poll: dict[str, Any]) -> None:
        pass

    def _connection(self, status: str, _detail: str) -> None:
        if status == "connected":
            self.feed.request("GET", "/api/scene", callback=self._scene)

    def _scene(self, reply) -> None:
        if reply.ok and isinstance(reply.body, dict):
            self.canvas.set_scene(reply.body)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._fit()

    def _fit(self) -> None:
        w, h = self.area.width(), self.area.height()
        cw = min(w, h * PREVIEW_W // PREVIEW_H)
        ch = cw * PREVIEW_H // PREVIEW_W
        self.canvas.setGeometry((w - cw) // 2, (h - ch) // 2, cw, ch)

    def show_window(self, on: bool) -> None:
        """The full 1920x1080 overlay window for OBS Window Capture, on this PC."""
        from ..overlay import OverlayWindow

        if on and self.window is None:
            self.window = OverlayWindow(self.url)
            self.window.show()
        elif not on and self.window is not None:
            self.window.close()
            self.window = None

    def close_window(self) -> None:
        self.show_window(False)
        self.feed.stop()


class SeatCardsRow(QFrame):
    """Issues in-studio seat credentials and prints them as a PDF of cards."""

    def __init__(self, tr: Translator, bridge: EngineBridge, owner: QWidget, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self.bridge = bridge
        self.owner = owner
        self.title = ""
        self.venue = "main"
        self.count = QSpinBox()
        self.count.setRange(1, 2000)
        self.count.setValue(100)
        self.count.setFont(app_font(15))
        self.count.setFocusPolicy(Qt.ClickFocus)
        self.make = button(tr("生成座位卡"))
        self.make.clicked.connect(self.issue)
        self.draw_btn = button(tr("抽选代表"))  # 评议代表抽选 (the window opens the dialog)
        self.result = label("", 14, False, DIM)
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 2, 8, 2)
        row.addWidget(label(tr("座位卡"), 16, True))
        row.addWidget(label(tr("座位数"), 14, False, DIM))
        row.addWidget(self.count)
        row.addWidget(self.make)
        row.addWidget(self.draw_btn)
        row.addWidget(self.result, 1)

    def set_scene(self, scene: dict[str, Any]) -> None:
        self.title = str(scene.get("title") or "")
        venues = scene.get("venues") or ["main"]
        self.venue = venues[0]

    def issue(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.owner, self.tr_("座位卡"), "seat-cards.pdf", "PDF (*.pdf)")
        if path:
            self.issue_to(path)

    def issue_to(self, path: str) -> None:
        body = {"venue": self.venue, "count": self.count.value()}
        self.bridge.request("POST", "/api/seats", body, lambda reply: self._write(reply, path))

    def _write(self, reply, path: str) -> None:
        if not (reply.ok and isinstance(reply.body, dict)):
            return  # the bridge already shows the engine's error
        from ..seat_cards import write_seat_cards_pdf

        seats = reply.body.get("seats", [])
        write_seat_cards_pdf(seats, path, self.title)
        self.result.setText(f"{self.tr_('已保存')}: {len(seats)} → {path}")
        self.result.setTextInteractionFlags(Qt.TextSelectableByMouse)
