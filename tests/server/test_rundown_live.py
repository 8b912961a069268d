"""Live running-order edits through the real server: pushed to the overlay at once, and kept
through kill -9."""

import time

import pytest
import requests
import socketio

pytestmark = pytest.mark.timeout(120)


def control(ep, action, **fields):
    return requests.post(ep.url + "/api/control", json={"action": action, **fields},
                         headers={"Authorization": f"Bearer {ep.token}"}, timeout=10)


def test_a_live_edit_reaches_the_overlay_and_survives_kill_9(engine_process):
    ep = engine_process
    control(ep, "segment.goto", index=0)
    control(ep, "segment.goto", index=3)
    seen = []
    overlay = socketio.Client(reconnection=False)
    overlay.on("state", lambda s: seen.append((time.monotonic(), s)), namespace="/overlay")
    overlay.connect(ep.url, namespaces=["/overlay"], transports=["websocket"], wait_timeout=10)
    time.sleep(0.3)
    sent = time.monotonic()
    reply = control(ep, "segment.insert", at=4, segment={"title": "突发连线", "planned_s": 90, "kind": "remote"})
    assert reply.status_code == 200 and reply.json()["running_order"][4]["title"] == "突发连线"
    deadline = time.monotonic() + 3
    arrived = None
    while arrived is None and time.monotonic() < deadline:
        arrived = next((t for t, s in seen if t >= sent and len(s["running_order"]) == 10), None)
        time.sleep(0.005)
    overlay.disconnect()
    assert arrived is not None, "the overlay never saw the edited running order"
    print(f"live edit → overlay state: {1000 * (arrived - sent):.0f} ms")
    refused = control(ep, "segment.remove", index=3)
    assert refused.status_code == 409 and refused.json()["error"] == "on_air"
    assert control(ep, "speaker.insert", speaker={"name": "周副局长", "unit": "市城市管理局"}).status_code == 200

    ep.kill()
    ep.start()
    state = requests.get(ep.url + "/api/state", timeout=10).json()
    assert state["segment"]["key"] == "questions" and state["segment"]["index"] == 3
    assert [r["title"] for r in state["running_order"]][4] == "突发连线"
    assert state["speakers"][-1]["name"] == "周副局长"
    assert requests.get(ep.url + "/api/scene", timeout=10).json()["segments"][4]["title"] == "突发连线"
