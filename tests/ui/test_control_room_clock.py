"""The control room's clock arithmetic: interpolation between pushes, formats, scheduled end."""

from datetime import datetime
from zoneinfo import ZoneInfo

from wenzheng_studio.ui.control_room.live_clock import (LiveClock, fmt_countdown, fmt_duration, scheduled_end,
                                                        timer_state)


class FakeTime:
    def __init__(self):
        self.mono = 100.0
        self.wall = 1_000_000.0

    def advance(self, s):
        self.mono += s
        self.wall += s


def live_state(**over):
    state = {
        "server_time": 1_000_050.0,  # the engine's clock runs 50 s ahead of ours
        "show": {"status": "live", "elapsed_s": 100.0, "planned_s": 4200, "remaining_s": 4100.0},
        "segment": {"elapsed_s": 100.0, "remaining_s": 200.0},
        "timer": {"label": "王建国", "remaining_s": 12.0, "running": True, "duration_s": 30.0,
                  "elapsed_s": 18.0, "warning_s": 10.0, "danger_s": 5.0},
    }
    state.update(over)
    return state


def test_running_clocks_move_on_between_pushes():
    t = FakeTime()
    clock = LiveClock(lambda: t.mono, lambda: t.wall)
    clock.update(live_state())
    t.advance(2.5)
    r = clock.read()
    assert r.show_elapsed_s == 102.5
    assert r.segment_remaining_s == 197.5
    assert r.show_remaining_s == 4097.5
    assert r.over_under_s == 0.0
    assert r.timer_remaining_s == 9.5 and r.timer_state == "warning"
    assert r.server_now == 1_000_052.5  # skew kept: time of day is the engine's
    assert r.projected_end_at == 1_000_052.5 + 4097.5


def test_overrunning_segment_pushes_the_projected_end_and_timer_counts_up():
    t = FakeTime()
    clock = LiveClock(lambda: t.mono, lambda: t.wall)
    clock.update(live_state(segment={"elapsed_s": 290.0, "remaining_s": 10.0},
                            show={"status": "live", "elapsed_s": 290.0, "planned_s": 4200, "remaining_s": 3910.0}))
    t.advance(40)  # 30 s past the segment's plan
    r = clock.read()
    assert r.segment_remaining_s == -30.0
    assert r.show_remaining_s == 3900.0  # the rest of the plan, nothing left of this segment
    assert r.over_under_s == 30.0
    assert r.timer_state == "over" and r.timer_remaining_s == -28.0
    assert fmt_countdown(r.timer_remaining_s) == "+0:28"


def test_paused_timer_and_standby_show_do_not_move():
    t = FakeTime()
    clock = LiveClock(lambda: t.mono, lambda: t.wall)
    state = live_state(timer={"label": "x", "remaining_s": 20.0, "running": False, "duration_s": 30.0,
                              "elapsed_s": 10.0, "warning_s": 10.0, "danger_s": 5.0})
    state["show"]["status"] = "standby"
    clock.update(state)
    t.advance(5)
    r = clock.read()
    assert r.timer_remaining_s == 20.0 and not r.timer_running
    assert r.show_elapsed_s == 100.0 and r.segment_remaining_s == 200.0


def test_timer_state_thresholds():
    assert timer_state(11, 30, 10, 5, True) == "normal"
    assert timer_state(10, 30, 10, 5, True) == "warning"
    assert timer_state(5, 30, 10, 5, True) == "danger"
    assert timer_state(0, 30, 10, 5, True) == "over"
    assert timer_state(0, 0, 0, 0, False) == "normal"


def test_formats():
    assert fmt_duration(0) == "0:00"
    assert fmt_duration(4200) == "1:10:00"
    assert fmt_duration(-0.2) == "−0:01"
    assert fmt_duration(75, signed=True) == "+1:15"
    assert fmt_countdown(30) == "0:30"
    assert fmt_countdown(29.2) == "0:30"
    assert fmt_countdown(0.4) == "0:01"
    assert fmt_countdown(-3.7) == "+0:03"


def test_scheduled_end_of_the_default_scene_is_21_20_in_shanghai():
    tz = ZoneInfo("Asia/Shanghai")
    scene = {"start": "20:10", "planned_s": 4200, "timezone": "Asia/Shanghai"}
    around = datetime(2026, 11, 27, 20, 30, tzinfo=tz).timestamp()
    end = scheduled_end(scene, around)
    assert datetime.fromtimestamp(end, tz).strftime("%Y-%m-%d %H:%M") == "2026-11-27 21:20"
    assert scheduled_end({"start": "nonsense", "planned_s": 1}, around) is None
