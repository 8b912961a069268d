"""Against real OBS Studio (Debian obs-studio 29, obs-websocket 5 built in) under Xvfb: scenes
made through the websocket, TAKE switches OBS's program scene, a manual switch in OBS shows
in the state, a cut at zero mutes the podium microphone. Skips when OBS is not installed."""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import real_obs  # noqa: E402
from test_obs_link import (PASSWORD, _take_latencies, control, obs_state, scene_file,  # noqa: E402,F401
                           start_engine, wait_for)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(real_obs.missing() is not None, reason=f"real OBS Studio: {real_obs.missing()}")]


def obs_calls(url: str, *requests: tuple[str, dict | None]) -> list[dict]:
    """Our own obs-websocket session (as the graphics operator's hand in OBS): each request's data."""
    import simpleobsws

    async def run() -> list[dict]:
        client = simpleobsws.WebSocketClient(url, PASSWORD)
        await client.connect()
        assert await client.wait_until_identified(10), "could not identify with OBS"
        out = []
        try:
            for kind, data in requests:
                resp = await client.call(simpleobsws.Request(kind, data), timeout=10)
                assert resp.ok(), f"{kind}: {resp.requestStatus.comment}"
                out.append(resp.responseData or {})
        finally:
            await client.disconnect()
        return out

    return asyncio.run(run())


def program_scene(url: str) -> str:
    return obs_calls(url, ("GetCurrentProgramScene", None))[0]["currentProgramSceneName"]


@pytest.fixture
def obs(tmp_path):
    studio = real_obs.RealObs(tmp_path / "obs", PASSWORD).start()
    yield studio
    studio.stop()


def test_take_switches_real_obs(tmp_path, scene_file, obs):  # noqa: F811 (scene_file is a fixture)
    obs_calls(obs.url, ("CreateScene", {"sceneName": "开场"}), ("CreateScene", {"sceneName": "述职"}),
              ("CreateInput", {"sceneName": "述职", "inputName": "讲台话筒", "inputKind": "ffmpeg_source",
                               "inputSettings": {}}))
    ep = start_engine(tmp_path, scene_file, obs.url)
    try:
        wait_for(lambda: obs_state(ep)["connected"], timeout=15, what="the engine to identify with OBS")
        start = program_scene(obs.url)
        assert obs_state(ep)["program_scene"] == start

        control(ep, "show.start")
        wait_for(lambda: program_scene(obs.url) == "开场", what="show.start to switch OBS")
        wait_for(lambda: obs_state(ep)["program_scene"] == "开场", what="the state to follow OBS")
        taken = time.perf_counter()
        control(ep, "segment.next")  # TAKE
        answered_ms = (time.perf_counter() - taken) * 1000
        # state.obs.program_scene changes once OBS confirmed the switch: TAKE → OBS → back
        wait_for(lambda: obs_state(ep)["program_scene"] == "述职", what="the state to follow OBS")
        switched_ms = (time.perf_counter() - taken) * 1000
        assert program_scene(obs.url) == "述职"
        print(f"\nreal OBS: TAKE answered in {answered_ms:.1f} ms; OBS's switch confirmed in the state "
              f"{switched_ms:.0f} ms after the TAKE (polling /api/state)")

        obs_calls(obs.url, ("SetCurrentProgramScene", {"sceneName": "开场"}))  # by hand, in OBS
        wait_for(lambda: obs_state(ep)["program_scene"] == "开场", what="OBS's event to reach the state")

        control(ep, "timer.start")  # the 1-second report, cut at zero: the podium microphone goes off
        wait_for(lambda: obs_calls(obs.url, ("GetInputMute", {"inputName": "讲台话筒"}))[0]["inputMuted"],
                 timeout=6, what="the microphone to be muted at the cut")
        assert obs_state(ep)["problem"] is None and obs_state(ep)["streaming"] is False
    finally:
        ep.kill()

    (tmp_path / "wrong").mkdir()  # the same OBS, a wrong password: said clearly, the show unaffected
    wrong = start_engine(tmp_path / "wrong", scene_file, obs.url, password="not-the-password")
    try:
        wait_for(lambda: obs_state(wrong)["problem"] == "auth_failed", timeout=15, what="OBS's refusal to show")
        control(wrong, "show.start")
        assert obs_state(wrong)["connected"] is False and program_scene(obs.url) == "开场"
    finally:
        wrong.kill()


def test_take_latency_with_real_obs_attached(tmp_path, scene_file, obs):  # noqa: F811
    """40 TAKEs with real OBS switching on each, against the same engine without --obs while
    the same OBS runs (so both share the machine with OBS's rendering)."""
    obs_calls(obs.url, ("CreateScene", {"sceneName": "开场"}), ("CreateScene", {"sceneName": "述职"}))
    (tmp_path / "bare").mkdir()
    bare = start_engine(tmp_path / "bare", scene_file, None)
    try:
        baseline = _take_latencies(bare, 40)
    finally:
        bare.kill()
    ep = start_engine(tmp_path, scene_file, obs.url)
    try:
        wait_for(lambda: obs_state(ep)["connected"], timeout=15, what="the engine to identify with OBS")
        attached = _take_latencies(ep, 40)
        wait_for(lambda: program_scene(obs.url) == "开场", what="OBS to end on the last TAKE's scene")
    finally:
        ep.kill()
    print(f"\nreal OBS, 40 TAKEs: attached median {statistics.median(attached):.1f} ms, max {max(attached):.1f} ms; "
          f"without --obs median {statistics.median(baseline):.1f} ms, max {max(baseline):.1f} ms")
    assert max(attached) < 1000 and statistics.median(attached) < statistics.median(baseline) + 50
