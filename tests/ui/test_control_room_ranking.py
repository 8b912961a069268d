"""The ranking board from the control room: the graphics panel lists the scene's groups, 上屏
reveals the chosen group's board through the engine, 撤下 takes it off; both buttons' enabled
states come from actions.py (the same rule a graphics operator's window obeys)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.ui.control_room.actions import action_reasons
from wenzheng_studio.ui.control_room.ranking_row import scene_groups
from wenzheng_studio.ui.control_room.refusals import refusal_text

from control_room_harness import Room

ROOT = Path(__file__).resolve().parents[2]
SCENE = ROOT / "scenes" / "pingyi-hearing.toml"
TOKEN = "ranking-room-token"
GROUP = "执法监督组"

pytestmark = pytest.mark.timeout(120)


def live(board=None) -> dict:
    return {"show": {"status": "live"}, "segment": {"index": 1}, "running_order": [{"index": 0}, {"index": 1}],
            "ranking_board": board}


def test_show_and_hide_follow_the_board_and_the_pick():
    up = {"group": GROUP, "units": [{"unit": "县公安局"}]}
    reasons = action_reasons(live(), role="director", ranking_group=GROUP)
    assert reasons["ranking_show"] == "" and reasons["ranking_hide"] == "屏幕上没有排名榜"
    reasons = action_reasons(live(up), role="director", ranking_group=GROUP)
    assert reasons["ranking_show"] == "这个组的排名榜已在屏幕上" and reasons["ranking_hide"] == ""
    assert action_reasons(live(up), role="director", ranking_group="综合管理组")["ranking_show"] == "", \
        "another group's board replaces the one up"
    assert action_reasons(live(), role="director", ranking_group=None)["ranking_show"] == "场景没有参评单位组别"


def test_graphics_may_take_the_board_off_but_not_reveal_it():
    up = {"group": GROUP, "units": [{"unit": "县公安局"}]}
    reasons = action_reasons(live(up), role="graphics", ranking_group="综合管理组")
    assert reasons["ranking_hide"] == ""
    assert reasons["ranking_show"].startswith("您是图文")
    assert action_reasons(live(up), role="observer", ranking_group=GROUP)["ranking_hide"].startswith("您是观察员")


def test_groups_come_from_the_scene_and_refusals_read_in_chinese():
    assert scene_groups({"units": [{"name": "a", "group": "甲组"}, {"name": "b", "group": "乙组"},
                                   {"name": "c", "group": "甲组"}]}) == ["甲组", "乙组"]
    assert scene_groups({"units": [{"name": "a"}, {"name": "b", "group": ""}]}) == [], "no groups: no board"
    assert "导入成绩" in refusal_text("no_ranking: no unit of group '社会服务组' has a composite yet")


def _post(url: str, path: str, body: bytes, content_type: str = "application/json"):
    req = urllib.request.Request(url + path, data=body, method="POST",
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_the_director_reveals_and_takes_off_a_groups_board(qtbot, tmp_path):
    room = Room(qtbot, tmp_path, token=TOKEN, scene=SCENE, size=(1366, 768))
    w, url = room.window, room.url
    try:
        row = w.graphics.ranking
        assert row.isVisible() and [row.groups.itemData(i) for i in range(row.groups.count())] == [
            "执法监督组", "综合管理组", "社会服务组"]
        units = [u.name for u in load_scene(SCENE).units if u.group == GROUP]
        csv = "unit,survey,review,assessment\n" + "".join(f"{u},{90 - i},80,70\n" for i, u in enumerate(units))
        _post(url, "/api/scores", csv.encode(), "text/csv")
        pid = _post(url, "/api/polls", json.dumps({"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局",
                                                   "attending": 5}).encode())["id"]
        _post(url, f"/api/polls/{pid}/open", b"{}")
        _post(url, f"/api/polls/{pid}/close", b"{}")  # nobody cast: 5 attending, each 一般 → 10
        assert not row.hide_btn.isEnabled(), "nothing on air to take off"

        row.groups.setCurrentIndex(2)  # 社会服务组: no unit has a composite
        qtbot.mouseClick(row.show_btn, Qt.LeftButton)
        qtbot.waitUntil(lambda: "导入成绩" in w.alert.text(), timeout=5000)
        assert w.state.get("ranking_board") is None

        row.groups.setCurrentIndex(0)
        assert row.show_btn.isEnabled()
        row.show_btn.click()
        qtbot.waitUntil(lambda: (w.state.get("ranking_board") or {}).get("group") == GROUP, timeout=5000)
        assert not row.show_btn.isEnabled() and row.hide_btn.isEnabled()
        assert GROUP in row.on_air.text()
        board = w.state["ranking_board"]
        assert board["units"][0]["unit"] == "县公安局" and board["units"][0]["hearing"] == 10.0
        qtbot.waitUntil(lambda: w.preview.canvas.shown("ranking"), timeout=5000)  # the on-air preview has it

        row.hide_btn.click()
        qtbot.waitUntil(lambda: w.state.get("ranking_board") is None, timeout=5000)
        assert not row.hide_btn.isEnabled() and row.show_btn.isEnabled()
        assert w.scroll.verticalScrollBar().maximum() == 0 and w.scroll.horizontalScrollBar().maximum() == 0
    finally:
        room.close()
