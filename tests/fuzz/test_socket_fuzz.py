"""Random and malformed Socket.IO traffic: no crash, no dropped bystanders, refusals change nothing."""

import json

import pytest
import socketio
import websocket
from digest import digest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from live_engine import ADMIN
from test_http_fuzz import json_values, shaped_bodies

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
KNOWN_EVENTS = ["vote", "control", "connect", "disconnect", "message", "poll", "state", "tally", "ask"]


@pytest.fixture
def show(live):
    _, poll = live.api("/api/polls", "POST", {"title": "模糊", "kind": "yesno"})
    live.api(f"/api/polls/{poll['id']}/open", "POST", {})
    voter = socketio.Client(reconnection=False)
    voter.connect(live.url, auth={"token": live.api("/api/voter", "POST", token=None)[1]["token"]},
                  transports=["websocket"], namespaces=["/audience"], wait_timeout=5)
    control = socketio.Client(reconnection=False)
    control.connect(live.url, auth={"token": ADMIN}, transports=["websocket"], namespaces=["/control"],
                    wait_timeout=5)
    yield live, poll["id"], voter, control
    getattr(live, "fuzz_voter", voter).disconnect()
    control.disconnect()


def audience_call(voter, event, data):
    """The ack, or None when the engine hung up on this client for flooding meanwhile."""
    try:
        return voter.call(event, data, namespace="/audience", timeout=5)
    except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
        return None


def phone(live, first):
    """The fuzzing phone: 100 examples back to back are a flood (50 refusals within 10 s), so
    the engine hangs up on it, as it should; then go on as a new phone (that token cools off)."""
    current = getattr(live, "fuzz_voter", first)
    if current.connected and "/audience" in current.namespaces:
        return current
    assert live.server.realtime.flood_disconnects >= 1, "the fuzzing phone was dropped, but not for flooding"
    fresh = socketio.Client(reconnection=False)
    fresh.connect(live.url, auth={"token": live.api("/api/voter", "POST", token=None)[1]["token"]},
                  transports=["websocket"], namespaces=["/audience"], wait_timeout=5)
    live.fuzz_voter = fresh
    return fresh


def bystander_still_served(live, poll):
    c = socketio.Client(reconnection=False)
    c.connect(live.url, auth={"token": live.api("/api/voter", "POST", token=None)[1]["token"]},
              transports=["websocket"], namespaces=["/audience"], wait_timeout=5)
    try:
        return c.call("vote", {"poll": poll, "choice": "bogus-choice"}, namespace="/audience", timeout=5)
    finally:
        c.disconnect()


@FUZZ
@given(event=st.sampled_from(KNOWN_EVENTS) | st.text(max_size=12), data=shaped_bodies | json_values)
def test_random_audience_events(show, event, data):
    live, poll, voter, _ = show
    voter = phone(live, voter)
    before = digest(live)
    if event in ("connect", "disconnect"):
        return  # reserved names the client library refuses to emit
    if event == "vote":
        ack = audience_call(voter, event, data)
    else:  # no handler, so no ack: send it, then a round trip on the same connection
        try:
            voter.emit(event, data, namespace="/audience")
        except socketio.exceptions.BadNamespaceError:
            pass  # hung up for flooding a moment ago (the guard acts after its 50th refusal)
        audience_call(voter, "vote", {"poll": poll, "choice": "bogus-choice"})
        ack = None
    if not (isinstance(ack, dict) and ack.get("ok") is True):
        assert ack is None or ack.get("error") in ("no_poll", "not_open", "bad_choice", "duplicate",
                                                   "rate_limited", "invalid"), ack
        assert digest(live) == before, (event, data, ack)
    live.prove_alive()


@FUZZ
@given(data=shaped_bodies | json_values)
def test_random_control_commands(show, data):
    live, _, _, control = show
    before = digest(live)
    ack = control.call("control", data, namespace="/control", timeout=5)
    assert isinstance(ack, dict), ack
    if ack.get("ok") is False:
        assert isinstance(ack.get("error"), str)
        assert digest(live) == before, (data, ack)
    else:
        assert "segment" in ack  # accepted: the new state
    live.prove_alive()


PROTOCOL_CHARS = "0123456789[]{}\",:/-_ audiencontrlvyesb\\u"
frames = (st.text(alphabet=PROTOCOL_CHARS, max_size=80)
          | st.builds(lambda t, body: t + body, st.sampled_from(["0", "1", "2", "3", "4", "40", "41", "42", "43",
                                                                 "44", "45", "46", "42/audience,", "42/control,",
                                                                 "40/control,", "42/nope,", "4x", "6", "5"]),
                      st.text(max_size=60) | json_values.map(json.dumps)))


@FUZZ
@given(frames=st.lists(frames, min_size=1, max_size=5), binary=st.binary(max_size=40))
def test_malformed_frames_drop_only_the_sender(show, frames, binary):
    live, poll, voter, _ = show
    before = digest(live)
    ws = websocket.create_connection(live.url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket",
                                     timeout=5)
    try:
        ws.recv()  # Engine.IO open packet
        for frame in frames:
            ws.send(frame)
        ws.send_binary(binary)
    except (websocket.WebSocketException, OSError):
        pass  # the engine may hang up on the sender: that is allowed
    finally:
        ws.close()
    assert digest(live) == before
    assert voter.connected
    assert bystander_still_served(live, poll) == {"ok": False, "error": "bad_choice"}
    live.prove_alive()
