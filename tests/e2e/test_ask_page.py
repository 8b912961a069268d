"""Real browser: the /ask page submits a question; markup in it stays text all the way to air."""

from __future__ import annotations

from pathlib import Path

import pytest

playwright = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[2]
EVIL = "<img src=x onerror=alert(1)><script>window.pwned=1</script>电梯坏了"


def test_ask_page_submits_markup_as_plain_text(engine_process, browser, tmp_path):
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(engine_process.url + "/ask")
    assert page.title() == "我要问政 · 网络留言"
    page.wait_for_function("document.querySelectorAll('#unit option').length > 1")

    page.click("#submit")  # empty: refused in plain Chinese, nothing sent
    assert page.text_content("#status") == "请先填写您的问题。"
    assert engine_process.api("GET", "/api/questions")["questions"] == []

    page.fill("#text", EVIL)
    page.select_option("#unit", "市住房和城乡建设局")
    page.fill("#district", "<b>江岸区</b>")
    page.check("#anonymous")
    assert page.is_disabled("#name")
    page.screenshot(path=str(tmp_path / "ask-filled.png"), full_page=True)
    page.click("#submit")
    page.wait_for_selector("#done:not([hidden])")
    qid = int(page.text_content("#done-id").lstrip("#"))

    [q] = engine_process.api("GET", "/api/questions")["questions"]
    assert (q["id"], q["text"], q["district"], q["unit"], q["anonymous"], q["state"]) == (
        qid, EVIL, "<b>江岸区</b>", "市住房和城乡建设局", True, "new")
    assert page.evaluate("window.pwned") is None and not dialogs

    for action in ("screen", "approve", "on_air"):  # one director does both reviews: override on record
        engine_process.api("POST", f"/api/questions/{qid}",
                           {"action": action, **({"override": True} if action == "approve" else {})})
    assert engine_process.api("GET", "/api/state")["question"]["text"] == EVIL

    if (ROOT / "assets" / "web" / "overlay.html").is_file():
        overlay = browser.new_page(viewport={"width": 1920, "height": 1080})
        overlay.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        overlay.goto(engine_process.url + "/overlay")
        overlay.wait_for_function("t => document.body.innerText.includes(t)", arg=EVIL, timeout=10000)
        assert overlay.locator("img[src='x']").count() == 0
        assert overlay.evaluate("window.pwned") is None
        overlay.screenshot(path=str(tmp_path / "overlay.png"))
    assert not dialogs


def test_ask_page_reports_rate_limit_in_chinese(engine_process, browser):
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(engine_process.url + "/ask")
    for i in range(10):
        assert page.evaluate("""t => fetch('/api/questions', {method: 'POST', body: JSON.stringify({text: t})})
                                .then(r => r.status)""", f"问题{i}") == 201
    page.fill("#text", "第十一个问题")
    page.click("#submit")
    page.wait_for_function("document.getElementById('status').className === 'error'")
    assert page.text_content("#status") == "提交太频繁了，请一分钟后再试。"
    assert len(engine_process.api("GET", "/api/questions")["questions"]) == 10
