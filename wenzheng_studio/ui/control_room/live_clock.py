"""Clocks that tick smoothly between engine pushes.

The engine pushes its state at most 10 times a second and only when something changes,
so the window interpolates: every reading is the last pushed value moved on by the
monotonic time since it arrived (only for the clocks that were running). No Qt here,
so the arithmetic is tested without a window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

NORMAL, WARNING, DANGER, OVER = "normal", "warning", "danger", "over"


@dataclass
class ClockReading:
    """Everything the clocks show at one instant, in seconds (epochs for *_at)."""

    server_now: float
    show_status: str
    show_elapsed_s: float
    show_remaining_s: float
    over_under_s: float
    projected_end_at: float
    segment_elapsed_s: float
    segment_remaining_s: float
    timer_label: str
    timer_remaining_s: float
    timer_running: bool
    timer_state: str
    timer_duration_s: float
    timer_active: bool  # started at least once since its last reset (a 0 s timer still counts up)
    timer_warning_s: float = 0.0
    timer_cut_at_zero: bool = False


def timer_state(remaining: float, duration: float, warning: float, danger: float, started: bool) -> str:
    """The same rule as the engine's SpeakerTimer.state, applied to the interpolated value."""
    if duration <= 0 and not started:
        return NORMAL
    if remaining <= 0:
        return OVER
    if danger and remaining <= danger:
        return DANGER
    if warning and remaining <= warning:
        return WARNING
    return NORMAL


class LiveClock:
    def __init__(self, monotonic: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time):
        self._mono = monotonic
        self._wall = wall
        self.state: dict[str, Any] = {}
        self._received = monotonic()
        self._server_offset = 0.0  # engine clock − local clock, so a remote engine's skew is harmless

    def update(self, state: dict[str, Any]) -> None:
        self.state = state
        self._received = self._mono()
        server_time = state.get("server_time")
        if isinstance(server_time, (int, float)):
            self._server_offset = server_time - self._wall()

    def since_update(self) -> float:
        return max(0.0, self._mono() - self._received)

    def server_now(self) -> float:
        return self._wall() + self._server_offset

    def read(self) -> ClockReading:
        s = self.state
        dt = self.since_update()
        show, seg, timer = s.get("show") or {}, s.get("segment") or {}, s.get("timer") or {}
        live = show.get("status") == "live"
        run = dt if live else 0.0

        seg_remaining_pushed = float(seg.get("remaining_s", 0.0))
        seg_remaining = seg_remaining_pushed - run
        # Projected remaining = what is left of this segment (never below 0) + the rest as planned.
        rest_of_show = float(show.get("remaining_s", 0.0)) - max(0.0, seg_remaining_pushed)
        show_remaining = max(0.0, seg_remaining) + rest_of_show
        show_elapsed = float(show.get("elapsed_s", 0.0)) + run
        planned = float(show.get("planned_s", 0.0))
        server_now = self.server_now()
        if live or show.get("status") == "standby":
            projected_end = server_now + show_remaining
        else:
            projected_end = float(show.get("projected_end_at") or server_now)

        running = bool(timer.get("running"))
        t_remaining = float(timer.get("remaining_s", 0.0)) - (dt if running else 0.0)
        duration = float(timer.get("duration_s", 0.0))
        started = running or float(timer.get("elapsed_s", 0.0)) > 0
        return ClockReading(
            server_now=server_now,
            show_status=str(show.get("status", "standby")),
            show_elapsed_s=show_elapsed,
            show_remaining_s=show_remaining,
            over_under_s=show_elapsed + show_remaining - planned,
            projected_end_at=projected_end,
            segment_elapsed_s=float(seg.get("elapsed_s", 0.0)) + run,
            segment_remaining_s=seg_remaining,
            timer_label=str(timer.get("label") or ""),
            timer_remaining_s=t_remaining,
            timer_running=running,
            timer_state=timer_state(t_remaining, duration, float(timer.get("warning_s", 0.0)),
                                    float(timer.get("danger_s", 0.0)), started),
            timer_duration_s=duration,
            timer_active=started or duration > 0,
            timer_warning_s=float(timer.get("warning_s", 0.0)),
            timer_cut_at_zero=bool(timer.get("cut_at_zero")),
        )


def fmt_duration(seconds: float, signed: bool = False) -> str:
    """m:ss (h:mm:ss past an hour); whole seconds rounded towards the past like a wall clock."""
    neg = seconds < 0
    total = int(abs(seconds)) if not neg else int(-seconds + 0.999)
    h, rest = divmod(total, 3600)
    m, sec = divmod(rest, 60)
    body = f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"
    if neg:
        return "−" + body
    return ("+" + body) if signed and total else body


def fmt_countdown(remaining: float) -> str:
    """A speaker countdown: 0:30 … 0:01, then +0:01, +0:02 … counting up once over."""
    if remaining > 0:
        return fmt_duration(int(remaining + 0.999))  # shows 0:30 for the whole first second
    return "+" + fmt_duration(-remaining)


def zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except Exception:
        return None


def clock_text(epoch: float, tz: ZoneInfo | None, seconds: bool = True) -> str:
    dt = datetime.fromtimestamp(epoch, tz) if tz else datetime.fromtimestamp(epoch)
    return dt.strftime("%H:%M:%S" if seconds else "%H:%M")


def scheduled_end(scene: dict[str, Any], around: float) -> float | None:
    """Scene start (HH:MM in the scene's zone) + planned total, on the day nearest `around`."""
    start = scene.get("start")
    planned = scene.get("planned_s")
    tz = zone(scene.get("timezone"))
    if not isinstance(start, str) or ":" not in start or not isinstance(planned, (int, float)):
        return None
    try:
        hh, mm = (int(x) for x in start.split(":")[:2])
    except ValueError:
        return None
    ref = datetime.fromtimestamp(around, tz) if tz else datetime.fromtimestamp(around)
    best = None
    for day in (-1, 0, 1):
        cand = (ref + timedelta(days=day)).replace(hour=hh, minute=mm, second=0, microsecond=0)
        end = cand.timestamp() + planned
        if best is None or abs(end - around) < abs(best - around):
            best = end
    return best
