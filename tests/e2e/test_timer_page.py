"""Real Chromium: the /timer page (the presenter's screen) and ?view=clock, against a real engine."""

from __future__ import annotations

import dataclasses
import re
import time

import pytest

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.timeout(180)

COLOURS = {"normal": "rgb(46, 204, 113)", "warning": "rgb(245, 166, 35)", "danger": "rgb(255, 106, 43)",
           "over": "rgb(255, 59, 48)", "cut": "rgb(255, 59, 48)"}


def control(ep, action, **fields):
    return ep.api("POST", "/api/control", {"action": action, **fields})


def open_page(browser, ep, query="", size=(1920, 1080)):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(ep.url + "/timer" + query)
    page.wait_for_function("document.body.dataset.connection === 'connected' && window.timerPage.pushes > 0",
                           timeout=10000)
    return page


def digits(page) -> str:
    return page.evaluate("document.getElementById('digits').textContent")


def seconds_shown(page) -> int:
    m, s = digits(page).split(":")
    return int(m) * 60 + int(s)


def phase(page) -> str:
    return page.evaluate("document.body.dataset.phase")


def wait_phase(page, name, timeout=5000):
    page.wait_for_function(f"document.body.dataset.phase === '{name}'", timeout=timeout)
    colour = page.evaluate("getComputedStyle(document.getElementById('digits')).color")
    assert colour == COLOURS[name], (name, colour)


def test_counts_down_locally_in_phase_colours_then_over_time_in_red(browser, engine_process):
    ep = engine_process
    page = open_page(browser, ep)
    assert phase(page) == "idle" and digits(page) == "0:00"
    control(ep, "show.start")
    control(ep, "timer.start", seconds=20, label="王建国", warning_s=10, danger_s=5)
    wait_phase(page, "normal")
    first = seconds_shown(page)
    assert first in (20, 19)
    page.wait_for_function(f"document.getElementById('digits').textContent !== '{digits(page)}'", timeout=3000)
    assert seconds_shown(page) < first  # it counts by itself
    assert page.evaluate("document.getElementById('speaker').textContent") == "王建国"
    assert page.evaluate("document.getElementById('segment').textContent")
    assert re.fullmatch(r"\d\d:\d\d:\d\d", page.evaluate("document.getElementById('time-of-day').textContent"))

    control(ep, "timer.add", seconds=-11)  # ~8 s left
    wait_phase(page, "warning")
    control(ep, "timer.add", seconds=-5)   # ~3 s left
    wait_phase(page, "danger")
    control(ep, "timer.add", seconds=-10)  # out of time: counts up
    wait_phase(page, "over")
    page.wait_for_function("/^\\+0:0[1-9]$/.test(document.getElementById('digits').textContent)", timeout=4000)
    assert page.evaluate("document.getElementById('phase-tag').textContent") == "超时"
    assert page.evaluate("window.timerPage.cues") == ["warning", "zero"]  # the cue rule, once each
    control(ep, "timer.pause")
    page.wait_for_function("document.body.dataset.paused === '1'", timeout=3000)
    frozen = digits(page)
    time.sleep(1.2)
    assert digits(page) == frozen
    assert not page.errors


def test_the_digits_are_the_largest_that_fit_and_follow_a_resize(browser, engine_process):
    ep = engine_process
    page = open_page(browser, ep)
    control(ep, "timer.start", seconds=90, label="甲")
    page.wait_for_function("document.body.dataset.phase === 'normal'", timeout=5000)

    def fit():
        return page.evaluate("""(() => { const d = document.getElementById('digits'), box = document.getElementById('countdown');
            const r = d.getBoundingClientRect(), b = box.getBoundingClientRect();
            return {size: parseFloat(getComputedStyle(d).fontSize), w: r.width, h: r.height, bw: b.width, bh: b.height}; })()""")

    big = fit()
    assert big["w"] <= big["bw"] and big["h"] <= big["bh"] * 1.01
    assert big["w"] >= 0.8 * big["bw"] or big["h"] >= 0.8 * big["bh"], big  # fills its room
    page.set_viewport_size({"width": 800, "height": 600})
    page.wait_for_function(f"parseFloat(getComputedStyle(document.getElementById('digits')).fontSize) < {big['size']}",
                           timeout=3000)
    small = fit()
    assert small["w"] <= small["bw"] and small["h"] <= small["bh"] * 1.01
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def hearing_engine(engine_process, tmp_path):
    """An engine on the satisfaction hearing's scene (seed 004: 5 minutes, cut at zero)."""
    engine_process.kill()
    ep = dataclasses.replace(engine_process, db=tmp_path / "hearing.db", port=0, proc=None, url="",
                             extra=("--scene", "scenes/pingyi-hearing.toml"))
    ep.start()
    yield ep
    ep.kill()


def test_a_hearing_report_cut_at_zero_says_time_is_up(browser, hearing_engine):
    ep = hearing_engine
    page = open_page(browser, ep)
    control(ep, "show.start")
    state = ep.api("GET", "/api/state")
    slot = next(r["index"] for r in state["running_order"] if "述职" in r["title"])
    control(ep, "segment.goto", index=slot)
    control(ep, "speaker.next")
    timer = ep.api("GET", "/api/state")["timer"]
    assert timer["cut_at_zero"], timer
    control(ep, "timer.add", seconds=-(timer["duration_s"] - 2))  # 2 s left
    page.wait_for_function("document.getElementById('digits').textContent === '时间到'", timeout=6000)
    wait_phase(page, "cut")
    time.sleep(1.2)  # stopped at zero, not counting up
    assert digits(page) == "时间到"
    assert ep.api("GET", "/api/state")["timer"]["running"] is False
    assert page.evaluate("window.timerPage.cues")[-1] == "zero"
    assert not page.errors


def test_the_message_appears_blinks_and_goes_promptly(browser, engine_process):
    ep = engine_process
    page = open_page(browser, ep)
    assert page.evaluate("document.getElementById('message').hidden")
    latencies = []
    for text in ("请抓紧时间", "请结束发言", "还有一分钟", "请看镜头", "请大声一点", "<b>不是标记</b>"):
        page.evaluate("""(text) => { window.seenAt = null;
            const node = document.getElementById('message-text');
            new MutationObserver((m, obs) => { if (node.textContent === text) { window.seenAt = Date.now(); obs.disconnect(); } })
              .observe(node, {childList: true, characterData: true, subtree: true}); }""", text)
        before = time.time() * 1000
        control(ep, "message.set", text=text)
        page.wait_for_function("window.seenAt !== null", timeout=3000)
        latencies.append(page.evaluate("window.seenAt") - before)
        assert not page.evaluate("document.getElementById('message').hidden")
        assert page.evaluate("document.getElementById('message').classList.contains('blink')")
    print("message push-to-/timer latency ms:", [round(x) for x in latencies])
    assert sorted(latencies)[len(latencies) // 2] < 250 and max(latencies) < 1000, latencies
    # Operator text is data: the markup is shown as text, no element made of it.
    assert page.evaluate("document.querySelector('#message-text b')") is None
    # It blinks: the band's colours alternate while the animation runs, then it stays steady.
    band = page.evaluate("""(async () => { const seen = new Set(), band = document.getElementById('message');
        for (let i = 0; i < 12; i++) { seen.add(getComputedStyle(band).backgroundColor); await new Promise(r => setTimeout(r, 100)); }
        return [...seen]; })()""")
    assert len(band) == 2, band
    page.wait_for_function("document.getAnimations().length === 0", timeout=9000)
    assert page.evaluate("getComputedStyle(document.getElementById('message')).backgroundColor") == "rgb(255, 211, 77)"
    control(ep, "message.clear")
    page.wait_for_function("document.getElementById('message').hidden", timeout=3000)


def test_it_keeps_counting_through_an_engine_kill_and_comes_back_by_itself(browser, engine_process):
    ep = engine_process
    page = open_page(browser, ep)
    control(ep, "show.start")
    control(ep, "timer.start", seconds=120, label="王建国")
    control(ep, "message.set", text="还有一分钟")
    page.wait_for_function("document.getElementById('message-text').textContent === '还有一分钟'", timeout=5000)
    ep.kill()
    page.wait_for_function("document.body.dataset.connection === 'disconnected'", timeout=10000)
    shown = seconds_shown(page)
    page.wait_for_function(f"document.getElementById('digits').textContent !== '{digits(page)}'", timeout=3000)
    assert seconds_shown(page) < shown  # the floor's clock does not freeze while the engine is down
    pushes = page.evaluate("window.timerPage.pushes")
    ep.start()  # same port, same database
    page.wait_for_function(f"document.body.dataset.connection === 'connected' && window.timerPage.pushes > {pushes}",
                           timeout=15000)
    control(ep, "message.set", text="请结束发言")  # and it follows the restarted engine
    page.wait_for_function("document.getElementById('message-text').textContent === '请结束发言'", timeout=5000)
    engine_left = ep.api("GET", "/api/state")["timer"]["remaining_s"]
    assert abs(seconds_shown(page) - engine_left) <= 1.5, (digits(page), engine_left)
    assert not page.errors


def test_the_studio_clock_view(browser, engine_process):
    ep = engine_process
    page = open_page(browser, ep, "?view=clock")
    assert page.evaluate("document.getElementById('presenter').hidden") is True
    assert re.fullmatch(r"\d\d:\d\d:\d\d", page.evaluate("document.getElementById('clock-time').textContent"))
    assert page.evaluate("document.querySelector('.clock-caption').textContent") == "北京时间"
    control(ep, "show.start")
    page.wait_for_function("document.getElementById('clock-segment').textContent.startsWith('直播中')", timeout=5000)
    page.wait_for_function("document.getElementById('clock-elapsed').textContent === '0:02'", timeout=5000)
    state = ep.api("GET", "/api/state")
    control(ep, "segment.goto", index=len(state["running_order"]) - 1)  # skipping the show: well under
    page.wait_for_function("document.getElementById('clock-over').dataset.sign === 'under'", timeout=5000)
    text = page.evaluate("document.getElementById('clock-over').textContent")
    assert text.startswith("−"), text
    engine = ep.api("GET", "/api/state")["show"]["over_under_s"]
    shown = 0
    for part in text[1:].split(":"):  # h:mm:ss
        shown = shown * 60 + int(part)
    assert abs(shown + engine) <= 2, (text, engine)
    assert re.fullmatch(r"\d\d:\d\d:\d\d", page.evaluate("document.getElementById('clock-end').textContent"))
    colour = page.evaluate("getComputedStyle(document.getElementById('clock-over')).color")
    assert colour == COLOURS["normal"]
    assert not page.errors


def test_sound_on_this_screen_after_one_click(browser, engine_process):
    """?sound=1: the browser wants a click before it plays; then the bundled WAVs sound on the cues."""
    ep = engine_process
    page = open_page(browser, ep, "?sound=1")
    button = page.locator("#sound-on")
    assert button.is_visible() and button.text_content() == "点击开启提示音"
    button.click()
    page.wait_for_function("window.timerPage.sound === 'on'", timeout=5000)
    assert not button.is_visible()
    control(ep, "timer.start", seconds=4, label="甲", warning_s=2)
    page.wait_for_function("window.timerPage.cues.length === 2", timeout=8000)
    assert page.evaluate("window.timerPage.cues") == ["warning", "zero"]
    assert page.evaluate("window.timerPage.played") == 2
    plain = open_page(browser, ep)  # without ?sound=1 a screen stays silent and shows no button
    assert not plain.locator("#sound-on").is_visible()
    assert not page.errors


@pytest.mark.parametrize("size", [(1920, 1080), (1024, 768)])
def test_a_long_message_is_shown_whole(browser, engine_process, size):
    ep = engine_process
    page = open_page(browser, ep, size=size)
    control(ep, "timer.start", seconds=300, label="甲")
    text = "请您在剩下的一分钟里回答市民最关心的第二个问题：老旧小区电梯什么时候装好？"
    assert len(text) <= 40
    control(ep, "message.set", text=text)
    page.wait_for_function(f"document.getElementById('message-text').textContent === {text!r}", timeout=5000)
    page.wait_for_timeout(300)
    box = page.evaluate("""(() => { const n = document.getElementById('message-text'), r = n.getBoundingClientRect();
        return {sw: n.scrollWidth, cw: n.clientWidth, right: r.right, bottom: r.bottom, h: innerHeight, w: innerWidth,
                size: parseFloat(getComputedStyle(n).fontSize)}; })()""")
    assert box["sw"] <= box["cw"] + 1 and box["right"] <= box["w"] and box["bottom"] <= box["h"], box
    assert box["size"] >= 0.025 * box["h"], box  # still readable from the podium
    digits_box = page.evaluate("(() => { const r = document.getElementById('digits').getBoundingClientRect();"
                               " return [r.width, r.height]; })()")
    assert min(digits_box) > 0.15 * box["h"]  # the countdown keeps most of the screen
