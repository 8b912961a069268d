"""The director's control room: panels, keyboard, connection banner, the clock tick."""

from __future__ import annotations

import gc
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractSpinBox, QComboBox, QHBoxLayout, QLineEdit, QMainWindow,
                               QMessageBox, QSizePolicy, QVBoxLayout, QWidget)

from ..bridge import EngineBridge
from ..fonts import app_font, load_app_fonts
from .clocks_panel import ClocksPanel
from .extras import PreviewPanel, SeatCardsRow
from .i18n import Translator
from .live_clock import LiveClock
from .questions_panel import QuestionsPanel
from .running_order_panel import RunningOrderPanel
from .speakers_panel import SpeakersPanel
from .style import AMBER, DIM, GREEN, RED, STYLESHEET, label
from .votes_panel import VotesPanel

TICK_MS = 40            # 25 Hz: clocks move every frame a viewer could notice
SLOW_TICK_EVERY = 5     # status lines and rates: 5 Hz is plenty
TAKE_GUARD_S = 0.6      # a double press of TAKE must not skip a segment
ALERT_KEEP_S = 15.0

KEYS_HELP = ("Enter/F12 TAKE · Ctrl+← 上一环节 · Ctrl+1…9/Ctrl+G 跳转 · H 保持 · Space 计时 · N 下一位 · "
             "Shift+N 上一位 · =/- ±10秒 · Shift+R 重置 · C 清除发言人 · F5 新建 · F6 开始 · F7 结束 · "
             "F8 公布 · F9 上播 · F10/Shift+F10 答复完毕 · Shift+F9 撤下问题 · Ctrl+R 审核台")


def freeze_startup_objects() -> None:
    """Moves everything built at start-up (Qt wrappers, pyqtgraph, fonts) out of the garbage
    collector's reach: a full collection over them paused the GUI thread ~30 ms mid-vote."""
    gc.collect()
    gc.freeze()


class ControlRoomWindow(QMainWindow):
    def __init__(self, bridge: EngineBridge, lang: str | None = None, parent=None):
        super().__init__(parent)
        self.bridge = bridge
        self.review = None  # the review desk window, made on first Ctrl+R
        self.tr_ = tr = Translator(lang)
        load_app_fonts()
        self.setFont(app_font(14))
        self.setStyleSheet(STYLESHEET)
        self.setWindowTitle(tr("百姓问政 导演台"))
        self.clock = LiveClock()
        self.state: dict[str, Any] = {}
        self.scene: dict[str, Any] = {}
        self.connection = "connecting"
        self._last_take = 0.0
        self._alert_at = 0.0
        self._ticks = 0
        self.tick_count = 0

        self.banner = label(tr("正在连接…"), 18, True, None, Qt.AlignCenter)
        self.banner.setMinimumWidth(360)
        self.title = label("", 22, True)
        self.alert = label("", 16, True, RED)
        self.alert.setWordWrap(True)
        self.running_order = RunningOrderPanel(tr)
        self.clocks = ClocksPanel(tr)
        self.speakers = SpeakersPanel(tr)
        self.votes = VotesPanel(tr, bridge, lambda text: self.confirm(text))
        self.questions = QuestionsPanel(tr, bridge)
        self.preview = PreviewPanel(tr, bridge)
        self.seat_cards = SeatCardsRow(tr, bridge, self)
        self._layout()
        self._wire()
        self._shortcuts()
        self._set_connection("connecting", bridge.url)

        self.ticker = QTimer(self)
        self.ticker.setTimerType(Qt.PreciseTimer)
        self.ticker.timeout.connect(self._tick)
        self.ticker.start(TICK_MS)

    # --- layout ------------------------------------------------------------------------
    def _layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.banner)
        top.addWidget(self.title)
        top.addWidget(self.alert, 1)
        top.addWidget(self.seat_cards)

        left = QVBoxLayout()
        left.addWidget(self.running_order, 5)
        left.addWidget(self.questions, 4)
        middle = QVBoxLayout()
        middle.addWidget(self.clocks, 3)
        middle.addWidget(self.speakers, 2)
        right = QVBoxLayout()
        right.addWidget(self.preview, 4)
        right.addWidget(self.votes, 6)

        columns = QHBoxLayout()
        # Widths come from the stretch factors alone (not from button texts), so no
        # language or long label can squeeze one column for another.
        for layout, stretch, minimum in ((left, 5, 420), (middle, 8, 700), (right, 7, 560)):
            column = QWidget()
            column.setLayout(layout)
            layout.setContentsMargins(0, 0, 0, 0)
            column.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
            column.setMinimumWidth(minimum)
            columns.addWidget(column, stretch)
        keys = label(f"{self.tr_('快捷键')}: {self.tr_(KEYS_HELP)}", 11, False, DIM)
        keys.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)  # one line, clipped on a narrow screen
        root = QVBoxLayout()
        root.setContentsMargins(10, 4, 10, 2)
        root.setSpacing(4)
        root.addLayout(top)
        root.addLayout(columns, 1)
        root.addWidget(keys)
        body = QWidget()
        body.setLayout(root)
        body.setFocusPolicy(Qt.StrongFocus)  # the keys land here, not in a text field
        self.setCentralWidget(body)
        body.setFocus()

    def _wire(self) -> None:
        b = self.bridge
        b.stateChanged.connect(self.on_state)
        b.tallyChanged.connect(lambda poll: self.votes.on_tally(poll, time.monotonic()))
        b.questionsChanged.connect(lambda _ids: self.questions.refresh_soon())
        self.questions.review_btn.clicked.connect(self.open_review)
        b.connectionChanged.connect(self._set_connection)
        b.commandFailed.connect(self.show_alert)
        b.tallyChanged.connect(self.preview.set_tally)
        ro = self.running_order
        ro.takeRequested.connect(self.take)
        ro.prevRequested.connect(self.previous_segment)
        ro.gotoRequested.connect(self.goto_segment)
        ro.holdRequested.connect(lambda: b.control("segment.hold"))
        ro.endRequested.connect(self.end_show)
        self.speakers.actionRequested.connect(lambda action, fields: b.control(action, **fields))
        self.speakers.toggle.clicked.disconnect()
        self.speakers.toggle.clicked.connect(self.toggle_timer)

    def _shortcuts(self) -> None:
        v, q, sp, b = self.votes, self.questions, self.speakers, self.bridge
        table = [
            (("Return", "Enter"), self.take_from_keyboard), (("F12",), self.take),
            (("Ctrl+Left",), self.previous_segment), (("Ctrl+G",), self.running_order._goto_selected),
            (("H",), lambda: b.control("segment.hold")), (("Ctrl+E",), self.end_show),
            (("Space",), self.toggle_timer), (("N",), lambda: b.control("speaker.next")),
            (("Shift+N",), sp.previous), (("=", "+"), lambda: b.control("timer.add", seconds=10)),
            (("-",), lambda: b.control("timer.add", seconds=-10)), (("Shift+R",), lambda: b.control("timer.reset")),
            (("C",), lambda: b.control("speaker.clear")),
            (("F5",), v.create_poll), (("F6",), v.open_poll), (("F7",), v.close_poll), (("F8",), v.reveal_poll),
            (("Shift+F8",), lambda: b.control("poll.clear")),
            (("F9",), q.put_on_air), (("F10",), lambda: q.mark_answered("head")),
            (("Shift+F10",), lambda: q.mark_answered("deputy")),
            (("Shift+F9",), lambda: b.control("question.clear", lambda _r: q.refresh())),
        ]
        for n in range(1, 10):  # Ctrl+1 … Ctrl+9: go to that segment without the mouse
            table.append(((f"Ctrl+{n}",), lambda i=n - 1: self.goto_segment(i)))
        table.append((("Ctrl+O",), self.preview.toggle.toggle))
        table.append((("Ctrl+R",), self.open_review))
        self.shortcuts: dict[str, QShortcut] = {}
        for keys, slot in table:
            for key in keys:
                sc = QShortcut(QKeySequence(key), self)
                sc.setContext(Qt.WindowShortcut)
                sc.activated.connect(slot)
                self.shortcuts[key] = sc

    # --- live actions --------------------------------------------------------------------
    def confirm(self, text: str) -> bool:
        box = QMessageBox(QMessageBox.Warning, self.tr_("确认"), text, QMessageBox.Yes | QMessageBox.No, self)
        box.setTextFormat(Qt.PlainText)
        box.setDefaultButton(QMessageBox.No)  # Enter does not confirm by accident
        return box.exec() == QMessageBox.Yes

    def take_from_keyboard(self) -> None:
        """Enter while typing a poll title must not TAKE the next segment."""
        focus = self.focusWidget()
        if isinstance(focus, (QLineEdit, QAbstractSpinBox, QComboBox)):
            self.centralWidget().setFocus()  # Enter ends the typing; the next Enter TAKEs
            return
        self.take()

    def take(self) -> None:
        now = time.monotonic()
        if now - self._last_take < TAKE_GUARD_S:
            return
        self._last_take = now
        self.bridge.control("segment.next")

    def _live(self) -> bool:
        return (self.state.get("show") or {}).get("status") == "live"

    def previous_segment(self) -> None:
        if not self._live() or self.confirm(self.tr_("直播中回到之前的环节？")):
            self.bridge.control("segment.prev")

    def goto_segment(self, index: int) -> None:
        current = (self.state.get("segment") or {}).get("index", 0)
        if index == current and self._live():
            return
        if index < current and self._live() and not self.confirm(self.tr_("直播中回到之前的环节？")):
            return
        self.bridge.control("segment.goto", index=index)

    def end_show(self) -> None:
        if self.confirm(self.tr_("结束整场节目？")):
            self.bridge.control("show.end")

    def toggle_timer(self) -> None:
        """Space: a timer never started in this segment starts from the preset; otherwise pause/resume."""
        timer = self.state.get("timer") or {}
        used = timer.get("running") or timer.get("duration_s") or timer.get("elapsed_s")
        if not used:
            self.bridge.control("timer.start")
        else:
            self.bridge.control("timer.toggle")

    # --- engine pushes -----------------------------------------------------------------
    def on_state(self, state: dict[str, Any]) -> None:
        self.state = state
        self.clock.update(state)
        show = state.get("show") or {}
        self.title.setText(" ".join(p for p in (show.get("title", ""), (state.get("segment") or {}).get("title", "")) if p))
        self.running_order.set_rows(state.get("running_order") or [], show.get("status", "standby"))
        self.speakers.set_speakers(state.get("speakers") or [], state.get("speaker"))
        self.votes.on_state(state)
        self.questions.on_state(state)
        self.preview.set_state(state)
        self._tick()

    def _set_connection(self, status: str, detail: str) -> None:
        tr = self.tr_
        was = self.connection
        self.connection = status
        text, colour = {"connected": (tr("已连接"), GREEN), "connecting": (tr("正在连接…"), AMBER)}.get(
            status, (tr("连接中断，正在重连…"), RED))
        self.banner.setText(text)
        self.banner.setToolTip(detail)
        self.banner.setStyleSheet(f"background: {colour}; color: #000; border-radius: 6px; padding: 6px;")
        if status == "connected" and was != "connected":
            self.resync()

    def resync(self) -> None:
        """After any (re)connect: the whole scene, state and queue again, not just changes."""
        self.bridge.request("GET", "/api/scene", None, self._scene_loaded)
        self.bridge.request("GET", "/api/state", None,
                            lambda r: self.on_state(r.body) if r.ok and isinstance(r.body, dict) else None)
        self.questions.refresh()

    def _scene_loaded(self, reply) -> None:
        if reply.ok and isinstance(reply.body, dict):
            self.scene = reply.body
            self.clocks.set_scene(self.scene)
            self.votes.set_scene(self.scene)
            self.questions.set_scene(self.scene)
            self.seat_cards.set_scene(self.scene)

    def show_alert(self, text: str) -> None:
        self.alert.setText(f"{self.tr_('引擎拒绝')}: {text}")
        self._alert_at = time.monotonic()

    # --- the clock tick ----------------------------------------------------------------
    def _tick(self) -> None:
        self.tick_count += 1
        if not self.state:
            return
        reading = self.clock.read()
        self.clocks.refresh(reading, bool((self.state.get("segment") or {}).get("hold")))
        self.running_order.tick(self.clock.since_update() if reading.show_status == "live" else 0.0)
        self._ticks += 1
        if self._ticks % SLOW_TICK_EVERY == 0:
            now = time.monotonic()
            self.votes.tick(now, reading.server_now)
            if self.alert.text() and now - self._alert_at > ALERT_KEEP_S:
                self.alert.setText("")

    def open_review(self) -> None:
        """The review desk (初审, 终审, the director's queue, 办理跟踪) in a window of its own,
        on this control room's engine connection."""
        from ..review import ReviewWidget  # loads only when asked

        if self.review is None:
            self.review = ReviewWidget(self.bridge)
            self.review.resize(1280, 800)
        self.review.show()
        self.review.raise_()
        self.review.activateWindow()

    def closeEvent(self, event) -> None:
        self.ticker.stop()
        self.preview.close_window()
        if self.review is not None:
            self.review.close()
        super().closeEvent(event)
