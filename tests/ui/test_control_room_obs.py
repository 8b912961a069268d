"""The control room shows OBS's status (#16 part 4): linked or not and why, the program scene
(also when switched by hand in OBS), 直播/录制 dots; it fits 1920x1080 and 1366x768 with it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from wenzheng_studio.client import EmbeddedEngine
from wenzheng_studio.ui.bridge import EngineBridge
from wenzheng_studio.ui.control_room import ControlRoomWindow
from wenzheng_studio.ui.control_room.obs_status import obs_view
from wenzheng_studio.ui.control_room.style import AMBER, GREEN, RED

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "server"))
from obs_standin import ObsStandIn  # noqa: E402

sys.path.insert(0, str(ROOT / "tests" / "ui"))
from test_control_room_layout import SIZES, TOKEN, _inside  # noqa: E402

pytestmark = pytest.mark.timeout(120)


def test_obs_view_says_each_case():
    assert obs_view(None)["visible"] is False  # no --obs: nothing shown
    up = obs_view({"connected": True, "program_scene": "开场", "streaming": True, "recording": False,
                   "url": "ws://obs:4455", "problem": None, "detail": "", "failed": "", "pending_scene": None})
    assert (up["text"], up["colour"], up["streaming"], up["recording"]) == ("OBS · 开场", GREEN, True, False)
    down = obs_view({"connected": False, "program_scene": "开场", "streaming": True, "problem": "auth_failed",
                     "detail": "OBS refused the password", "pending_scene": "述职", "url": "ws://obs:4455"})
    assert down["text"] == "OBS 密码错误 · 待切换「述职」" and down["colour"] == RED
    assert down["streaming"] is False  # not known while unlinked: no red dot from a stale report
    assert "WENZHENG_OBS_PASSWORD" in down["tooltip"] and "ws://obs:4455" in down["tooltip"]
    missing = obs_view({"connected": True, "program_scene": "Scene", "problem": "switch_failed", "failed": "开场"})
    assert missing["text"] == "OBS 无场景「开场」 · Scene" and missing["colour"] == AMBER
    assert obs_view({"connected": False, "problem": "no_answer"})["text"] == "OBS 无响应"
    assert obs_view({"connected": False, "problem": "unreachable"})["text"] == "OBS 未连接"


def test_the_room_shows_obs_and_still_fits(qtbot, tmp_path):
    obs = ObsStandIn(password="pw", scenes=("Scene", "开场", "亮相表态")).start()
    scene = tmp_path / "scene.toml"
    text = (ROOT / "scenes" / "baixing-wenzheng.toml").read_text(encoding="utf-8")
    text = text.replace('key = "pledge"', 'key = "pledge"\nobs_scene = "亮相表态"', 1)
    scene.write_text(text, encoding="utf-8")
    engine = EmbeddedEngine(port=0, host="127.0.0.1", db=str(tmp_path / "show.db"), admin_token=TOKEN,
                            scene=str(scene), obs=obs.url, obs_password="pw")
    url = engine.start()
    assert "pw" not in " ".join(engine._command(0))  # the password never shows in a process list
    bridge = EngineBridge(url, TOKEN)
    w = ControlRoomWindow(bridge)
    qtbot.addWidget(w)
    status = w.clocks.obs
    try:
        w.resize(*SIZES[0])
        w.show()
        qtbot.waitExposed(w)
        bridge.start()
        qtbot.waitUntil(lambda: status.isVisible() and status.view["text"] == "OBS · Scene", timeout=15000)
        bridge.control("segment.next")  # TAKE into 亮相表态 (the first segment)
        qtbot.waitUntil(lambda: status.view["text"] == "OBS · 亮相表态", timeout=5000)
        assert obs.program_scene == "亮相表态"
        obs.set_streaming(True)
        qtbot.waitUntil(lambda: status.view["streaming"], timeout=5000)
        assert status.streaming.property("colour") == RED and status.recording.property("colour") != RED
        obs.switch_by_hand("开场")
        qtbot.waitUntil(lambda: status.view["text"] == "OBS · 开场", timeout=5000)
        for size in SIZES:
            w.resize(*size)
            qtbot.wait(300)
            assert w.scroll.verticalScrollBar().maximum() == 0 and w.scroll.horizontalScrollBar().maximum() == 0
            assert _inside(w, status) and _inside(w, status.streaming) and _inside(w, status.recording), size
            assert status.link.text().startswith("OBS"), (size, status.link.text())
            if size != (1366, 700) and os.environ.get("WENZHENG_SCREENSHOTS"):
                w.grab().save(str(ROOT / "docs" / "screenshots" / f"control-room-obs-{size[0]}x{size[1]}.png"))
        obs.stop()  # OBS quits: the room says so at once, the show goes on
        qtbot.waitUntil(lambda: status.view["text"].startswith("OBS 未连接"), timeout=10000)
        assert status.link.property("colour") == RED and not status.view["streaming"]
        assert w.running_order.take.isEnabled()
    finally:
        w.close()
        bridge.stop()
        engine.stop()
        obs.stop()
