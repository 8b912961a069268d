"""OBS driven from the running order, against a stand-in obs-websocket 5 server (obs_standin.py):
the switch on TAKE, OBS's own events, a hanging OBS that never slows a TAKE, OBS absent at
start and appearing later, a wrong password, and obs_mute when a timer is cut at zero.
Real OBS Studio: test_obs_studio.py."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from conftest import EngineProcess  # noqa: E402  tests/conftest.py
from obs_standin import ObsStandIn, free_port  # noqa: E402

pytestmark = pytest.mark.slow
PASSWORD = "studio-secret"
SCENE_TOML = """
[show]
title = "OBS 测试"
planned_total = "3:00"

[timers.report]
seconds = 1
warning_s = 0
danger_s = 0
cut_at_zero = true

[[segments]]
key = "open"
title = "开场"
planned = "1:00"
obs_scene = "开场"

[[segments]]
key = "report"
title = "述职"
planned = "1:00"
kind = "speakers"
timer = "report"
obs_scene = "述职"
obs_mute = "讲台话筒"
speakers = [{ name = "王建国", title = "局长", unit = "住建局" }]

[[segments]]
key = "plain"
title = "无场景"
planned = "1:00"
"""
OBS_SCENES = ("Scene", "开场", "述职", "备用")


@pytest.fixture
def scene_file(tmp_path) -> Path:
    path = tmp_path / "obs.toml"
    path.write_text(SCENE_TOML, encoding="utf-8")
    return path


def start_engine(tmp_path, scene_file, obs_url: str | None, password: str | None = PASSWORD) -> EngineProcess:
    extra = ["--scene", str(scene_file)]
    if obs_url:
        extra += ["--obs", obs_url]
    env_before = os.environ.get("WENZHENG_OBS_PASSWORD")
    if password is None:
        os.environ.pop("WENZHENG_OBS_PASSWORD", None)
    else:
        os.environ["WENZHENG_OBS_PASSWORD"] = password  # the child inherits it: the documented way
    try:
        ep = EngineProcess(db=tmp_path / "show.db", token="test-admin-token", extra=tuple(extra))
        ep.start()
    finally:
        if env_before is None:
            os.environ.pop("WENZHENG_OBS_PASSWORD", None)
        else:
            os.environ["WENZHENG_OBS_PASSWORD"] = env_before
    return ep


def control(ep: EngineProcess, action: str, **body) -> dict:
    return ep.api("POST", "/api/control", {"action": action, **body})


def wait_for(check, timeout: float = 10.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def obs_state(ep: EngineProcess) -> dict:
    return ep.api("GET", "/api/state")["obs"]


@pytest.fixture
def obs():
    standin = ObsStandIn(password=PASSWORD, scenes=OBS_SCENES).start()
    yield standin
    standin.stop()


def test_take_switches_the_program_scene_and_obs_events_show(tmp_path, scene_file, obs):
    ep = start_engine(tmp_path, scene_file, obs.url)
    try:
        wait_for(lambda: obs_state(ep)["connected"], what="the link to identify")
        assert obs_state(ep)["program_scene"] == "Scene" and obs_state(ep)["problem"] is None
        control(ep, "show.start")  # into the first segment
        wait_for(lambda: obs.program_scene == "开场", what="show.start to switch OBS")
        control(ep, "segment.next")  # TAKE
        wait_for(lambda: obs.program_scene == "述职", what="TAKE to switch OBS")
        wait_for(lambda: obs_state(ep)["program_scene"] == "述职", what="the state to follow")
        control(ep, "segment.next")  # a segment without obs_scene: OBS is left alone
        time.sleep(0.5)
        assert obs.program_scene == "述职" and len(obs.requested("SetCurrentProgramScene")) == 2
        control(ep, "segment.goto", index=0)
        wait_for(lambda: obs.program_scene == "开场", what="goto to switch OBS")

        obs.switch_by_hand("备用")  # someone clicks a scene in OBS itself: the control room sees it
        wait_for(lambda: obs_state(ep)["program_scene"] == "备用", what="a manual switch to show")
        obs.set_streaming(True)
        wait_for(lambda: obs_state(ep)["streaming"], what="streaming to show")
        assert obs_state(ep)["recording"] is False

        # the viewers' state carries nothing of OBS
        import json
        import urllib.request
        with urllib.request.urlopen(ep.url + "/api/state", timeout=5) as r:
            assert "obs" not in json.loads(r.read())
    finally:
        ep.kill()


def test_a_scene_obs_does_not_have_is_shown_not_retried(tmp_path, scene_file):
    standin = ObsStandIn(password=PASSWORD, scenes=("Scene", "述职")).start()  # no 开场
    ep = start_engine(tmp_path, scene_file, standin.url)
    try:
        wait_for(lambda: obs_state(ep)["connected"], what="the link to identify")
        control(ep, "show.start")
        state = wait_for(lambda: (s := obs_state(ep))["problem"] == "switch_failed" and s, what="the refusal to show")
        assert "开场" in state["detail"] and state["connected"] and state["pending_scene"] is None
        control(ep, "segment.next")  # the next TAKE works and clears the problem
        wait_for(lambda: standin.program_scene == "述职", what="the next TAKE")
        wait_for(lambda: obs_state(ep)["problem"] is None, what="the problem to clear")
        assert len(standin.requested("SetCurrentProgramScene")) == 2
    finally:
        ep.kill()
        standin.stop()


def _take_latencies(ep: EngineProcess, n: int) -> list[float]:
    control(ep, "show.start")
    out = []
    for i in range(n):
        started = time.perf_counter()
        control(ep, "segment.next" if i % 2 == 0 else "segment.prev")
        out.append((time.perf_counter() - started) * 1000)
    return out


@pytest.mark.parametrize("mode", ["ok", "silent", "hang_requests"])
def test_take_stays_fast_whatever_obs_does(tmp_path, scene_file, mode):
    """40 TAKEs over HTTP with OBS answering, silent after the handshake, or hanging on every
    request, against the same engine without --obs. A TAKE that waited for OBS would take at
    least its 2-3 s timeouts."""
    n = 40
    (tmp_path / "bare").mkdir()
    bare = start_engine(tmp_path / "bare", scene_file, None)
    try:
        baseline = _take_latencies(bare, n)
    finally:
        bare.kill()
    obs = ObsStandIn(password=PASSWORD, scenes=OBS_SCENES, mode=mode).start()
    ep = start_engine(tmp_path, scene_file, obs.url)
    try:
        if mode == "ok":
            wait_for(lambda: obs_state(ep)["connected"], what="the link to identify")
        elif mode == "hang_requests":  # identified, then every request hangs
            wait_for(lambda: obs.requested("GetCurrentProgramScene"), what="the link to ask OBS")
        else:
            wait_for(lambda: obs.connections, what="the link to connect")
        with_obs = _take_latencies(ep, n)
        print(f"\nTAKE latency over {n} TAKEs, OBS {mode}: median {statistics.median(with_obs):.1f} ms, "
              f"max {max(with_obs):.1f} ms; without --obs: median {statistics.median(baseline):.1f} ms, "
              f"max {max(baseline):.1f} ms")
        assert max(with_obs) < 500, with_obs
        assert statistics.median(with_obs) < statistics.median(baseline) + 50
        if mode == "ok":  # OBS ends on the last TAKE's scene (40 TAKEs alternate: back on 开场)
            wait_for(lambda: obs.program_scene == "开场" and obs_state(ep)["pending_scene"] is None,
                     what="OBS to end on the last TAKE's scene")
            assert obs.requested("SetCurrentProgramScene")[-1] == {"sceneName": "开场"}
        else:
            wait_for(lambda: obs_state(ep)["problem"] == "no_answer", timeout=10, what="the hang to be shown")
            assert obs_state(ep)["connected"] is False or mode == "hang_requests"
            # the wanted scene is the latest TAKE's, never a queue of them
            assert len(obs.requested("SetCurrentProgramScene")) <= 2
        stopping = time.monotonic()
        assert ep.stop() == 0  # SIGTERM: a clean exit, whatever OBS does
        assert time.monotonic() - stopping < 8
    finally:
        ep.kill()
        obs.stop()


def test_obs_absent_at_start_then_appearing_gets_the_latest_scene(tmp_path, scene_file):
    port = free_port()
    ep = start_engine(tmp_path, scene_file, f"ws://127.0.0.1:{port}")
    standin = None
    try:
        state = wait_for(lambda: (s := obs_state(ep))["problem"] == "unreachable" and s, what="absent OBS to show")
        assert state["connected"] is False and str(port) in state["detail"]
        started = time.perf_counter()
        control(ep, "show.start")  # 开场
        control(ep, "segment.next")  # 述职: the one that matters when OBS comes
        assert time.perf_counter() - started < 1.0
        assert obs_state(ep)["pending_scene"] == "述职"
        standin = ObsStandIn(port=port, password=PASSWORD, scenes=OBS_SCENES).start()
        wait_for(lambda: obs_state(ep)["connected"], timeout=20, what="the link to reconnect")
        wait_for(lambda: standin.program_scene == "述职", what="the pending scene")
        assert [d["sceneName"] for d in standin.requested("SetCurrentProgramScene")] == ["述职"]  # not 开场 first
        assert obs_state(ep)["pending_scene"] is None

        standin.stop()  # OBS quits mid-show, and comes back
        wait_for(lambda: not obs_state(ep)["connected"], what="the loss to show")
        standin = ObsStandIn(port=port, password=PASSWORD, scenes=OBS_SCENES).start()
        wait_for(lambda: obs_state(ep)["connected"], timeout=20, what="the second reconnect")
    finally:
        ep.kill()
        if standin:
            standin.stop()


@pytest.mark.parametrize("password,problem", [("wrong-password", "auth_failed"), (None, "password_needed")])
def test_wrong_or_missing_password_is_said_clearly(tmp_path, scene_file, obs, password, problem):
    ep = start_engine(tmp_path, scene_file, obs.url, password=password)
    try:
        state = wait_for(lambda: (s := obs_state(ep))["problem"] == problem and s, what=f"{problem} to show")
        assert state["connected"] is False and "password" in state["detail"]
        assert obs.auth_failures >= 1
        control(ep, "show.start")  # the show goes on
        assert ep.api("GET", "/api/state")["show"]["status"] == "live"
    finally:
        ep.kill()


def test_obs_mute_when_the_timer_is_cut_at_zero(tmp_path, scene_file, obs):
    ep = start_engine(tmp_path, scene_file, obs.url)
    try:
        wait_for(lambda: obs_state(ep)["connected"], what="the link to identify")
        control(ep, "segment.goto", index=1)
        control(ep, "timer.start")  # the 1-second report preset, cut at zero
        assert obs.muted == {}
        wait_for(lambda: obs.muted.get("讲台话筒") is True, timeout=5, what="the microphone to be muted")
        assert ep.api("GET", "/api/state")["timer"]["running"] is False
        assert obs.requested("SetInputMute") == [{"inputName": "讲台话筒", "inputMuted": True}]
    finally:
        ep.kill()


def test_a_bad_obs_address_is_refused_at_start(tmp_path):
    out = subprocess.run([sys.executable, "-m", "wenzheng_studio", "serve", "--db", str(tmp_path / "x.db"),
                          "--obs", "http://localhost:4455"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 2 and "ws://HOST:4455" in out.stderr
