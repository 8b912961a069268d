"""A whole 70-minute show on a fake clock: no drift, pledges over time, pause/resume, add."""

import pytest

from wenzheng_studio.core.clock import FakeClock
from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import Show
from wenzheng_studio.paths import scenes_dir


@pytest.fixture
def scene():
    return load_scene(scenes_dir() / "baixing-wenzheng.toml")


@pytest.fixture
def show(scene):
    return Show(scene)


def test_default_scene_fills_exactly_seventy_minutes(scene):
    assert scene.planned_s == 70 * 60
    assert [s.key for s in scene.segments] == [
        "pledge", "results", "revisit", "questions", "comment", "suggest", "outdoor", "vote", "promise"]
    assert scene.start == "20:10" and scene.weekday == "friday"
    pledge = scene.segments[0]
    assert pledge.timer.seconds == 30 and len(pledge.speakers) == len(scene.units)


def test_seventy_minutes_to_plan_ends_with_zero_error(show, scene):
    clock = FakeClock()
    show.control({"action": "segment.next"}, clock.now())  # TAKE: first segment on air
    for i, seg in enumerate(scene.segments):
        # Step through each segment in uneven ticks, as a UI would poll.
        steps = 0
        while steps < seg.planned_s:
            dt = min(0.37, seg.planned_s - steps)
            clock.advance(dt)
            steps += dt
        state = show.state(clock.now())
        assert state["segment"]["index"] == i
        assert state["segment"]["elapsed_s"] == pytest.approx(seg.planned_s, abs=1e-6)
        if i + 1 < len(scene.segments):
            show.control({"action": "segment.next"}, clock.now())
    state = show.state(clock.now())
    assert state["show"]["elapsed_s"] == pytest.approx(4200, abs=1e-6)
    assert state["show"]["over_under_s"] == pytest.approx(0, abs=1e-6)
    assert state["show"]["remaining_s"] == pytest.approx(0, abs=1e-6)
    show.control({"action": "show.end"}, clock.now())
    clock.advance(100)
    assert show.state(clock.now())["show"]["elapsed_s"] == pytest.approx(4200, abs=1e-6)
    actual = [row["actual_s"] for row in show.state(clock.now())["running_order"]]
    assert actual == pytest.approx([s.planned_s for s in scene.segments], abs=1e-6)


def test_overrun_moves_projected_end_and_shows_over(show):
    clock = FakeClock()
    show.control({"action": "segment.goto", "index": 0}, clock.now())
    start = clock.now()
    clock.advance(300 + 45)  # pledge planned 5:00, ran 5:45
    state = show.state(clock.now())
    assert state["show"]["over_under_s"] == pytest.approx(45)
    assert state["show"]["projected_end_at"] == pytest.approx(start + 4200 + 45)
    assert state["segment"]["remaining_s"] == pytest.approx(-45)


def test_pledge_round_with_a_speaker_over_time(show, scene):
    clock = FakeClock()
    show.control({"action": "segment.goto", "index": 0}, clock.now())
    show.control({"action": "speaker.next"}, clock.now())
    state = show.state(clock.now())
    assert state["speaker"]["name"] == scene.units[0].head
    assert state["timer"] == {**state["timer"], "remaining_s": 30, "running": True, "state": "normal"}
    clock.advance(20.5)
    assert show.state(clock.now())["timer"]["state"] == "warning"   # 9.5 s left, warning at 10
    clock.advance(5)
    assert show.state(clock.now())["timer"]["state"] == "danger"    # 4.5 s left, danger at 5
    clock.advance(12)
    timer = show.state(clock.now())["timer"]
    assert timer["state"] == "over" and timer["remaining_s"] == pytest.approx(-7.5)
    # Next speaker: a fresh 30 s, while segment and show clocks keep running.
    show.control({"action": "speaker.next"}, clock.now())
    state = show.state(clock.now())
    assert state["speaker"]["index"] == 1 and state["timer"]["remaining_s"] == 30
    assert state["segment"]["elapsed_s"] == pytest.approx(37.5)
    for _ in range(len(scene.units) - 2):
        show.control({"action": "speaker.next"}, clock.now())
    with pytest.raises(DomainError) as err:
        show.control({"action": "speaker.next"}, clock.now())
    assert err.value.code == "bad_transition"


def test_pause_resume_and_add_time(show):
    clock = FakeClock()
    show.control({"action": "timer.start", "seconds": 60, "label": "嘉宾"}, clock.now())
    clock.advance(10)
    show.control({"action": "timer.pause"}, clock.now())
    clock.advance(1000)  # paused: nothing moves
    assert show.state(clock.now())["timer"]["remaining_s"] == pytest.approx(50)
    show.control({"action": "timer.resume"}, clock.now())
    clock.advance(5)
    show.control({"action": "timer.add", "seconds": 30}, clock.now())
    assert show.state(clock.now())["timer"]["remaining_s"] == pytest.approx(75)
    show.control({"action": "timer.add", "seconds": -100}, clock.now())
    assert show.state(clock.now())["timer"]["state"] == "over"
    show.control({"action": "timer.reset"}, clock.now())
    t = show.state(clock.now())["timer"]
    assert t["running"] is False and t["elapsed_s"] == 0


def test_hearing_report_is_cut_at_zero():
    scene = load_scene(scenes_dir() / "pingyi-hearing.toml")
    show = Show(scene)
    clock = FakeClock()
    show.control({"action": "segment.goto", "index": 1}, clock.now())  # the first unit's report
    show.control({"action": "speaker.next"}, clock.now())
    assert show.state(clock.now())["speaker"]["unit"] == "县工商行政管理局"
    assert show.state(clock.now())["timer"]["remaining_s"] == 300
    clock.advance(241)
    assert show.state(clock.now())["timer"]["state"] in ("warning", "danger")
    clock.advance(100)
    changes = show.tick(clock.now())
    assert [c.event["kind"] for c in changes] == ["timer.cut"]
    timer = show.state(clock.now())["timer"]
    assert timer["running"] is False and timer["remaining_s"] == 0


@pytest.mark.parametrize("body, code", [
    ({"action": "warp.drive"}, "bad_action"),
    ({"action": "segment.goto", "index": 99}, "invalid"),
    ({"action": "segment.goto", "index": "1"}, "invalid"),
    ({"action": "timer.add"}, "invalid"),
    ({"action": "timer.add", "seconds": "ten"}, "invalid"),
    ({"action": "timer.start", "seconds": -5}, "invalid"),
    ({"action": "timer.start", "seconds": float("nan")}, "invalid"),
    ("segment.next", "invalid"),
])
def test_bad_control_is_refused_and_changes_nothing(show, body, code):
    clock = FakeClock()
    before = show.state(clock.now())
    with pytest.raises(DomainError) as err:
        show.control(body, clock.now())
    assert err.value.code == code
    assert show.state(clock.now()) == before


def test_segment_navigation(show, scene):
    clock = FakeClock()
    assert show.state(clock.now())["show"]["status"] == "standby"
    show.control({"action": "segment.next"}, clock.now())
    assert show.state(clock.now())["segment"]["index"] == 0
    show.control({"action": "segment.next"}, clock.now())
    show.control({"action": "segment.prev"}, clock.now())
    assert show.state(clock.now())["segment"]["index"] == 0
    with pytest.raises(DomainError):
        show.control({"action": "segment.prev"}, clock.now())
    show.control({"action": "segment.goto", "index": len(scene.segments) - 1}, clock.now())
    with pytest.raises(DomainError):
        show.control({"action": "segment.next"}, clock.now())


def test_taking_the_next_segment_stops_the_speaker_timer(show):
    clock = FakeClock()
    show.control({"action": "segment.goto", "index": 0}, clock.now())
    show.control({"action": "speaker.next"}, clock.now())
    clock.advance(40)  # over time
    show.control({"action": "segment.next"}, clock.now())
    state = show.state(clock.now())
    assert state["speaker"] is None
    assert state["timer"]["running"] is False and state["timer"]["state"] == "normal" and state["timer"]["label"] == ""
