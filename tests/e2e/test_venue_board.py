"""三民 (seed 001) through a real engine: ballots from seats of different venues land in their
venue's tally, and the /overlay page in real Chromium puts the venue board up on the
director's cue, thirteen venues inside 1920x1080, and takes it down again."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest
import socketio

pytestmark = pytest.mark.timeout(180)
ROOT = Path(__file__).resolve().parents[2]
SANMIN = "scenes/sanmin-report.toml"


@pytest.fixture
def sanmin(engine_process, tmp_path):
    """An engine running the report-meeting scene: a main venue and twelve sub-venues."""
    engine_process.kill()
    ep = dataclasses.replace(engine_process, db=tmp_path / "sanmin.db", port=0, proc=None, url="",
                             extra=("--scene", SANMIN))
    ep.start()
    try:
        yield ep
    finally:
        ep.kill()


def seat_vote(ep, seat, poll_id, choice):
    sio = socketio.Client(reconnection=False)
    sio.connect(ep.url, namespaces=["/audience"], auth={"seat": seat["seat"], "key": seat["key"]},
                transports=["websocket"], wait_timeout=5)
    try:
        return sio.call("vote", {"poll": poll_id, "choice": choice}, namespace="/audience", timeout=10)
    finally:
        sio.disconnect()


# venue → the choices its seats cast
PLAN = {"main": ["satisfied", "satisfied", "basic"], "sub01": ["unsatisfied"], "sub07": ["basic", "satisfied"]}


def cast(ep) -> int:
    pid = ep.api("POST", "/api/polls", {"title": "您对市财政局的工作是否满意？", "kind": "satisfaction",
                                        "unit": "市财政局"})["id"]
    ep.api("POST", f"/api/polls/{pid}/open", {})
    for venue, choices in PLAN.items():
        seats = ep.api("POST", "/api/seats", {"venue": venue, "count": len(choices)})["seats"]
        for seat, choice in zip(seats, choices):
            assert seat_vote(ep, seat, pid, choice) == {"ok": True}
    return pid


def test_ballots_land_in_their_venue(sanmin):
    pid = cast(sanmin)
    poll = sanmin.api("GET", f"/api/polls/{pid}")
    assert poll["venues"] == {"main": {"satisfied": 2, "basic": 1, "unsatisfied": 0},
                              "sub01": {"satisfied": 0, "basic": 0, "unsatisfied": 1},
                              "sub07": {"satisfied": 1, "basic": 1, "unsatisfied": 0}}
    assert poll["tally"]["studio"] == {"satisfied": 3, "basic": 2, "unsatisfied": 1}
    scene = sanmin.api("GET", "/api/scene")
    assert scene["venue_names"]["main"] == "主会场" and scene["venue_names"]["sub07"] == "城阳区分会场"
    assert len(scene["venue_names"]) == 13
    # persisted: a restart rebuilds the same tally by venue from the ballot log
    sanmin.kill()
    sanmin.start()
    assert sanmin.api("GET", f"/api/polls/{pid}")["venues"] == poll["venues"]


def test_overlay_page_shows_the_venue_board_on_cue(sanmin, browser):
    pid = cast(sanmin)
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(sanmin.url + "/overlay")
        page.wait_for_function("document.getElementById('tally').classList.contains('on')", timeout=10000)
        assert not page.evaluate("document.getElementById('venues').classList.contains('on')")  # only on cue
        sanmin.api("POST", f"/api/polls/{pid}/close", {})
        state = sanmin.api("POST", "/api/control", {"action": "overlay.set", "element": "venues", "mode": "show"})
        assert state["overlay"]["venues"] == "show"
        page.wait_for_function("document.getElementById('venues').classList.contains('on')", timeout=5000)
        page.wait_for_function("!document.getElementById('tally').classList.contains('on')", timeout=5000)
        page.wait_for_timeout(600)  # the wipe in
        rows = page.evaluate("""[...document.querySelectorAll('#venues .vb-row')].map(r => [
            r.dataset.venue, r.querySelector('.vb-name').textContent, r.querySelector('.vb-ballots').textContent,
            [...r.querySelectorAll('.vb-seg')].map(s => s.textContent)])""")
        assert len(rows) == 14 and rows[0][:3] == ["main", "主会场", "3 票"]
        assert rows[0][3] == ["66.7%", "33.3%"]
        assert rows[1][:3] == ["sub01", "市南区分会场", "1 票"] and rows[1][3] == ["100.0%"]
        assert rows[7][:3] == ["sub07", "城阳区分会场", "2 票"]
        assert rows[12][:3] == ["sub12", "莱西市分会场", "0 票"]
        assert rows[13][:3] == ["total", "合计", "6 票"] and rows[13][3] == ["50.0%", "33.3%", "16.7%"]
        assert page.text_content("#venues .vb-status") == "投票已结束"
        # every box inside the stage and the action-safe area, nothing of a name or figure cut
        fit = page.evaluate("""(() => {
            const de = document.documentElement, box = document.getElementById('venues').getBoundingClientRect();
            const cut = [...document.querySelectorAll('#venues .vb-name, #venues .vb-ballots, #venues .vb-title,'
                                                    + ' #venues .vb-total, #venues .vb-seg, #venues .vb-label')]
                .filter(n => n.scrollWidth > n.clientWidth + 1).map(n => n.textContent);
            return {sw: de.scrollWidth, cw: de.clientWidth, sh: de.scrollHeight, ch: de.clientHeight,
                    left: box.left, top: box.top, right: box.right, bottom: box.bottom, cut};
        })()""")
        assert fit["sw"] <= fit["cw"] and fit["sh"] <= fit["ch"], fit
        assert fit["left"] >= 96 and fit["top"] >= 54 and fit["right"] <= 1824 and fit["bottom"] <= 1026, fit
        assert fit["cut"] == [], fit
        if os.environ.get("WENZHENG_SCREENSHOTS"):
            page.screenshot(path=str(ROOT / "docs" / "screenshots" / "venue-board-page.png"))
        sanmin.api("POST", "/api/control", {"action": "overlay.set", "element": "venues", "mode": "hide"})
        page.wait_for_function("!document.getElementById('venues').classList.contains('on')", timeout=5000)
        sanmin.api("POST", "/api/control", {"action": "overlay.set", "element": "venues", "mode": "auto"})
        page.wait_for_function("document.getElementById('tally').classList.contains('on')", timeout=5000)
        assert not errors
    finally:
        page.close()


def test_report_carries_each_departments_result_by_venue(sanmin, tmp_path):
    import csv
    import io
    import shutil
    import urllib.request

    from pdf_text import report_pdf_text

    pid = cast(sanmin)
    sanmin.api("POST", f"/api/polls/{pid}/close", {})
    req = urllib.request.Request(sanmin.url + "/api/report.csv", headers={"Authorization": f"Bearer {sanmin.token}"})
    with urllib.request.urlopen(req, timeout=10) as reply:
        rows = list(csv.reader(io.StringIO(reply.read().decode("utf-8-sig"))))
    start = rows.index(["分会场评议结果"])
    assert rows[start + 1][:6] == ["投票编号", "部门", "标题", "会场", "会场名称", "票数"]
    venue_rows = {r[3]: r for r in rows[start + 2:] if r and r[0] == str(pid)}
    assert len(venue_rows) == 14  # thirteen venues and the total
    assert venue_rows["main"][:6] == [str(pid), "市财政局", "您对市财政局的工作是否满意？", "main", "主会场", "3"]
    assert venue_rows["main"][6:] == ["满意", "2", "66.7", "基本满意", "1", "33.3", "不满意", "0", "0.0"]
    assert venue_rows["sub07"][4:9] == ["城阳区分会场", "2", "满意", "1", "50.0"]
    assert venue_rows["sub12"][5:9] == ["0", "满意", "0", ""]  # no ballot: no share
    assert venue_rows["total"][4:] == ["合计", "6", "满意", "3", "50.0", "基本满意", "2", "33.3", "不满意", "1", "16.7"]

    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    text = report_pdf_text(sanmin.url, sanmin.token, tmp_path)
    assert "【市财政局】" in text and "分会场结果" in text
    lines = {line.split()[0]: line.split() for line in text.splitlines() if line.split()}
    assert lines["主会场"][1:] == ["3", "2（66.7%）", "1（33.3%）", "0（0.0%）"]
    assert lines["城阳区分会场"][1:] == ["2", "1（50.0%）", "1（50.0%）", "0（0.0%）"]
    assert lines["莱西市分会场"][1:] == ["0", "0（—）", "0（—）", "0（—）"]
    assert lines["合计"][1:] == ["6", "3（50.0%）", "2（33.3%）", "1（16.7%）"]
