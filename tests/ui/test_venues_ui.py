"""三民 in the Qt views: the control room's venue table fills from a real engine as seats of
different venues vote, 分会场上屏 (Ctrl+F8) cues the venue board and takes it down, and the
Qt overlay paints thirteen venues whole inside the action-safe area."""

from __future__ import annotations

import json
import os
import random
import urllib.request
from pathlib import Path

import pytest
import socketio
from PySide6.QtCore import QRectF, Qt

from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.ui.overlay import OverlayCanvas
from wenzheng_studio.ui.overlay import style as S
from wenzheng_studio.ui.overlay.venue_board import BOARD, board_layout

from control_room_harness import Room

ROOT = Path(__file__).resolve().parents[2]
SANMIN = ROOT / "scenes" / "sanmin-report.toml"
TOKEN = "venues-test-token"
pytestmark = pytest.mark.timeout(180)


def _api(url, method, path, body=None):
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def _seat_vote(url, seat, pid, choice):
    sio = socketio.Client(reconnection=False)
    sio.connect(url, namespaces=["/audience"], auth={"seat": seat["seat"], "key": seat["key"]},
                transports=["websocket"], wait_timeout=5)
    try:
        return sio.call("vote", {"poll": pid, "choice": choice}, namespace="/audience", timeout=10)
    finally:
        sio.disconnect()


@pytest.fixture
def room(qtbot, tmp_path):
    r = Room(qtbot, tmp_path, token=TOKEN, scene=SANMIN, size=(1366, 768))
    yield r.window, r.url
    r.close()


def test_the_votes_panel_shows_the_tally_by_venue_and_cues_the_board(qtbot, room):
    w, url = room
    v = w.votes
    assert v.venue_table.isVisible() and not v.plot.isVisible() and v.board.isVisible()
    assert not v.board.isEnabled() and "先开始投票" in v.board.toolTip()
    pid = _api(url, "POST", "/api/polls", {"title": "您对市财政局的工作是否满意？", "kind": "satisfaction",
                                           "unit": "市财政局"})["id"]
    _api(url, "POST", f"/api/polls/{pid}/open", {})
    plan = {"main": ["satisfied", "basic"], "sub03": ["unsatisfied"], "sub11": ["satisfied", "satisfied", "basic"]}
    for venue, choices in plan.items():
        for seat, choice in zip(_api(url, "POST", "/api/seats", {"venue": venue, "count": len(choices)})["seats"],
                                choices):
            assert _seat_vote(url, seat, pid, choice) == {"ok": True}
    qtbot.waitUntil(lambda: bool(v.poll) and v.poll.get("ballots") == 6, timeout=10000)
    # compact 1366x768: two blocks, whole percents (once the layout has settled the table's height)
    qtbot.waitUntil(lambda: v.venue_table.blocks == 2, timeout=5000)
    rows = {r[0]: r[1:] for r in v.venue_table.rows_shown}
    assert len(rows) == 14
    assert rows["主会场"] == ["2", "50%", "50%", "0%"]  # compact (1366x768): whole percents
    assert rows["四方区分会场"] == ["1", "0%", "0%", "100%"]
    assert rows["胶南市分会场"] == ["3", "67%", "33%", "0%"]
    assert rows["莱西市分会场"] == ["0", "—", "—", "—"]
    assert rows["合计"] == ["6", "50%", "33%", "17%"]
    w.resize(1920, 1080)
    qtbot.waitUntil(lambda: not w.compact, timeout=5000)
    qtbot.waitUntil(lambda: {r[0]: r for r in v.venue_table.rows_shown}["合计"][2] == "50.0%", timeout=5000)

    assert v.board.isEnabled()
    qtbot.keyClick(w.centralWidget(), Qt.Key_F8, Qt.ControlModifier)  # the key, as the director presses it
    qtbot.waitUntil(lambda: (w.state.get("overlay") or {}).get("venues") == "show", timeout=5000)
    qtbot.waitUntil(lambda: "撤下分会场" in v.board.text(), timeout=5000)
    # the preview (the /overlay feed) paints the board; the tally and the name strip give way
    canvas = w.preview.canvas
    qtbot.waitUntil(lambda: canvas.shown("venues") and not canvas.shown("tally"), timeout=5000)
    canvas.finish_animations()
    canvas.render_image(S.DESIGN_W // 4, S.DESIGN_H // 4)
    assert "四方区分会场" in canvas.drawn and "合计" in canvas.drawn
    v.board.click()
    qtbot.waitUntil(lambda: (w.state.get("overlay") or {}).get("venues") == "hide", timeout=5000)
    qtbot.waitUntil(lambda: "分会场上屏" in v.board.text(), timeout=5000)


def sanmin_poll(seed=7, empty=("sub12",)):
    scene = load_scene(SANMIN).to_dict()
    keys = ["satisfied", "basic", "unsatisfied"]
    rnd = random.Random(seed)
    venues = {}
    for v in scene["venues"]:
        if v in empty:
            continue
        n = 100 if v == "main" else 200
        a = rnd.randint(n // 3, n)
        b = rnd.randint(0, n - a)
        venues[v] = dict(zip(keys, (a, b, n - a - b)))
    studio = {k: sum(t[k] for t in venues.values()) for k in keys}
    return scene, {"id": 4, "title": "您对市发展和改革委员会的工作是否满意？", "kind": "satisfaction",
                   "state": "closed", "revealed": True,
                   "choices": [{"key": k, "label": lbl} for k, lbl in zip(keys, ["满意", "基本满意", "不满意"])],
                   "tally": {"studio": studio, "remote": dict.fromkeys(keys, 0)}, "ballots": sum(studio.values()),
                   "venues": venues, "combined": {}}


def test_the_qt_overlay_paints_thirteen_venues_whole_inside_the_safe_area(qtbot):
    scene, poll = sanmin_poll()
    canvas = OverlayCanvas(background="#00B140")
    qtbot.addWidget(canvas)
    canvas.set_scene({**scene, "vote_url": "http://127.0.0.1/vote"})
    state = {"show": {"status": "live", "title": scene["title"], "subtitle": scene["subtitle"]},
             "segment": {"title": "市发展和改革委员会 述职"}, "poll": poll, "question": None,
             "speaker": {"index": 0, "name": "主要负责人", "title": "", "unit": "市发展和改革委员会"},
             "overlay": {"venues": "auto"}}
    canvas.set_state(state)
    canvas.finish_animations()
    assert canvas.shown("tally") and not canvas.shown("venues")  # off air until the cue
    canvas.set_state({**state, "overlay": {"venues": "show"}})
    canvas.finish_animations()
    image = canvas.render_image()
    assert canvas.shown("venues") and not canvas.shown("tally") and not canvas.shown("lower_third")
    names = list(scene["venue_names"].values())
    drawn = canvas.drawn
    for name in [*names, "合计", "满意", "基本满意", "不满意", "投票已结束"]:
        assert name in drawn, name
    assert "尚无选票" in drawn and "0 票" in drawn  # 莱西市分会场 cast nothing
    for layout in canvas.layouts:  # every name and figure whole: never shrunk below 60%, never elided
        if layout["text"] in names or layout["text"].endswith(" 票") or layout["text"].endswith("%"):
            assert layout["lines"] == [layout["text"]] and layout["width"] <= layout["rect"].width() + 0.5, layout
    row_h, height = board_layout(13)
    box = QRectF(BOARD.left(), BOARD.top(), BOARD.width(), height)
    assert S.SAFE.contains(box) and row_h >= 50
    assert not box.intersects(S.TIMER) and not box.intersects(S.BUG)
    assert image.pixelColor(int(box.left()) + 10, int(box.bottom()) - 10).name() != "#00b140"  # painted
    assert image.pixelColor(int(box.left()) + 10, int(box.bottom()) + 10).name() == "#00b140"  # and no further
    if os.environ.get("WENZHENG_SCREENSHOTS"):
        image.save(str(ROOT / "docs" / "screenshots" / "venue-board.png"))
    canvas.set_state({**state, "overlay": {"venues": "hide"}})
    qtbot.waitUntil(lambda: not canvas.shown("venues"), timeout=3000)
    canvas.finish_animations()
    assert canvas.shown("tally")


def test_the_venue_board_key_and_button_follow_one_rule():
    """actions.py (pure): 分会场上屏 needs sub-venues and a revealed current poll; taking the
    board down is always possible; a role that may not cue graphics is told so."""
    from wenzheng_studio.ui.control_room.actions import action_reasons

    poll = {"id": 1, "state": "open", "revealed": True, "venues": {}}
    state = {"show": {"status": "live"}, "segment": {"index": 0}, "running_order": [{}], "poll": poll,
             "overlay": {"venues": "auto"}}
    assert action_reasons(state, role="director", venues=13)["venue_board"] == ""
    assert action_reasons(state, role="graphics", venues=13)["venue_board"] == ""
    assert "只有导演" in action_reasons(state, role="screener", venues=13)["venue_board"]
    assert "只有一个会场" in action_reasons(state, role="director", venues=1)["venue_board"]
    hidden = {**state, "poll": {**poll, "revealed": False}}
    assert "尚未公布" in action_reasons(hidden, role="director", venues=13)["venue_board"]
    assert "先开始投票" in action_reasons({**state, "poll": None}, role="director", venues=13)["venue_board"]
    on_air = {**state, "poll": None, "overlay": {"venues": "show"}}  # up: it can always come down
    assert action_reasons(on_air, role="director", venues=13)["venue_board"] == ""
    assert action_reasons(state, "disconnected", role="director", venues=13)["venue_board"]


def test_many_venues_shrink_the_rows_and_never_leave_the_safe_area():
    rows = {}
    for n in (1, 13, 30, 60):
        rows[n], height = board_layout(n)
        assert S.SAFE.contains(QRectF(BOARD.left(), BOARD.top(), BOARD.width(), height)), n
    assert rows[1] == 64 and rows[13] == 52 and rows[30] > 23 and rows[60] < rows[30]
