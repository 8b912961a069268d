"""Scenes load, and each kind of mistake is refused with a message that names it."""

import pytest

from wenzheng_studio.core.scene import SceneError, load_scene, parse_scene
from wenzheng_studio.paths import scenes_dir

GOOD = """
[show]
title = "测试"
[[segments]]
key = "a"
title = "甲"
planned = "1:00"
"""


@pytest.mark.parametrize("name", ["baixing-wenzheng.toml", "sanmin-report.toml", "pingyi-hearing.toml"])
def test_shipped_scenes_load(name):
    scene = load_scene(scenes_dir() / name)
    assert scene.segments and scene.planned_s > 0


def test_report_meeting_has_54_ten_minute_slots_and_13_venues():
    scene = load_scene(scenes_dir() / "sanmin-report.toml")
    slots = [s for s in scene.segments if s.kind == "speakers"]
    assert len(slots) == 54 and {s.planned_s for s in slots} == {600}
    assert len(scene.venues) == 13


def test_hearing_has_five_minute_reports_cut_at_zero_and_rating4():
    scene = load_scene(scenes_dir() / "pingyi-hearing.toml")
    reports = [s for s in scene.segments if s.kind == "speakers"]
    assert all(s.timer.seconds == 300 and s.timer.warning_s == 60 and s.timer.cut_at_zero for s in reports)
    assert {s.poll_kind for s in reports} == {"rating4"}


@pytest.mark.parametrize("text, where, words", [
    ("[show\ntitle=1", "", "not valid TOML"),
    (GOOD.replace('planned = "1:00"', 'planned = "1 minute"'), "segments[0].planned", "minutes:seconds"),
    (GOOD.replace('key = "a"', 'key = "A B"'), "segments[0].key", "lower-case"),
    (GOOD.replace('title = "测试"', "title = 5"), "show.title", "must be str"),
    (GOOD + '\n[[segments]]\nkey = "a"\ntitle = "乙"\nplanned = "1:00"\n', "segments[1].key", "used by two"),
    (GOOD.replace('planned = "1:00"', 'planned = "1:00"\ntimer = "nope"'), "segments[0].timer", "not in [timers]"),
    (GOOD.replace("[show]", '[show]\nplanned_total = "2:00"'), "show.planned_total", "add up to 1:00"),
    (GOOD.replace("[show]", '[show]\nstart = "25:99"'), "show.start", "time of day"),
    ('[show]\ntitle = "x"\n', "segments", "missing"),
    (GOOD.replace('planned = "1:00"', 'planned = "1:00"\nkind = "dance"'), "segments[0].kind", "must be one of"),
])
def test_scene_mistakes_are_named(text, where, words):
    with pytest.raises(SceneError) as err:
        parse_scene(text, "my.toml")
    assert err.value.where == where
    assert words in str(err.value) and str(err.value).startswith("my.toml")


def test_missing_file_is_a_scene_error(tmp_path):
    with pytest.raises(SceneError, match="file not found"):
        load_scene(tmp_path / "nope.toml")
