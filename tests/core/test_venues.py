"""Venues (三民, seed 001): names from the scene or derived from the key, the tally by venue,
and the venue board's overlay mode kept with the show. No Qt."""

from __future__ import annotations

import pytest

from wenzheng_studio.core import scene_writer
from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import SceneError, load_scene, parse_scene
from wenzheng_studio.core.show import Show
from wenzheng_studio.core.venues import chinese_number, default_venue_name, share, venue_results
from wenzheng_studio.paths import scenes_dir

NOW = 1_800_000_000.0
BASE = """
[show]
title = "述职"
[vote]
venues = ["main", "sub01", "sub02", "sub12"]
{names}
[[segments]]
key = "a"
title = "A"
planned = "1:00"
"""


def scene(names: str = ""):
    return parse_scene(BASE.format(names=names), "test.toml")


def test_chinese_numbers_and_default_names():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 12, 20, 21, 99)] == [
        "一", "九", "十", "十一", "十二", "二十", "二十一", "九十九"]
    assert default_venue_name("main") == "主会场"
    assert default_venue_name("sub01") == "分会场一" and default_venue_name("sub12") == "分会场十二"
    assert default_venue_name("hall-b") == "hall-b"


def test_a_scene_without_names_derives_them_and_old_scenes_stay_valid():
    s = scene()
    assert s.venue_names == {}
    assert s.to_dict()["venue_names"] == {"main": "主会场", "sub01": "分会场一", "sub02": "分会场二",
                                          "sub12": "分会场十二"}
    for name in ("baixing-wenzheng.toml", "pingyi-hearing.toml"):
        assert load_scene(scenes_dir() / name).to_dict()["venue_names"] == {"main": "主会场"}
    sanmin = load_scene(scenes_dir() / "sanmin-report.toml")
    assert len(sanmin.venues) == 13 and sanmin.venue_name("sub05") == "崂山区分会场"


def test_named_venues_and_their_mistakes():
    s = scene('venue_names = { sub01 = " 江岸区分会场 " }')
    assert s.venue_name("sub01") == "江岸区分会场" and s.venue_name("sub02") == "分会场二"
    for names, where in [('venue_names = { sub09 = "x" }', "vote.venue_names.sub09"),
                         ('venue_names = { sub01 = "" }', "vote.venue_names.sub01"),
                         ('venue_names = { sub01 = 3 }', "vote.venue_names.sub01"),
                         ('venue_names = { sub01 = "一二三四五六七八九十一二三四五六七八九十一" }', "vote.venue_names.sub01"),
                         ('venue_names = { sub01 = "主会场" }', "vote.venue_names"),
                         ('venue_names = "主会场"', "vote.venue_names")]:
        with pytest.raises(SceneError) as err:
            scene(names)
        assert err.value.where.startswith(where), (names, err.value)


def test_names_survive_the_scene_writer_and_the_engine_export():
    s = scene('venue_names = { sub01 = "江岸区分会场", main = "市民之家" }')
    again = parse_scene(scene_writer.dumps(scene_writer.document_from_scene(s)), "again.toml")
    assert again.venue_names == s.venue_names
    assert scene_writer.scene_from_api(s.to_dict()).venue_names == s.venue_names


def poll_view(venues, remote=None):
    return {"choices": [{"key": "yes", "label": "赞成"}, {"key": "no", "label": "反对"}], "venues": venues,
            "tally": {"studio": {}, "remote": remote or {"yes": 0, "no": 0}}}


def test_results_by_venue_in_scene_order_with_the_total():
    board = venue_results(poll_view({"sub02": {"yes": 1, "no": 3}, "main": {"yes": 2, "no": 0},
                                     "gone": {"yes": 0, "no": 1}}),
                          ["main", "sub01", "sub02"], {"sub02": "二号厅"})
    assert [(r["key"], r["name"], r["ballots"]) for r in board["rows"]] == [
        ("main", "主会场", 2), ("sub01", "分会场一", 0), ("sub02", "二号厅", 4), ("gone", "gone", 1)]
    assert board["rows"][0]["shares"] == {"yes": 100.0, "no": 0.0}
    assert board["rows"][1]["shares"] == {"yes": None, "no": None}  # no ballot: no share
    assert board["rows"][2]["shares"] == {"yes": 25.0, "no": 75.0}
    assert board["total"]["counts"] == {"yes": 3, "no": 4} and board["total"]["ballots"] == 7
    assert board["remote"] is None
    with_phones = venue_results(poll_view({}, remote={"yes": 2, "no": 0}), ["main"])
    assert with_phones["remote"]["ballots"] == 2 and with_phones["total"]["ballots"] == 0
    hidden = venue_results({"choices": [{"key": "yes"}]}, ["main"])  # not revealed: no venues in the view
    assert hidden["rows"] == [] and hidden["total"] is None


def test_the_venue_board_mode_is_kept_with_the_show_and_refused_values_change_nothing():
    show = Show(load_scene(scenes_dir() / "sanmin-report.toml"))
    assert show.state(NOW)["overlay"]["venues"] == "auto"
    show.control({"action": "overlay.set", "element": "venues", "mode": "show"}, NOW)
    with pytest.raises(DomainError):
        show.control({"action": "overlay.set", "element": "venues", "mode": "blink"}, NOW)
    assert show.state(NOW)["overlay"]["venues"] == "show"
    again = Show(show.base_scene)
    again.restore(show.meta(), [], [], [])
    assert again.state(NOW)["overlay"]["venues"] == "show"


def test_shares_round_halves_up_like_the_overlay_page():
    assert share(1, 16) == 6.3 and share(1, 3) == 33.3 and share(2, 3) == 66.7 and share(5, 5) == 100.0
    assert share(1, 8) == 12.5 and share(0, 7) == 0.0 and share(1, 2000) == 0.1 and share(1, 20000) == 0.0
