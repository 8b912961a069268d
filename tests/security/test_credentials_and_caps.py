"""Voter tokens cannot be forged, /control needs the admin token, sizes and rates are capped."""

import json
import urllib.request

import pytest
import socketio
from itsdangerous import URLSafeTimedSerializer
from live_engine import ADMIN, LiveEngine
from wenzheng_studio.server.auth import VoterTokens
from wenzheng_studio.server.http import MAX_BODY_BYTES
from wenzheng_studio.server.realtime import MAX_MESSAGE_BYTES


def connect(live, namespace, auth):
    c = socketio.Client(reconnection=False)
    try:
        c.connect(live.url, auth=auth, transports=["websocket"], namespaces=[namespace], wait_timeout=5)
    except socketio.exceptions.ConnectionError:
        return None
    return c


def forged_tokens(real: str) -> list:
    """Tokens an attacker could make: altered, re-signed with a guessed key, unsigned, junk."""
    head, ts, sig = real.split(".")
    other = URLSafeTimedSerializer("guessed-secret", salt="wenzheng-voter")
    return [
        # signature altered (its first character: the last one also carries base64 padding
        # bits, and changing only those decodes to the very same signature)
        f"{head}.{ts}.{('B' if sig[0] == 'A' else 'A')}{sig[1:]}",
        f"{head}x.{ts}.{sig}",                            # payload altered
        f"{head}.{ts}.",                                  # signature dropped
        head,                                             # payload only
        other.dumps("0" * 32),                            # signed with someone else's key
        VoterTokens("another-engine-secret").issue(),     # another show's engine
        "", "null", "t:" + "0" * 32, "A" * 5000, 12345, None, ["x"], {"token": real},
    ]


def test_forged_voter_tokens_are_refused_at_connect(live):
    _, body = live.api("/api/voter", "POST", token=None)
    real = body["token"]
    good = connect(live, "/audience", {"token": real})
    assert good is not None
    good.disconnect()
    for fake in forged_tokens(real):
        assert connect(live, "/audience", {"token": fake}) is None, fake
    for auth in (None, {}, {"seat": "main-001", "key": "guess"}, {"seat": ["x"], "key": None}, "token"):
        assert connect(live, "/audience", auth) is None, auth


def test_seat_keys_are_checked(live):
    status, body = live.api("/api/seats", "POST", {"venue": "main", "count": 2})
    assert status == 201, body
    a, b = body["seats"]
    assert connect(live, "/audience", {"seat": a["seat"], "key": b["key"]}) is None  # another seat's key
    assert connect(live, "/audience", {"seat": a["seat"], "key": a["key"][:-1]}) is None
    ok = connect(live, "/audience", {"seat": a["seat"], "key": a["key"]})
    assert ok is not None
    ok.disconnect()


@pytest.mark.parametrize("auth", [None, {}, {"token": ""}, {"token": "wrong"}, {"token": ADMIN + " "},
                                  {"token": ADMIN.upper()}, {"admin": ADMIN}, {"token": [ADMIN]}])
def test_control_namespace_needs_the_admin_token(live, auth):
    assert connect(live, "/control", auth) is None


def test_control_namespace_with_the_token_is_served(live):
    c = connect(live, "/control", {"token": ADMIN})
    assert c is not None
    state = c.call("control", {"action": "segment.next"}, namespace="/control", timeout=5)
    assert state["segment"]["index"] >= 0
    c.disconnect()


def test_audience_and_overlay_cannot_send_control(live):
    before = live.api("/api/state")[1]["segment"]
    _, body = live.api("/api/voter", "POST", token=None)
    for ns, auth in (("/audience", {"token": body["token"]}), ("/overlay", None)):
        c = connect(live, ns, auth)
        assert c is not None
        with pytest.raises(socketio.exceptions.TimeoutError):  # no handler: no ack, no effect
            c.call("control", {"action": "segment.next"}, namespace=ns, timeout=1)
        c.disconnect()
    assert live.api("/api/state")[1]["segment"] == before


def test_oversize_http_bodies_are_refused_with_413(live):
    big = json.dumps({"text": "问" * MAX_BODY_BYTES}).encode()
    for path, token in (("/api/questions", None), ("/api/control", ADMIN), ("/api/polls", ADMIN)):
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(live.url + path, data=big, method="POST", headers=headers)
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(req, timeout=10)
        assert err.value.code == 413 and json.loads(err.value.read())["error"] == "too_large"
    assert live.api("/api/questions")[1]["questions"] == []


def test_oversize_socket_message_drops_only_that_client(live):
    _, poll = live.api("/api/polls", "POST", {"title": "t", "kind": "yesno"})
    live.api(f"/api/polls/{poll['id']}/open", "POST", {})
    tokens = [live.api("/api/voter", "POST", token=None)[1]["token"] for _ in range(2)]
    attacker, bystander = (connect(live, "/audience", {"token": t}) for t in tokens)
    with pytest.raises(Exception):
        attacker.call("vote", {"poll": poll["id"], "choice": "yes", "pad": "x" * (MAX_MESSAGE_BYTES * 2)},
                      namespace="/audience", timeout=3)
    assert bystander.call("vote", {"poll": poll["id"], "choice": "no"}, namespace="/audience",
                          timeout=5) == {"ok": True}
    view = live.api(f"/api/polls/{poll['id']}")[1]
    assert view["ballots"] == 1 and view["tally"]["remote"]["no"] == 1
    bystander.disconnect()
    attacker.disconnect()


def test_per_ip_voter_token_limit_answers_429(tmp_path):
    live = LiveEngine(tmp_path / "show.db", voter_token_rate=5)
    try:
        codes = [live.api("/api/voter", "POST", token=None)[0] for _ in range(8)]
        assert codes[:5] == [200] * 5 and set(codes[5:]) == {429}
    finally:
        live.close()


def test_per_connection_vote_rate_limit(live):
    _, poll = live.api("/api/polls", "POST", {"title": "t", "kind": "yesno"})
    live.api(f"/api/polls/{poll['id']}/open", "POST", {})
    c = connect(live, "/audience", {"token": live.api("/api/voter", "POST", token=None)[1]["token"]})
    acks = [c.call("vote", {"poll": poll["id"], "choice": "yes"}, namespace="/audience", timeout=5)
            for _ in range(30)]
    c.disconnect()
    errors = [a.get("error") for a in acks]
    assert acks[0] == {"ok": True} and "rate_limited" in errors
    assert set(errors[1:]) <= {"duplicate", "rate_limited"}
    assert live.api(f"/api/polls/{poll['id']}")[1]["ballots"] == 1
