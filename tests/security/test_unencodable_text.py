"""Text no store can keep (a lone surrogate) is refused at the door on every path in.

The store writer once died on `{"text": "a \\ud800 b"}` from an anonymous viewer, and every
durable write stopped with it. Each case below is refused with 400 `invalid` (an error ack
on Socket.IO), and afterwards the engine still stores a question and counts a vote.
"""

import pytest
import socketio
from live_engine import ADMIN

BAD = "a \ud800 b"
# (path, body, operator?) — every kind of text an operator or a viewer can send
HTTP_CASES = [
    ("/api/questions", {"text": BAD}, False),
    ("/api/questions", {"text": "正常", "name": BAD}, False),
    ("/api/questions", {"text": "正常", "district": BAD}, False),
    ("/api/questions", {"text": BAD, "source": "hotline", "phone": "13800001111"}, True),
    ("/api/questions", {"text": "正常", "source": "hotline", "notes": BAD}, True),
    ("/api/questions", {"text": "正常", BAD: "field name"}, False),
    ("/api/polls", {"title": BAD, "kind": "yesno"}, True),
    ("/api/polls", {"title": "t", "kind": "choice", "choices": [{"key": "a", "label": BAD}, {"key": "b", "label": "乙"}]}, True),
    ("/api/polls", {"title": "t", "kind": "yesno", "unit": BAD}, True),
    ("/api/control", {"action": "timer.start", "seconds": 30, "label": BAD}, True),
    ("/api/control", {"action": "overlay.set", "element": "qr", "mode": BAD}, True),
    ("/api/questions/1", {"action": "edit", "air_text": BAD}, True),
    ("/api/questions/1", {"action": "reject", "reason": BAD}, True),
    ("/api/questions/1", {"action": "refer", "unit": BAD}, True),
    ("/api/seats", {"venue": BAD, "count": 1}, True),
    ("/api/polls/1/open", {"countdown_s": 30, "note": BAD}, True),
]


@pytest.mark.parametrize("path, body, operator", HTTP_CASES, ids=[f"{c[0]}:{sorted(c[1])[0]}" for c in HTTP_CASES])
def test_http_refuses_unencodable_text_and_keeps_writing(live, path, body, operator):
    live.api("/api/polls", "POST", {"title": "种子", "kind": "yesno"})
    live.api("/api/questions", "POST", {"text": "种子问题"})
    status, reply = live.api(path, "POST", body, token=ADMIN if operator else None)
    assert status == 400 and reply["error"] == "invalid", (status, reply)
    assert live.api("/healthz", token=None) == (200, {"ok": True})
    live.prove_alive()


def test_socketio_control_refuses_unencodable_text_and_keeps_writing(live):
    control = socketio.Client(reconnection=False)
    control.connect(live.url, auth={"token": ADMIN}, transports=["websocket"], namespaces=["/control"],
                    wait_timeout=10)
    try:
        ack = control.call("control", {"action": "timer.start", "seconds": 30, "label": BAD},
                           namespace="/control", timeout=10)
        assert ack["ok"] is False and ack["error"] == "invalid", ack
        ack = control.call("control", {"action": "timer.start", "seconds": 30, "label": "正常"},
                           namespace="/control", timeout=10)
        assert ack["timer"]["label"] == "正常"
    finally:
        control.disconnect()
    live.prove_alive()


def test_a_vote_with_unencodable_text_is_refused_and_voting_goes_on(live):
    _, poll = live.api("/api/polls", "POST", {"title": "投票", "kind": "yesno"})
    live.api(f"/api/polls/{poll['id']}/open", "POST", {})
    phone = socketio.Client(reconnection=False)
    phone.connect(live.url, auth={"token": live.api("/api/voter", "POST", token=None)[1]["token"]},
                  transports=["websocket"], namespaces=["/audience"], wait_timeout=10)
    try:
        for data in ({"poll": poll["id"], "choice": BAD}, {"poll": BAD, "choice": "yes"}, {BAD: 1, "poll": poll["id"]}):
            ack = phone.call("vote", data, namespace="/audience", timeout=10)
            assert ack["ok"] is False, ack
        assert phone.call("vote", {"poll": poll["id"], "choice": "yes"}, namespace="/audience", timeout=10) == {"ok": True}
    finally:
        phone.disconnect()
    live.prove_alive()
