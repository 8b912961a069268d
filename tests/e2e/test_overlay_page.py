"""Real browser: the /overlay page for OBS Browser Source, against a real engine."""

from __future__ import annotations

import json
import time

import pytest

playwright = pytest.importorskip("playwright.sync_api")

EVIL = "<img src=x onerror=alert(1)><script>window.pwned=1</script><b>电梯坏了</b>"


def control(ep, action, **fields):
    return ep.api("POST", "/api/control", {"action": action, **fields})


@pytest.fixture
def page(browser, engine_process):
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.dialogs = []
    page.errors = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(engine_process.url + "/overlay")
    page.wait_for_function("document.getElementById('stage').dataset.connection === 'connected'", timeout=10000)
    page.wait_for_function("document.getElementById('bug').classList.contains('on')", timeout=5000)
    return page


def is_on(page, element):
    return page.evaluate(f"document.getElementById('{element}').classList.contains('on')")


def test_page_is_transparent_1920x1080_without_scrollbars(page, tmp_path):
    from PySide6.QtGui import QImage

    backgrounds = page.evaluate("""[getComputedStyle(document.documentElement).backgroundColor,
                                    getComputedStyle(document.body).backgroundColor,
                                    getComputedStyle(document.getElementById('stage')).backgroundColor]""")
    assert backgrounds == ["rgba(0, 0, 0, 0)"] * 3
    size = page.evaluate("""[document.documentElement.scrollWidth, document.documentElement.scrollHeight,
                             window.innerWidth - document.documentElement.clientWidth]""")
    assert size == [1920, 1080, 0]
    assert page.evaluate("document.fonts.check('700 40px \"Overlay Sans\"', '百姓问政')")
    shot = tmp_path / "overlay.png"
    page.screenshot(path=str(shot), omit_background=True)
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1920, 1080)
    assert image.pixelColor(960, 540).alpha() == 0 and image.pixelColor(5, 5).alpha() == 0
    assert image.pixelColor(300, 60).alpha() == 255  # the show title bug is opaque
    assert not page.errors


def test_state_change_reaches_the_page_within_250_ms(page, engine_process):
    ep = engine_process
    control(ep, "show.start")
    latencies = []
    for index in (3, 4, 5, 3, 4):
        title = ep.api("GET", "/api/state")["running_order"][index]["title"]
        page.evaluate("""(title) => new Promise(resolve => {
            const node = document.querySelector('#timer .timer-segment');
            window.seenAt = null;
            new MutationObserver((m, obs) => {
                if (node.textContent === title) { window.seenAt = Date.now(); obs.disconnect(); }
            }).observe(node, {childList: true, characterData: true, subtree: true});
            resolve();
        })""", title)
        before = time.time() * 1000
        control(ep, "segment.goto", index=index)
        page.wait_for_function("window.seenAt !== null", timeout=3000)
        latencies.append(page.evaluate("window.seenAt") - before)
    print("overlay page latency ms:", [round(x) for x in latencies])
    # The median carries the 250 ms requirement; one sample may meet a busy shared CI core.
    assert sorted(latencies)[len(latencies) // 2] < 250 and max(latencies) < 1000, latencies


def test_tally_hidden_until_revealed_and_qr_while_open(page, engine_process):
    ep = engine_process
    vote_url = ep.api("GET", "/api/scene")["vote_url"]
    pid = ep.api("POST", "/api/polls", {"title": "您对答复满意吗", "kind": "satisfaction", "revealed": False})["id"]
    ep.api("POST", f"/api/polls/{pid}/open", {})
    page.wait_for_function("document.getElementById('qr').classList.contains('on')", timeout=3000)
    assert page.text_content("#qr .qr-call") == "扫码参与投票"
    assert page.text_content("#qr .qr-url") == vote_url
    assert page.evaluate("document.querySelector('#qr img').naturalWidth") > 0
    assert not is_on(page, "tally")
    ep.api("POST", f"/api/polls/{pid}/reveal", {})
    page.wait_for_function("document.getElementById('tally').classList.contains('on')", timeout=3000)
    assert page.evaluate("[...document.querySelectorAll('.tally-label')].map(n => n.textContent)") == [
        "满意", "基本满意", "不满意"]
    ep.api("POST", f"/api/polls/{pid}/close", {})
    page.wait_for_function("!document.getElementById('qr').classList.contains('on')", timeout=3000)
    assert is_on(page, "tally") and page.text_content(".tally-status") == "投票已结束"
    control(ep, "overlay.set", element="tally", mode="hide")
    page.wait_for_function("!document.getElementById('tally').classList.contains('on')", timeout=3000)


def test_question_with_markup_shows_as_literal_text_and_runs_nothing(page, engine_process):
    ep = engine_process
    qid = ep.api("POST", "/api/questions", {"text": EVIL, "name": "<i>李四</i>", "district": "<u>江岸区</u>"})["id"]
    for action in ("screen", "approve", "on_air"):  # one director does both reviews: override on record
        ep.api("POST", f"/api/questions/{qid}", {"action": action, **({"override": True} if action == "approve" else {})})
    page.wait_for_function("document.getElementById('question').classList.contains('on')", timeout=3000)
    assert page.text_content("#question .q-text") == EVIL
    assert "<i>李四</i> · <u>江岸区</u>" in page.text_content("#question .q-head")
    assert page.evaluate("document.querySelectorAll('#question img, #question script, #question b').length") == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.pwned") is None and not page.dialogs and not page.errors
    assert not is_on(page, "lower_third") or page.evaluate(
        "document.getElementById('lower_third').classList.contains('raised')")


def test_page_reconnects_and_takes_the_whole_state_again(page, engine_process):
    ep = engine_process
    control(ep, "show.start")
    ep.kill()
    page.wait_for_function("document.getElementById('stage').dataset.connection === 'disconnected'", timeout=10000)
    ep.start()
    pid = ep.api("POST", "/api/polls", {"title": "重连之后", "kind": "yesno"})["id"]
    ep.api("POST", f"/api/polls/{pid}/open", {})
    page.wait_for_function("document.getElementById('stage').dataset.connection === 'connected'", timeout=15000)
    page.wait_for_function("document.querySelector('.tally-title').textContent === '重连之后'", timeout=5000)
    assert is_on(page, "qr") and is_on(page, "tally")


def rehearsal_mark(page):
    """(shown, box) of the 彩排 mark."""
    return page.evaluate("""(() => { const n = document.getElementById('rehearsal'); const r = n.getBoundingClientRect();
                            return [!n.hidden && r.width > 0, [r.x, r.y, r.width, r.height], n.textContent]; })()""")


def test_a_real_show_has_no_rehearsal_mark(page):
    assert rehearsal_mark(page)[0] is False


def test_rehearsal_state_is_marked_whatever_the_modes(browser, engine_process, tmp_path):
    """A hand-built state (show.rehearsal) through /api/state alone, the socket kept away."""
    from PySide6.QtGui import QColor, QImage

    state = engine_process.api("GET", "/api/state")
    state["show"]["rehearsal"] = True
    state["overlay"] = {k: "hide" for k in state["overlay"]}
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.route("**/api/state", lambda r: r.fulfill(status=200, content_type="application/json",
                                                       body=json.dumps(state)))
        page.route("**/socket.io.min.js*", lambda r: r.abort())
        page.goto(engine_process.url + "/overlay")
        page.wait_for_function("!document.getElementById('rehearsal').hidden", timeout=5000)
        shown, (x, y, w, h), text = rehearsal_mark(page)
        assert shown and text == "彩排 REHEARSAL" and (x, y, w, h) == (720, 54, 480, 72)  # style.py REHEARSAL
        assert not is_on(page, "bug")  # every element hidden; the mark stays
        shot = tmp_path / "overlay-rehearsal.png"
        page.screenshot(path=str(shot), omit_background=True)
        image = QImage(str(shot))
        pixel = image.pixelColor(750, 60)
        assert pixel.alpha() == 255 and abs(pixel.red() - QColor("#F2B705").red()) < 8
        assert image.pixelColor(960, 540).alpha() == 0
    finally:
        page.close()


def test_rehearsal_engine_marks_the_overlay_page(browser, rehearsal_engine):
    """End to end: `serve --rehearsal` → state.show.rehearsal → the mark, live over Socket.IO."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.goto(rehearsal_engine.url + "/overlay")
        page.wait_for_function("document.getElementById('stage').dataset.connection === 'connected'", timeout=10000)
        page.wait_for_function("!document.getElementById('rehearsal').hidden", timeout=5000)
        assert rehearsal_mark(page)[0] is True
    finally:
        page.close()


# --- issue 14: no title clipped on air; no QR code when phone votes carry no weight ----------
def _scene_page(browser, tmp_path, scene):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from conftest import EngineProcess  # tests/conftest.py

    root = Path(__file__).resolve().parents[2]
    ep = EngineProcess(db=tmp_path / "show.db", token="test-admin-token",
                       extra=("--scene", str(root / "scenes" / scene)))
    ep.start()
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(ep.url + "/overlay")
    page.wait_for_function("document.getElementById('stage').dataset.connection === 'connected'", timeout=10000)
    page.wait_for_function("document.getElementById('bug').classList.contains('on')", timeout=5000)
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(300)
    return ep, page


@pytest.mark.parametrize("scene", ["pingyi-hearing.toml", "sanmin-report.toml", "baixing-wenzheng.toml"])
def test_the_show_title_is_never_cut_on_the_page(browser, tmp_path, scene):
    ep, page = _scene_page(browser, tmp_path, scene)
    try:
        title = ep.api("GET", "/api/scene")["title"]
        box = page.evaluate("""(() => { const n = document.querySelector('.bug-title');
            return {text: n.textContent, sw: n.scrollWidth, cw: n.clientWidth, sh: n.scrollHeight, ch: n.clientHeight,
                    two: n.classList.contains('two-lines'), sub: getComputedStyle(document.querySelector('.bug-sub')).display};
            })()""")
        assert box["text"] == title
        assert box["sw"] <= box["cw"], box  # the whole title in its box: no "…", nothing cut
        if box["two"]:  # two lines: both inside the box's height, the subtitle gives way
            assert box["sh"] <= box["ch"] + 1 and box["sub"] == "none", box
        ep.api("POST", "/api/control", {"action": "show.start"})  # a speaker's lower third, if the segment has one
        page.wait_for_timeout(500)
        for sel in (".lt-name", ".lt-title", ".lt-unit"):
            fits = page.evaluate("(sel) => { const n = document.querySelector(sel); "
                                 "return !n.textContent || n.scrollWidth <= n.clientWidth; }", sel)
            assert fits, sel
    finally:
        page.close()
        ep.kill()


def test_no_qr_code_when_phone_votes_carry_no_weight(browser, tmp_path):
    ep, page = _scene_page(browser, tmp_path, "pingyi-hearing.toml")  # remote_weight 0
    try:
        assert ep.api("GET", "/api/scene")["remote_weight"] == 0
        pid = ep.api("POST", "/api/polls", {"title": "满意度", "kind": "satisfaction"})["id"]
        ep.api("POST", f"/api/polls/{pid}/open", {})
        page.wait_for_function("document.getElementById('tally').classList.contains('on')", timeout=3000)
        page.wait_for_timeout(300)
        assert not is_on(page, "qr")
        control(ep, "overlay.set", element="qr", mode="show")  # the director may still force it
        page.wait_for_function("document.getElementById('qr').classList.contains('on')", timeout=3000)
    finally:
        page.close()
        ep.kill()
