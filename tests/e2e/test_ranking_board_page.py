"""Real Chromium: the ranking board on the /overlay page, against a real engine on the hearing
scene — the largest real group (综合管理组, 17 units) whole inside 1920×1080, nothing cut, wiped in
on the director's cue and off again."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
import socketio

pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
GROUP = "综合管理组"


def is_on(page, element):
    return page.evaluate(f"document.getElementById('{element}').classList.contains('on')")


@pytest.fixture
def hearing(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from conftest import EngineProcess  # tests/conftest.py

    from wenzheng_studio.core.scene import load_scene

    scene = ROOT / "scenes" / "pingyi-hearing.toml"
    ep = EngineProcess(db=tmp_path / "show.db", token="test-admin-token", extra=("--scene", str(scene)))
    ep.start()
    units = [u.name for u in load_scene(scene).units if u.group == GROUP]
    try:
        yield ep, units
    finally:
        ep.kill()


def score_the_group(ep, units):
    """The year's imported parts for the group, and one representative's 好/较好/… for each unit."""
    import urllib.request

    body = ("unit,survey,review,assessment\n" + "".join(f"{u},{80 + i % 7},75,70\n" for i, u in enumerate(units)))
    req = urllib.request.Request(ep.url + "/api/scores", data=body.encode(), method="POST",
                                 headers={"Authorization": f"Bearer {ep.token}", "Content-Type": "text/csv"})
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 200
    seat = ep.api("POST", "/api/seats", {"venue": "main", "count": 1})["seats"][0]
    phone = socketio.Client(reconnection=False)
    phone.connect(ep.url, auth={"seat": seat["seat"], "key": seat["key"]}, transports=["websocket"],
                  namespaces=["/audience"], wait_timeout=10)
    try:
        for i, unit in enumerate(units):
            pid = ep.api("POST", "/api/polls", {"title": f"请为{unit}评分", "kind": "rating4", "unit": unit})["id"]
            ep.api("POST", f"/api/polls/{pid}/open", {})
            choice = ("good", "fair", "average", "poor")[i % 4]
            assert phone.call("vote", {"poll": pid, "choice": choice}, namespace="/audience", timeout=10) == {"ok": True}
            ep.api("POST", f"/api/polls/{pid}/close", {})
            time.sleep(0.21)  # one connection may vote 5 times a second
    finally:
        phone.disconnect()


def test_the_largest_group_fits_the_page_and_comes_and_goes_on_cue(browser, hearing):
    ep, units = hearing
    assert len(units) == 17
    score_the_group(ep, units)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(ep.url + "/overlay")
        page.wait_for_function("document.getElementById('stage').dataset.connection === 'connected'", timeout=10000)
        page.evaluate("document.fonts.ready")
        ep.api("POST", "/api/control", {"action": "segment.goto", "index": 1})  # a unit's 述职: its head speaks
        ep.api("POST", "/api/control", {"action": "speaker.goto", "index": 0})
        page.wait_for_function("document.getElementById('lower_third').classList.contains('on')", timeout=5000)
        assert not is_on(page, "ranking")

        ep.api("POST", "/api/control", {"action": "ranking.show", "group": GROUP})
        page.wait_for_function("document.getElementById('ranking').classList.contains('on')", timeout=3000)
        page.wait_for_timeout(600)  # the wipe (400 ms)
        assert not is_on(page, "lower_third"), "the lower third steps aside while the board is up"
        board = page.evaluate("""(() => {
            const b = document.getElementById('ranking'), r = b.getBoundingClientRect();
            const cells = [...b.querySelectorAll('.rb-title, .rb-note, .rb-foot, .rb-cell, .rb-tag')];
            return {sw: b.scrollWidth, cw: b.clientWidth, sh: b.scrollHeight, ch: b.clientHeight,
                    top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                    title: b.querySelector('.rb-title').textContent,
                    names: [...b.querySelectorAll('.rb-row .rb-unit')].map(n => n.textContent),
                    ranks: [...b.querySelectorAll('.rb-row .rb-rank')].map(n => n.textContent),
                    tags: b.querySelectorAll('.rb-tag').length,
                    cut: cells.filter(n => n.scrollWidth > n.clientWidth || n.scrollHeight > n.clientHeight + 1)
                              .map(n => n.className + ': ' + n.textContent)};
        })()""")
        ranking = next(g for g in ep.api("GET", "/api/ranking")["groups"] if g["group"] == GROUP)
        assert board["title"] == f"{GROUP} · 群众满意单位评议结果"
        assert board["names"] == [u["unit"] for u in ranking["units"]] and sorted(board["names"]) == sorted(units)
        assert board["ranks"] == [str(u["rank"]) for u in ranking["units"]]
        assert board["tags"] == sum(1 for u in ranking["units"] if u["satisfactory"]) == 7  # 40% of 17
        assert board["sw"] <= board["cw"] and board["sh"] <= board["ch"], board
        assert board["cut"] == [], board["cut"]
        assert 96 <= board["left"] and board["right"] <= 1824 and 54 <= board["top"] and board["bottom"] <= 1026, board
        if os.environ.get("WENZHENG_SCREENSHOTS"):
            page.screenshot(path=str(ROOT / "docs" / "screenshots" / "ranking-board-page.png"))

        ep.api("POST", "/api/control", {"action": "ranking.hide"})
        page.wait_for_function("!document.getElementById('ranking').classList.contains('on')", timeout=3000)
        page.wait_for_function("document.getElementById('lower_third').classList.contains('on')", timeout=3000)
        assert not errors, errors
    finally:
        page.close()
