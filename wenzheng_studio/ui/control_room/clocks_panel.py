"""The big clocks: time of day, show and segment clocks, projected end, speaker timer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout

from ...core.cues import CueTracker, TimerReading
from ..fonts import app_font
from ..sound import CuePlayer
from .i18n import Translator
from .obs_status import ObsStatus
from .live_clock import ClockReading, clock_text, fmt_countdown, fmt_duration, scheduled_end, zone
from .style import AMBER, DIM, GREEN, RED, TEXT, TIMER_COLOURS, label, set_colour

CENTRE = Qt.AlignCenter


def _steady(lab) -> None:
    """Digits are proportional: a new second must not re-lay-out (and repaint) the window."""
    lab.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)


class ClocksPanel(QFrame):
    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self.tz = None
        self.scene: dict[str, Any] = {}
        self.cues = CueTracker()
        self.cues_played: list[str] = []  # which cues came due (for tests and the log)
        self.player: CuePlayer | None = None  # made at the first cue that is to sound

        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        self.time_of_day = self._cell(grid, 0, tr("当前时间"), 34, "88:88:88")
        self.show_elapsed = self._cell(grid, 1, tr("节目已用"), 34, "8:88:88")
        self.show_remaining = self._cell(grid, 2, tr("节目剩余"), 34, "8:88:88")
        self.over_under = self._cell(grid, 3, tr("超时/提前"), 34, "−88:88")

        grid2 = QGridLayout()
        grid2.setHorizontalSpacing(8)
        self.projected_end = self._cell(grid2, 0, tr("预计结束"), 30, "88:88:88")
        self.scheduled_end = self._cell(grid2, 1, tr("计划结束"), 30, "88:88:88")
        self.segment_remaining = self._cell(grid2, 2, tr("本环节剩余"), 30, "−88:88")
        self.segment_elapsed = self._cell(grid2, 3, tr("本环节已用"), 30, "88:88")

        self.status = label("", 22, True, DIM, CENTRE)
        self.timer_caption = label(tr("发言计时"), 16, False, DIM, Qt.AlignLeft | Qt.AlignVCenter)
        self.timer_label = label("", 26, True, TEXT, CENTRE)
        self.timer_digits = label("0:00", 100, True, GREEN, CENTRE)
        for lab in (self.status, self.timer_label, self.timer_digits):
            _steady(lab)
        # A fixed height (the font's line is far taller than its digits): the question queue
        # below keeps its rows at 1920x1080.
        self.timer_digits.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Fixed)
        self.timer_digits.setFixedHeight(132)
        self.timer_digits.setProperty("compact_pt", 58)
        self.sound = QCheckBox(tr("提示音"))
        self.sound.setFont(app_font(14))
        self.sound.setFocusPolicy(Qt.NoFocus)
        self.obs = ObsStatus()  # hidden unless the engine runs with --obs
        self.sound.toggled.connect(self._sound_toggled)

        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.obs, 2)
        top.addSpacing(12)
        top.addWidget(self.sound)
        timer_row = QHBoxLayout()  # caption and speaker on one line
        self.timer_caption.setFixedWidth(self.timer_caption.fontMetrics().horizontalAdvance(self.timer_caption.text()) + 16)
        timer_row.addWidget(self.timer_caption)
        timer_row.addWidget(self.timer_label, 1)
        timer_row.addSpacing(self.timer_caption.width())
        box = QVBoxLayout(self)
        box.setSpacing(2)
        box.setContentsMargins(8, 4, 8, 4)
        box.addLayout(top)
        box.addLayout(grid)
        box.addLayout(grid2)
        box.addLayout(timer_row)
        box.addWidget(self.timer_digits)

    @staticmethod
    def _cell(grid: QGridLayout, col: int, caption: str, size: float, widest: str):
        grid.addWidget(label(caption, 15, False, DIM, CENTRE), 0, col)
        value = label("--:--", size, True, TEXT, CENTRE)
        _steady(value)
        value.setProperty("widest", widest)
        value.setProperty("compact_pt", round(size * 0.7))
        value.setMinimumWidth(value.fontMetrics().horizontalAdvance(widest) + 8)
        grid.addWidget(value, 1, col)
        return value

    def set_compact(self, on: bool) -> None:
        """Called after the window scaled the fonts: the fixed sizes follow them."""
        self.timer_digits.setFixedHeight(78 if on else 132)
        for value in self.findChildren(QLabel):
            if value.property("widest"):
                value.setMinimumWidth(value.fontMetrics().horizontalAdvance(value.property("widest")) + 8)
        self.timer_caption.setFixedWidth(self.timer_caption.fontMetrics().horizontalAdvance(self.timer_caption.text()) + 16)

    def set_scene(self, scene: dict[str, Any]) -> None:
        self.scene = scene
        self.tz = zone(scene.get("timezone"))

    def refresh(self, r: ClockReading, hold: bool) -> None:
        tr = self.tr_
        status = {"standby": tr("待播"), "live": tr("直播中"), "ended": tr("已结束")}.get(r.show_status, r.show_status)
        if hold:
            status += f" · {tr('保持')}"
        self.status.setText(status)
        set_colour(self.status, RED if r.show_status == "live" else DIM)

        self.time_of_day.setText(clock_text(r.server_now, self.tz))
        self.show_elapsed.setText(fmt_duration(r.show_elapsed_s))
        self.show_remaining.setText(fmt_duration(r.show_remaining_s))
        self.over_under.setText(fmt_duration(r.over_under_s, signed=True) if abs(r.over_under_s) >= 1 else "±0:00")
        set_colour(self.over_under, RED if r.over_under_s >= 1 else (GREEN if r.over_under_s <= -1 else TEXT))

        self.projected_end.setText(clock_text(r.projected_end_at, self.tz))
        sched = scheduled_end(self.scene, r.projected_end_at) if self.scene else None
        self.scheduled_end.setText(clock_text(sched, self.tz) if sched else "--:--")
        late = sched is not None and r.projected_end_at - sched >= 1
        early = sched is not None and sched - r.projected_end_at >= 1
        set_colour(self.projected_end, RED if late else (GREEN if early else TEXT))

        self.segment_remaining.setText(fmt_duration(r.segment_remaining_s))
        seg_colour = RED if r.segment_remaining_s < 0 else (AMBER if r.segment_remaining_s <= 30 and r.show_status == "live" else TEXT)
        set_colour(self.segment_remaining, seg_colour)
        self.segment_elapsed.setText(fmt_duration(r.segment_elapsed_s))

        paused = r.timer_active and not r.timer_running
        self.timer_label.setText(r.timer_label + (f"  ({tr('暂停')})" if paused else ""))
        self.timer_digits.setText(fmt_countdown(r.timer_remaining_s) if r.timer_active else "0:00")
        set_colour(self.timer_digits, TIMER_COLOURS.get(r.timer_state, GREEN) if r.timer_active else DIM)
        self._cue(r)

    def _sound_toggled(self, on: bool) -> None:
        if on:  # open the audio device now: the first cue must not wait for it
            if self.player is None:
                self.player = CuePlayer()
            self.player.prepare()

    def _cue(self, r: ClockReading) -> None:
        """A cue as a running timer enters its warning time and one at zero (core/cues.py)."""
        cue = self.cues.observe(TimerReading(r.timer_active, r.timer_running, r.timer_remaining_s,
                                             r.timer_warning_s, r.timer_cut_at_zero))
        if cue is None:
            return
        self.cues_played.append(cue)
        if self.sound.isChecked():
            if self.player is None:
                self.player = CuePlayer()
            self.player.play(cue)
