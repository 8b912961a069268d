"""Messages to the talent through a real engine: persisted through kill -9, cleaned, in the public state."""

import time

import pytest
import requests
import socketio

pytestmark = pytest.mark.timeout(120)


def api(ep, method, path, body=None, raw=None, token=True):
    headers = {"Authorization": f"Bearer {ep.token}"} if token else {}
    if raw is not None:
        headers["Content-Type"] = "application/json"
        return requests.request(method, ep.url + path, data=raw, headers=headers, timeout=10)
    return requests.request(method, ep.url + path, json=body, headers=headers, timeout=10)


def test_a_message_survives_kill_9_and_reaches_the_public_state(engine_process):
    ep = engine_process
    reply = api(ep, "POST", "/api/control", {"action": "message.set", "text": "请抓紧时间"})
    assert reply.status_code == 200
    set_at = reply.json()["message"]["at"]
    assert reply.json()["message"] == {"text": "请抓紧时间", "at": set_at}
    public = api(ep, "GET", "/api/state", token=False).json()
    assert public["message"] == {"text": "请抓紧时间", "at": set_at}
    assert abs(public["server_time"] - set_at) < 5

    ep.kill()  # acknowledged, so on disk
    ep.start()
    assert api(ep, "GET", "/api/state", token=False).json()["message"] == {"text": "请抓紧时间", "at": set_at}
    assert api(ep, "POST", "/api/control", {"action": "message.clear"}).json()["message"] is None
    ep.kill()
    ep.start()
    assert api(ep, "GET", "/api/state", token=False).json()["message"] is None


@pytest.mark.parametrize("raw", [
    b'{"action": "message.set", "text": "a\\ud800b"}',          # a lone surrogate
    b'{"action": "message.set", "text": ""}',
    b'{"action": "message.set"}',
    b'{"action": "message.set", "text": 5}',
    ('{"action": "message.set", "text": "' + "长" * 41 + '"}').encode(),
    b'{"action": "message.set", "text": "\\u0000"}',
])
def test_bad_text_answers_400_invalid_and_changes_nothing(engine_process, raw):
    ep = engine_process
    api(ep, "POST", "/api/control", {"action": "message.set", "text": "还有一分钟"})
    before = api(ep, "GET", "/api/state").json()["message"]
    reply = api(ep, "POST", "/api/control", raw=raw)
    assert reply.status_code == 400 and reply.json()["error"] == "invalid", reply.text
    assert api(ep, "GET", "/api/state").json()["message"] == before


def test_the_public_namespace_pushes_it_and_socketio_control_sets_it(engine_process):
    ep = engine_process
    seen = []
    viewer = socketio.Client(reconnection=False)
    viewer.on("state", lambda state: seen.append(state.get("message")), namespace="/overlay")
    viewer.connect(ep.url, namespaces=["/overlay"], transports=["websocket"])
    crew = socketio.Client(reconnection=False)
    crew.connect(ep.url, namespaces=["/control"], auth={"token": ep.token}, transports=["websocket"])
    try:
        state = crew.call("control", {"action": "message.set", "text": "请看镜头"}, namespace="/control", timeout=5)
        assert state["message"]["text"] == "请看镜头"
        deadline = time.monotonic() + 3
        while not any(m and m.get("text") == "请看镜头" for m in seen) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert any(m and m.get("text") == "请看镜头" for m in seen), seen
        refused = crew.call("control", {"action": "message.set", "text": "x" * 200}, namespace="/control", timeout=5)
        assert refused["ok"] is False and refused["error"] == "invalid", refused
    finally:
        viewer.disconnect()
        crew.disconnect()
