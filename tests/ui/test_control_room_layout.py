"""Issue 14: the control room fits every shipped scene at 1920x1080 and at 1366x768 —
TAKE, the speakers, the votes, the question queue and the running order all in view, and
nothing of the window needs scrolling."""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

import pytest
from PySide6.QtCore import QRect

from control_room_harness import Room


ROOT = Path(__file__).resolve().parents[2]
SCENES = ["baixing-wenzheng.toml", "pingyi-hearing.toml", "sanmin-report.toml"]
# 1366x700: the window maximized on a 1366x768 screen, less its title bar and the task bar.
SIZES = [(1920, 1080), (1366, 768), (1366, 700)]
TOKEN = "layout-test-token"

pytestmark = pytest.mark.timeout(120)


def _api(url: str, method: str, path: str, body=None):
    req = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"authorization": f"Bearer {TOKEN}", "content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read() or b"null")


def _inside(w, widget) -> bool:
    """`widget` entirely within the central widget's rect and not cut by any parent."""
    body = w.centralWidget()
    top_left = widget.mapTo(body, widget.rect().topLeft())
    box = QRect(top_left, widget.size())
    return (widget.isVisible() and body.rect().contains(box)
            and widget.visibleRegion().boundingRect() == widget.rect())


def _vote_in_venues(url: str, pid: int, venues: list[str]) -> int:
    """With sub-venues (三民): a few seats of every venue but the last vote, so the venue table
    (and its screenshot) carries figures. Returns the ballots cast."""
    import socketio

    if len(venues) < 2:
        return 0
    cast = 0
    for n, venue in enumerate(venues[:-1]):
        seats = _api(url, "POST", "/api/seats", {"venue": venue, "count": 3})["seats"]
        for i, seat in enumerate(seats):
            sio = socketio.Client(reconnection=False)
            sio.connect(url, namespaces=["/audience"], auth={"seat": seat["seat"], "key": seat["key"]},
                        transports=["websocket"], wait_timeout=5)
            choice = ("satisfied", "basic", "unsatisfied")[(n + i * (n % 3 + 1)) % 3 if i else 0]
            assert sio.call("vote", {"poll": pid, "choice": choice}, namespace="/audience", timeout=10) == {"ok": True}
            sio.disconnect()
            cast += 1
    return cast


@pytest.mark.parametrize("scene", SCENES)
def test_the_room_fits_each_scene_at_both_sizes(qtbot, tmp_path, scene):
    room = Room(qtbot, tmp_path, token=TOKEN, scene=ROOT / "scenes" / scene, size=SIZES[0])
    w, bridge, url = room.window, room.bridge, room.url
    try:
        bridge.control("segment.next")  # live: a segment on air, its speakers listed
        qtbot.waitUntil(lambda: (w.state.get("show") or {}).get("status") == "live", timeout=5000)
        for size, poll in [(size, False) for size in SIZES] + [(size, True) for size in SIZES]:
            if poll and not w.votes.poll:  # then again with a poll open: its figures and bars
                title = "您对市发展和改革委员会的工作是否满意？" if "sanmin" in scene else "您对答复满意吗"
                pid = _api(url, "POST", "/api/polls", {"title": title, "kind": "satisfaction",
                                                       "revealed": True})["id"]
                _api(url, "POST", f"/api/polls/{pid}/open", {})
                qtbot.waitUntil(lambda: bool(w.votes.poll) and w.votes.poll.get("state") == "open", timeout=5000)
                cast = _vote_in_venues(url, pid, w.scene.get("venues") or [])
                qtbot.waitUntil(lambda: w.votes.poll.get("ballots") == cast, timeout=10000)
            w.resize(*size)
            qtbot.wait(300)
            assert (w.width(), w.height()) == size
            assert w.compact == (size[0] < 1600)
            assert w.scroll.horizontalScrollBar().maximum() == 0
            assert w.scroll.verticalScrollBar().maximum() == 0, (size, poll)
            ro = w.running_order
            for name, widget in (("TAKE", ro.take), ("running order", ro.table), ("speakers", w.speakers),
                                 ("votes", w.votes), ("queue", w.questions.list), ("clocks", w.clocks),
                                 ("graphics", w.graphics), ("preview", w.preview), ("keys", w.keys_help),
                                 ("operators", w.operators_btn), ("on air", w.questions.on_air_btn),
                                 ("open poll", w.votes.open), ("next speaker", w.speakers.next)):
                assert _inside(w, widget), f"{scene} {size} poll={poll}: {name} is cut off"
            if poll and len(w.scene.get("venues") or []) > 1:  # 三民: the tally by venue, every row in view
                table = w.votes.venue_table
                assert _inside(w, table), f"{scene} {size}: the venue table is cut off"
                assert table.verticalScrollBar().maximum() == 0 and table.horizontalScrollBar().maximum() == 0
                assert [r[0] for r in table.rows_shown] == [*w.scene["venue_names"].values(), "合计"]
                last = table.visualItemRect(table.item(table.rowCount() - 1, 0))
                assert table.viewport().rect().contains(last), (size, last)
                head = table.horizontalHeader()
                assert head.length() <= table.viewport().width() + 1, (size, head.length())
                metrics = table.fontMetrics()
                for r in range(table.rowCount()):  # every name and figure whole, none elided
                    for c in range(table.columnCount()):
                        text = table.item(r, c).text()
                        assert metrics.horizontalAdvance(text) <= table.text_room(c), (size, text)
            on_air = next(i for i, r in enumerate(w.state["running_order"]) if r.get("on_air"))
            assert on_air in ro.rows_in_view() and on_air + 1 in ro.rows_in_view()
            # 三民 with its poll (the venue table), the other scenes idle
            with_poll = scene == "sanmin-report.toml"
            if poll == with_poll and size != (1366, 700) and os.environ.get("WENZHENG_SCREENSHOTS"):
                w.grab().save(str(ROOT / "docs" / "screenshots" /
                                  f"control-room-{Path(scene).stem}-{size[0]}x{size[1]}.png"))
    finally:
        room.close()


def test_a_long_refusal_never_pushes_the_room_off_screen(qtbot, tmp_path):
    """The hearing's 排名榜 上屏 before any composite is refused with a long Chinese reason; it
    wrapped onto two lines, the top bar grew and the bottom row (上播 [F9]…) went off-screen
    behind a scroll bar. Now the bar keeps its height and the reason is drawn whole in it."""
    room = Room(qtbot, tmp_path, token=TOKEN, scene=ROOT / "scenes" / "pingyi-hearing.toml", size=SIZES[0])
    w, bridge = room.window, room.bridge
    try:
        bar = {}
        for size in SIZES:  # the top bar's height at each size before any refusal
            w.resize(*size)
            qtbot.wait(300)
            bar[size] = w.banner.height()
        bridge.control("ranking.show", group="执法监督组")  # no scores imported: 409 no_ranking
        qtbot.waitUntil(lambda: "总成绩" in w.alert.text(), timeout=5000)
        for size in SIZES:
            w.resize(*size)
            qtbot.wait(300)
            assert w.banner.height() == bar[size], f"{size}: the refusal made the top bar taller"
            assert w.scroll.verticalScrollBar().maximum() == 0, (size, w.alert.text())
            for name, widget in (("on air", w.questions.on_air_btn), ("keys", w.keys_help),
                                 ("TAKE", w.running_order.take), ("speakers", w.speakers)):
                assert _inside(w, widget), f"{size}: {name} is cut off under the refusal"
            w.grab()  # paints the alert line at this size
            assert w.alert.text_fits(), (size, w.alert.fitted_pt, w.alert.size())
    finally:
        room.close()
