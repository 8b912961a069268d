"""The screener console against a real engine: a call lands screened, history shows up."""

from __future__ import annotations


import pytest

from wenzheng_studio.ui.screener import ScreenerConsole, run_screener


def questions(ep):
    return ep.api("GET", "/api/questions")["questions"]


@pytest.fixture
def console(qtbot, operator_bridge):
    widget = ScreenerConsole(operator_bridge)
    qtbot.addWidget(widget)
    qtbot.waitUntil(lambda: widget.unit.count() > 1, timeout=10000)
    return widget


def fill(console, name, phone, point, unit_index=1):
    console.name.setText(name)
    console.phone.setText(phone)
    console.district.setText("江岸区")
    console.topic.setText("电梯")
    console.unit.setCurrentIndex(unit_index)
    console.point.setPlainText(point)
    console.notes.setPlainText("愿意连线")
    console.priority.setCurrentIndex(2)


def test_call_is_pushed_as_screened_hotline_question(qtbot, console, engine_process):
    fill(console, "张先生", "138 1234 5678", "<b>电梯</b>坏了三个月")
    console.push_button.click()
    qtbot.waitUntil(lambda: "已初审" in console.status.text(), timeout=10000)
    [q] = questions(engine_process)
    assert q["state"] == "screened" and [h["action"] for h in q["history"]] == ["created", "screen"]
    assert (q["source"], q["text"], q["name"], q["district"], q["topic"], q["priority"], q["phone"]) == (
        "hotline", "<b>电梯</b>坏了三个月", "张先生", "江岸区", "电梯", 6, "138****5678")
    assert q["unit"] == console.unit.itemText(1) and q["notes"] == "愿意连线"
    assert console.point.toPlainText() == "" and console.pushed.count() == 1
    assert "138 1234 5678" in console.pushed.item(0).text()  # full number: only on this console

    # The same caller again: the earlier call shows up, name and district are filled in.
    console.phone.setText("13812345678")
    qtbot.waitUntil(lambda: console.history.count() == 1, timeout=10000)
    assert console.history_title.text() == "该号码此前来电 1 次"
    assert "<b>电梯</b>坏了三个月" in console.history.item(0).text()
    assert console.name.text() == "张先生" and console.district.text() == "江岸区"


def test_empty_point_is_not_sent(qtbot, console, engine_process):
    fill(console, "李女士", "13900000000", "   ")
    console.push_button.click()
    assert console.status.text() == "请先填写“问题要点”。"
    qtbot.wait(300)
    assert questions(engine_process) == []


def test_engine_refusal_keeps_the_form(qtbot, console, engine_process):
    fill(console, "王", "13900000000", "x" * 501)
    console.push_button.click()
    qtbot.waitUntil(lambda: console.status.text().startswith("推送失败"), timeout=10000)
    assert console.point.toPlainText() == "x" * 501 and console.push_button.isEnabled()


def test_screener_needs_a_token(monkeypatch, capsys):
    monkeypatch.delenv("WENZHENG_ADMIN_TOKEN", raising=False)

    class Args:
        connect = "http://127.0.0.1:1"
        admin_token = None
    assert run_screener(Args()) == 2
    assert "operator token" in capsys.readouterr().err


def connected(bridge):
    return bridge.connection[0] == "connected"


def test_console_built_after_the_bridge_connected_shows_connected(qtbot, operator_bridge):
    """`run_operator_window` starts the bridge before the window exists: the connect signal has
    gone out by then, so the window must read the bridge's last status (it stayed 正在连接 before)."""
    qtbot.waitUntil(lambda: connected(operator_bridge), timeout=10000)
    qtbot.wait(100)  # every queued connection signal delivered, to nobody
    widget = ScreenerConsole(operator_bridge)
    qtbot.addWidget(widget)
    assert widget.connection.text() == "已连接"
    qtbot.waitUntil(lambda: operator_bridge.role == "director", timeout=5000)
    assert widget.windowTitle() == "Wenzheng Studio 热线导播 — 导演"  # who is signed in (the admin token)


def test_connection_banner_follows_the_engine_and_the_form_survives_a_drop(qtbot, console, engine_process):
    qtbot.waitUntil(lambda: console.connection.text() == "已连接", timeout=10000)
    console.point.setPlainText("断线时写的")
    engine_process.kill()
    qtbot.waitUntil(lambda: console.connection.text() == "连接中断，正在重连…", timeout=10000)
    assert "表单内容保留" in console.status.text()
    engine_process.start()
    qtbot.waitUntil(lambda: console.connection.text() == "已连接", timeout=20000)
    assert console.status.text() == "" and console.point.toPlainText() == "断线时写的"


def test_screener_command_shows_connected(qtbot, engine_process):
    """The real `wenzheng-studio screener`: its window says 已连接 within a few seconds."""
    from app_driver import driving
    from PySide6.QtWidgets import QApplication

    from wenzheng_studio.cli import main

    seen = {}

    def look():
        consoles = [w for w in QApplication.topLevelWidgets() if isinstance(w, ScreenerConsole) and w.isVisible()]
        if consoles and consoles[0].connection.text() == "已连接":
            seen["ok"] = True
            consoles[0].close()
            return True
        return False

    with driving(look, deadline_s=10):
        assert main(["screener", "--connect", engine_process.url, "--admin-token", engine_process.token]) == 0
    assert seen.get("ok"), "the screener never showed 已连接"


def test_rehearsal_engine_is_marked_in_the_title(qtbot, rehearsal_engine):
    from wenzheng_studio.ui.bridge import EngineBridge

    bridge = EngineBridge(rehearsal_engine.url, rehearsal_engine.token)
    bridge.start()
    try:
        widget = ScreenerConsole(bridge)
        qtbot.addWidget(widget)
        qtbot.waitUntil(lambda: "彩排" in widget.windowTitle() and "导演" in widget.windowTitle(), timeout=10000)
        assert widget.windowTitle() == "【彩排 REHEARSAL】Wenzheng Studio 热线导播 — 导演"
        assert not widget.rehearsal.isHidden()
    finally:
        bridge.stop()
