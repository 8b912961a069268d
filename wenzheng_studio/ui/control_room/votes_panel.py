"""Votes: create from the scene's presets, open (optional countdown), close, reveal, live chart."""

from __future__ import annotations

from collections import deque
from typing import Any, Callable

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFrame, QGridLayout, QLineEdit, QSizePolicy, QSpinBox,
                               QVBoxLayout)

from ..fonts import app_font
from .i18n import Translator
from .live_clock import fmt_duration
from .style import AMBER, BLUE, DIM, GREEN, PANEL, RED, TEXT, button, label, set_colour
from .venue_table import VenueTable

STUDIO_COLOUR, REMOTE_COLOUR = "#3d8bfd", "#f5a623"
RATE_WINDOW_S = 3.0


def nice_ceiling(value: float) -> float:
    """The next of 1, 2, 5, 10, 20, 50 … at or above `value`."""
    step = 1.0
    while True:
        for m in (1, 2, 5):
            if m * step >= value:
                return m * step
        step *= 10


def poll_presets(scene: dict[str, Any], tr: Translator) -> list[dict[str, Any]]:
    """Satisfaction and rating4 with each unit of the scene, then yes/no."""
    presets = []
    for unit in scene.get("units", []) or []:
        name, short = unit.get("name", ""), unit.get("short") or unit.get("name", "")
        presets.append({"label": f"{tr('满意度')} · {short}", "kind": "satisfaction", "unit": name,
                        "title": f"您对{name}的整改情况是否满意？"})
    for unit in scene.get("units", []) or []:
        name, short = unit.get("name", ""), unit.get("short") or unit.get("name", "")
        presets.append({"label": f"{tr('测评')} · {short}", "kind": "rating4", "unit": name,
                        "title": f"请为{name}的工作打分"})
    presets.append({"label": tr("赞成/反对"), "kind": "yesno", "unit": "", "title": "您是否赞成？"})
    return presets


class VotesPanel(QFrame):
    pollShown = Signal(object)  # the poll now displayed (dict) or None

    def __init__(self, tr: Translator, bridge, confirm: Callable[[str], bool], parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self.bridge = bridge
        self.confirm = confirm
        self.poll: dict[str, Any] | None = None
        self.presets: list[dict[str, Any]] = []
        self._segment_key: tuple | None = None  # the segment whose poll was last preselected
        self._segment: dict[str, Any] = {}  # that segment: the presets rebuilt follow it again
        self._samples: deque[tuple[float, int]] = deque()
        self.rate = 0.0
        self._choice_keys: tuple = ()
        self._combined_labels: dict[str, tuple] = {}
        self._y_top = 0.0

        self.preset = QComboBox()
        self.preset.setFont(app_font(15))
        self.preset.setFocusPolicy(Qt.ClickFocus)
        self.preset.setMinimumWidth(140)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.title = QLineEdit()
        self.title.setFont(app_font(15))
        self.title.setFocusPolicy(Qt.ClickFocus)  # never focused by the window opening or Tab
        self.countdown = QSpinBox()
        self.countdown.setRange(0, 3600)
        self.countdown.setSingleStep(10)
        self.countdown.setSpecialValueText(tr("无"))
        self.countdown.setFont(app_font(15))
        self.countdown.setFocusPolicy(Qt.ClickFocus)
        self.revealed = QCheckBox(tr("即时公布"))
        self.revealed.setChecked(True)
        self.revealed.setFont(app_font(14))
        self.revealed.setFocusPolicy(Qt.NoFocus)

        self.create = button(tr("新建投票"), "F5")
        self.open = button(tr("开始投票"), "F6", object_name="take")
        self.close_button = button(tr("结束投票"), "F7", object_name="danger")
        self.reveal = button(tr("公布结果"), "F8")
        self.clear = button(tr("撤下投票"), "Shift+F8")
        self.create.clicked.connect(self.create_poll)
        self.open.clicked.connect(self.open_poll)
        self.close_button.clicked.connect(self.close_poll)
        self.reveal.clicked.connect(self.reveal_poll)
        self.clear.clicked.connect(lambda: self.bridge.control("poll.clear"))
        # 三民: the poll's tally by venue in place of the studio/remote chart, and its board on air
        self.venue_table = VenueTable(tr)
        self.venue_table.setVisible(False)
        self.board_mode = "auto"  # the engine's mode of the overlay's venue board
        self.board = button(tr("分会场上屏"), "Ctrl+F8")
        self.board.setVisible(False)
        self.board.clicked.connect(self.toggle_venue_board)
        self.multi_venue = False
        self.combined_hidden = False

        self.poll_title = label("", 15, False, TEXT)
        self.status = label(tr("没有投票"), 18, True)
        self.figures = label("", 20, True, TEXT)
        for lab in (self.poll_title, self.status, self.figures):  # one line each: clipped, never re-laid out
            lab.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)

        pg.setConfigOptions(antialias=True)
        self.plot = pg.PlotWidget(background=PANEL)
        self.plot.setMinimumHeight(120)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        for axis in ("bottom", "left"):
            self.plot.getAxis(axis).setTickFont(app_font(14))
            self.plot.getAxis(axis).setTextPen(TEXT)
        self.studio_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=STUDIO_COLOUR, name=tr("现场"))
        self.remote_bars = pg.BarGraphItem(x=[], height=[], width=0.38, brush=REMOTE_COLOUR, name=tr("场外"))
        legend = self.plot.addLegend(offset=(10, 5), labelTextColor=TEXT, colCount=2)  # items with a name join it
        legend.setFont(app_font(13))
        self.plot.addItem(self.studio_bars)
        self.plot.addItem(self.remote_bars)
        self.plot.getAxis("bottom").setTicks([[]])  # no poll yet: no choices to label
        self.plot.setXRange(-0.6, 2.6, padding=0)
        self.combined_grid = QGridLayout()
        self.compact = False

        form = QGridLayout()
        form.addWidget(label(tr("预设"), 14, False, DIM), 0, 0)
        form.addWidget(self.preset, 0, 1)
        form.addWidget(label(tr("倒计时(秒)"), 14, False, DIM), 0, 2)
        form.addWidget(self.countdown, 0, 3)
        form.addWidget(self.revealed, 0, 4)
        form.addWidget(label(tr("标题"), 14, False, DIM), 1, 0)
        form.addWidget(self.title, 1, 1, 1, 4)
        form.setColumnStretch(1, 1)
        buttons = QGridLayout()
        for i, b in enumerate((self.create, self.open, self.close_button, self.reveal, self.clear, self.board)):
            buttons.addWidget(b, i // 3, i % 3)
        box = QVBoxLayout(self)
        self.heading = label(tr("投票"), 18, True)
        box.addWidget(self.heading)
        box.addLayout(form)
        box.addLayout(buttons)
        box.addWidget(self.poll_title)
        box.addWidget(self.status)
        box.addWidget(self.figures)
        box.addWidget(self.plot, 1)
        box.addWidget(self.venue_table, 1)
        box.addLayout(self.combined_grid)
        self._enable()

    # --- scene and presets -------------------------------------------------------------
    def set_scene(self, scene: dict[str, Any]) -> None:
        self.presets = poll_presets(scene, self.tr_)
        self.preset.blockSignals(True)
        self.preset.clear()
        for p in self.presets:
            self.preset.addItem(p["label"])
        self.preset.blockSignals(False)
        self.countdown.setValue(int(scene.get("poll_countdown_s") or 0))
        self._preset_chosen(0)
        # A room opened (or reconnected) mid-hearing gets the state before the scene: the slot
        # on air still asks for its unit's 测评, not the first preset (满意度).
        self._follow_segment(self._segment)
        self.venue_table.set_scene(scene)
        self.multi_venue = len(scene.get("venues") or []) > 1
        self.plot.setVisible(not self.multi_venue)
        self.venue_table.setVisible(self.multi_venue)
        self.board.setVisible(self.multi_venue)
        # Phones that carry no weight (三民): the table's 合计 row is the combined figure; its row of
        # big shares would only repeat it, and the venues need the height.
        self.combined_hidden = self.multi_venue and not float(scene.get("remote_weight") or 0)
        self._show_combined()
        # the venues' rows need the height: the figures join the status line
        self.figures.setVisible(not self.multi_venue)
        self.heading.setVisible(not (self.multi_venue and self.compact))
        self._draw()

    def _preset_chosen(self, index: int) -> None:
        if 0 <= index < len(self.presets):
            self.title.setText(self.presets[index]["title"])

    # --- actions -----------------------------------------------------------------------
    def create_poll(self) -> None:
        i = self.preset.currentIndex()
        if not 0 <= i < len(self.presets):
            return
        p = self.presets[i]
        body = {"title": self.title.text().strip() or p["title"], "kind": p["kind"],
                "revealed": self.revealed.isChecked()}
        if p["unit"]:
            body["unit"] = p["unit"]
        self.bridge.request("POST", "/api/polls", body, lambda reply: self._created(reply, body), quiet=True)

    def _created(self, reply, body: dict[str, Any]) -> None:
        if reply.ok and isinstance(reply.body, dict) and isinstance(reply.body.get("poll"), dict):
            self.show_poll(reply.body["poll"])
        elif reply.status == 409 and isinstance(reply.body, dict) and reply.body.get("error") == "already_scored":
            # The unit's 测评 was already held: a second one would replace its score in the
            # ranking. Only on purpose (F5 on the wrong segment must not do it).
            if self.confirm(self.tr_("{unit} 已有测评投票，再建一个会取代它在排名中的成绩。确定重新测评？")
                            .format(unit=body.get("unit", ""))):
                self.bridge.request("POST", "/api/polls", {**body, "replace": True},
                                    lambda again: self._created(again, body))
        elif not reply.ok:
            self.bridge.commandFailed.emit(reply.error)  # quiet above: said here, once

    def _poll_reply(self, reply) -> None:
        if reply.ok and isinstance(reply.body, dict) and "id" in reply.body:
            self.show_poll(reply.body)

    def open_poll(self) -> None:
        if self.poll and self.poll.get("state") == "draft":
            body = {"countdown_s": self.countdown.value()} if self.countdown.value() else {}
            self.bridge.request("POST", f"/api/polls/{self.poll['id']}/open", body, self._poll_reply)

    def close_poll(self) -> None:
        """Closing early is irreversible: the director confirms."""
        if self.poll and self.poll.get("state") == "open":
            if self.confirm(self.tr_("投票尚未自动截止，现在结束？")):
                self.bridge.request("POST", f"/api/polls/{self.poll['id']}/close", {}, self._poll_reply)

    def toggle_venue_board(self) -> None:
        """The venue board on air (overlay element "venues" shown), or off again."""
        self.bridge.control("overlay.set", element="venues", mode="hide" if self.board_mode == "show" else "show")

    def reveal_poll(self) -> None:
        if self.poll and not self.poll.get("revealed"):
            self.bridge.request("POST", f"/api/polls/{self.poll['id']}/reveal", {}, self._poll_reply)

    # --- engine pushes -----------------------------------------------------------------
    def on_state(self, state: dict[str, Any]) -> None:
        mode = str((state.get("overlay") or {}).get("venues") or "auto")
        if mode != self.board_mode:
            self.board_mode = mode
            self.board.setText(f"{self.tr_('撤下分会场' if mode == 'show' else '分会场上屏')}  [Ctrl+F8]")
        seg = state.get("segment") or {}
        key = (seg.get("index"), seg.get("key"))
        if key != self._segment_key:  # a new segment: preselect the poll it calls for (F5 creates it)
            self._segment_key, self._segment = key, seg
            self._follow_segment(seg)
        poll = state.get("poll")
        if isinstance(poll, dict) and (self.poll is None or (poll.get("id") or 0) >= (self.poll.get("id") or 0)):
            self.show_poll(poll)

    def _follow_segment(self, seg: dict[str, Any]) -> None:
        """A hearing slot asks for a rating4 poll of its unit: choose that preset and title."""
        kind, unit = seg.get("poll_kind"), seg.get("unit") or ""
        if not kind:
            return
        for i, p in enumerate(self.presets):
            if p["kind"] == kind and (p["unit"] == unit or kind == "yesno"):
                self.preset.blockSignals(True)
                self.preset.setCurrentIndex(i)
                self.preset.blockSignals(False)
                self._preset_chosen(i)
                if seg.get("poll_title"):
                    self.title.setText(seg["poll_title"])
                return

    def on_tally(self, poll: dict[str, Any], now: float) -> None:
        if self.poll is not None and poll.get("id") == self.poll.get("id"):
            self.show_poll(poll, now)

    def show_poll(self, poll: dict[str, Any], now: float | None = None) -> None:
        if self.poll is None or poll.get("id") != self.poll.get("id"):
            self._samples.clear()
            self.rate = 0.0
        merged = dict(poll)
        if "tally" not in merged and self.poll and self.poll.get("id") == poll.get("id"):
            for k in ("tally", "ballots", "combined", "score", "venues"):  # a view without tally keeps ours
                if k in self.poll:
                    merged[k] = self.poll[k]
        self.poll = merged
        if now is not None and "ballots" in merged:
            self._samples.append((now, int(merged["ballots"])))
        self._draw()
        self._enable()
        self.pollShown.emit(self.poll)

    def _enable(self) -> None:
        """The buttons' enabled state is the window's (actions.py), from pollShown."""

    def _draw(self) -> None:
        p = self.poll or {}
        choices = p.get("choices") or []
        keys = tuple(c["key"] for c in choices)
        tally = p.get("tally") or {}
        studio = [tally.get("studio", {}).get(k, 0) for k in keys]
        remote = [tally.get("remote", {}).get(k, 0) for k in keys]
        xs = list(range(len(keys)))
        self.studio_bars.setOpts(x=[x - 0.2 for x in xs], height=studio, width=0.38)
        self.remote_bars.setOpts(x=[x + 0.2 for x in xs], height=remote, width=0.38)
        if keys != self._choice_keys:
            self._choice_keys = keys
            self.plot.getAxis("bottom").setTicks([[(i, c["label"]) for i, c in enumerate(choices)]])
            self.plot.setXRange(-0.6, max(0, len(keys) - 1) + 0.6, padding=0)
            self._build_combined(choices)
        top = nice_ceiling(max([1, *studio, *remote]) * 1.15)
        if top != self._y_top:  # re-ranging repaints the axes: only on a step (1, 2, 5 × 10^k)
            self._y_top = top
            self.plot.setYRange(0, top, padding=0)
        if self.multi_venue:
            self.venue_table.show_poll(p)
        combined = p.get("combined") or {}
        for k, (name, value) in self._combined_labels.items():
            value.setText(f"{combined.get(k, 0.0):.1f}%")

    def _show_combined(self) -> None:
        for i in range(self.combined_grid.count()):
            w = self.combined_grid.itemAt(i).widget()
            if w:
                w.setVisible(not self.combined_hidden)

    def _build_combined(self, choices: list[dict[str, Any]]) -> None:
        while self.combined_grid.count():
            w = self.combined_grid.takeAt(0).widget()
            if w:
                w.deleteLater()
        self._combined_labels = {}
        self.combined_grid.addWidget(label(self.tr_("合计"), 14, False, DIM), 0, 0)
        for col, c in enumerate(choices, start=1):
            name = label(c["label"], 15, False, DIM, Qt.AlignCenter)
            value = label("0.0%", 26, True, TEXT, Qt.AlignCenter)
            value.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)  # new digits: no re-layout
            value.setProperty("base_pt", 26.0)  # the window's compact scaling knows both sizes
            value.setProperty("compact_pt", 16)
            if self.compact:
                value.setFont(app_font(16, True))
            value.setMinimumHeight(value.fontMetrics().height() + 4)
            self.combined_grid.addWidget(name, 0, col)
            self.combined_grid.addWidget(value, 1, col)
            self._combined_labels[c["key"]] = (name, value)
        self._show_combined()

    def set_compact(self, on: bool) -> None:
        self.compact = on
        self.venue_table.set_compact(on)
        self.heading.setVisible(not (self.multi_venue and on))
        self.plot.setMinimumHeight(48 if on else 120)
        self.plot.showAxis("left", not on)  # a low chart: the figures above say the numbers
        for _name, value in self._combined_labels.values():  # fonts already scaled by the window
            value.setMinimumHeight(value.fontMetrics().height() + 4)
        for axis in ("bottom", "left"):
            self.plot.getAxis(axis).setTickFont(app_font(11 if on else 14))

    def tick(self, mono_now: float, server_now: float) -> None:
        """Status line, countdown and ballots per second; called a few times a second."""
        tr = self.tr_
        p = self.poll
        if not p:
            self.status.setText(tr("没有投票"))
            self.poll_title.setText("")
            self.figures.setText("")
            return
        while self._samples and mono_now - self._samples[0][0] > RATE_WINDOW_S:
            self._samples.popleft()
        ballots = int(p.get("ballots", 0))
        if self._samples and p.get("state") == "open":
            t0, b0 = self._samples[0]
            self.rate = (ballots - b0) / max(mono_now - t0, 1.0)
        else:
            self.rate = 0.0
        state = p.get("state")
        words = {"draft": tr("草稿"), "open": tr("投票中"), "closed": tr("已截止")}.get(state, state)
        self.poll_title.setText(f"#{p.get('id')} {p.get('title', '')}")
        parts = [words]
        if not p.get("revealed"):
            parts.append(tr("未公布"))
        if state == "open" and p.get("closes_at"):
            parts.append(f"{tr('自动截止')} {fmt_duration(max(0.0, p['closes_at'] - server_now))}")
        self.status.setText(" · ".join(parts))
        set_colour(self.status, GREEN if state == "open" else (AMBER if state == "draft" else DIM))
        figures = f"{tr('总票数')} {ballots}    {self.rate:.0f} {tr('票/秒')}"
        if p.get("score") is not None:
            figures += f"    {tr('得分')} {p['score']}"
        self.figures.setText(figures)
        if self.multi_venue:
            parts += [f"{tr('总票数')} {ballots}", f"{self.rate:.0f} {tr('票/秒')}"]
            self.status.setText(" · ".join(parts))
        set_colour(self.figures, RED if state == "open" and not p.get("revealed") else (BLUE if state == "open" else TEXT))
