"""The audience's wire attacked below the client libraries: raw websocket frames
(server/lean_websocket.py), the polling → websocket upgrade and a back-to-back flood
(server/lean_engineio.py), against a real engine on 127.0.0.1 (the `live` fixture).

"No crash" is not the bar: after every example a fresh phone votes and is acked, every acked
ballot is counted exactly once, no ballot is counted that its phone was told was refused, the
health check is ok and the attacker's Engine.IO session is gone once it hangs up.
"""

from __future__ import annotations

import json
import os
import threading
import time

import pytest
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wire import (BINARY, CLOSE, PING, PONG, TEXT, Polling, acks, audience_websocket, frame, text,
                  vote_packet)

FUZZ = settings(max_examples=int(os.environ.get("WENZHENG_FRAME_FUZZ_EXAMPLES", "25")), deadline=None,
                suppress_health_check=list(HealthCheck))
PROBE_ACK = 900  # the ack id of the vote that checks a connection still answers after the stream


@pytest.fixture
def poll(live):
    _, created = live.api("/api/polls", "POST", {"title": "帧模糊", "kind": "yesno"})
    live.api(f"/api/polls/{created['id']}/open", "POST", {})
    return created["id"]


def voter_token(live) -> str:
    return live.api("/api/voter", "POST", token=None)[1]["token"]


def ballots(live, poll_id: int) -> int:
    """The poll's count where it is durable: a secondary's own view follows its primary's a moment later."""
    status, view = getattr(live, "primary", live).api(f"/api/polls/{poll_id}")
    assert status == 200, (status, view)
    return view["ballots"]


def eio_sockets(live) -> dict:
    return live.server.realtime.sio.eio.sockets


def session_ended(live, eio_sid: str) -> bool:
    """Gone from python-engineio's table, or closed there: a closed polling session is swept
    from the table by its service task within ping_timeout (python-engineio's own behaviour)."""
    s = eio_sockets(live).get(eio_sid)
    return s is None or s.closed


def wait_until(check, timeout: float = 5.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.01)


def engine_still_serves(live, poll_id: int) -> None:
    """A fresh normal phone (the official client, websocket) is acked and counted; health is ok."""
    before = ballots(live, poll_id)
    phone = socketio.Client(reconnection=False)
    phone.connect(live.url, auth={"token": voter_token(live)}, transports=["websocket"],
                  namespaces=["/audience"], wait_timeout=5)
    try:
        ack = phone.call("vote", {"poll": poll_id, "choice": "yes"}, namespace="/audience", timeout=5)
    finally:
        phone.disconnect()
    assert ack == {"ok": True}, ack
    assert ballots(live, poll_id) == before + 1, "the fresh phone's acked ballot is not counted once"
    status, health = live.api("/healthz")
    assert status == 200 and health == {"ok": True}, (status, health)


# --- 1. raw frames ---------------------------------------------------------------------------
# A piece of the stream: (kind, bytes or a vote's choice, class). Class "good": a frame any
# client may send, after which the connection must still answer; "maybe": legal framing whose
# meaning may end the session (a CLOSE packet, a namespace leave); "bad": a protocol error.
EIO_PACKETS = ["2", "3", "6", "5", "42/audience,[\"tally\"]", "42/audience,7[\"vote\"]", "42/audience,[]",
               "42/audience,8[\"vote\",{\"poll\":\"x\"}]", "4", "42/nope,[\"vote\"]", "40/control,{}"]
MAYBE_PACKETS = ["1", "41/audience,", "0", "44/audience,{}", "4x", ""]
BAD_OPCODES = [0x0, 0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF]
payloads = st.binary(max_size=40)


def _good():
    return st.one_of(
        st.builds(lambda c: ("vote", c, "good"), st.sampled_from(["yes", "no", "maybe-not-a-choice"])),
        st.builds(lambda p: ("bytes", text(p), "good"), st.sampled_from(EIO_PACKETS)),
        st.builds(lambda p: ("bytes", frame(PING, p), "good"), st.binary(max_size=125)),
        st.builds(lambda p: ("bytes", frame(PONG, p), "good"), payloads),
        # a vote cut into a fragmented message: legal RFC 6455, websockets reassembles it
        st.builds(lambda c, cut: ("fragmented", (c, cut), "good"), st.sampled_from(["yes", "no"]),
                  st.integers(1, 40)),
    )


def _maybe():
    return st.one_of(
        st.builds(lambda p: ("bytes", text(p), "maybe"), st.sampled_from(MAYBE_PACKETS)),
        st.builds(lambda p: ("bytes", text(p), "maybe"), st.text(alphabet="0123456789[]{}\",/audience", max_size=30)),
        st.builds(lambda p: ("bytes", frame(BINARY, p), "maybe"), payloads),
        # a legal but non-minimal length form (16 or 64 bits for a short payload)
        st.builds(lambda p, form: ("bytes", frame(TEXT, p.encode(), length_form=form), "maybe"),
                  st.sampled_from(EIO_PACKETS), st.sampled_from([126, 127])),
    )


def _bad():
    return st.one_of(
        st.builds(lambda op, p: ("bytes", frame(op, p), "bad"), st.sampled_from(BAD_OPCODES), payloads),
        st.builds(lambda rsv, p: ("bytes", frame(TEXT, p.encode(), rsv=rsv), "bad"),
                  st.sampled_from([0x10, 0x20, 0x40, 0x70]), st.sampled_from(EIO_PACKETS)),
        st.builds(lambda p: ("bytes", frame(TEXT, p.encode(), masked=False), "bad"), st.sampled_from(EIO_PACKETS)),
        st.builds(lambda p: ("bytes", frame(TEXT, b"\xff" + p), "bad"), payloads),  # not UTF-8
        st.builds(lambda p: ("bytes", frame(TEXT, "4".encode() + "投".encode()[:2] + p), "bad"), payloads),
        st.builds(lambda n: ("bytes", frame(PING, b"p" * n), "bad"), st.integers(126, 300)),  # control > 125
        st.builds(lambda p: ("bytes", frame(TEXT, p, fin=False), "bad"), payloads),  # a fragment never finished...
        st.builds(lambda p: ("bytes", frame(0x0, p), "bad"), payloads),  # ...or a continuation of nothing
        st.builds(lambda n: ("bytes", frame(TEXT, b"", declared=n), "bad"),  # huge declared lengths
                  st.sampled_from([65537, 2 ** 31, 2 ** 40, 2 ** 63 - 1])),
        st.just(("bytes", frame(TEXT, b"4" + b"x" * 70_000), "bad")),  # over ws_max_size, really sent
        st.builds(lambda p, short: ("bytes", frame(TEXT, p.encode(), declared=max(0, len(p) - short)), "bad"),
                  st.sampled_from(EIO_PACKETS[4:]), st.integers(1, 5)),  # declared shorter than sent
        st.builds(lambda code: ("bytes", frame(CLOSE, code.to_bytes(2, "big")), "bad"),
                  st.sampled_from([1000, 1001, 1002, 4000])),
        st.builds(lambda p: ("bytes", p, "bad"), st.binary(min_size=1, max_size=30)),  # no frame at all
    )


pieces = st.one_of(_good(), _good(), _maybe(), _bad())
# The last piece may be a frame cut short: its end never comes (the engine must just wait for it).
truncated_tails = st.none() | st.builds(lambda p, keep: frame(TEXT, p)[:keep], st.binary(min_size=1, max_size=300),
                                        st.integers(1, 12))


def encode(piece, poll_id: int, ack_id: int) -> bytes:
    kind, value, _ = piece
    if kind == "vote":
        return text(vote_packet(ack_id, poll_id, value))
    if kind == "fragmented":
        choice, cut = value
        data = vote_packet(ack_id, poll_id, choice).encode()
        cut = min(cut, len(data) - 1)
        return frame(TEXT, data[:cut], fin=False) + frame(0x0, data[cut:])
    return value


@FUZZ
@given(stream=st.lists(pieces, min_size=1, max_size=8), tail=truncated_tails,
       splits=st.lists(st.integers(1, 400), max_size=6), pipelined=st.booleans())
def test_random_frame_streams_lose_no_acked_ballot(live, poll, stream, tail, splits, pipelined):
    token = voter_token(live)
    before, sessions = ballots(live, poll), len(eio_sockets(live))
    ws, sid = audience_websocket(live.url, token, pipelined)
    data = b"".join(encode(piece, poll, ack_id) for ack_id, piece in enumerate(stream, 1))
    all_good = all(cls == "good" for _, _, cls in stream)
    if tail is None:  # then ask once more: is this connection still answered?
        data += text(vote_packet(PROBE_ACK, poll, "yes"))
    else:
        data += tail
    ws.send(data, splits)
    texts = ws.texts(until=lambda op, p: p.startswith(f"43/audience,{PROBE_ACK}[".encode()),
                     timeout=3.0 if all_good else 0.4)
    answered = acks(texts)
    if all_good and tail is None:
        assert PROBE_ACK in answered, ("a connection of legal frames stopped answering", texts, ws.close_code)
    if ws.close_code is not None:  # websockets' closing handshake: a protocol error, a close, or too big
        assert ws.close_code in (1000, 1001, 1002, 1005, 1007, 1009, 4000), ws.close_code  # or our own, echoed
    ws.close()
    # Hung up: every message it sent is handled (in turn) before its disconnect, then its session ends.
    wait_until(lambda: sid not in live.server.realtime.voters, what="the hung-up phone is still a voter")
    wait_until(lambda: len(eio_sockets(live)) <= sessions, what="the hung-up phone's Engine.IO session lingers")
    grown = ballots(live, poll) - before
    ok = [i for i, reply in answered.items() if reply == {"ok": True}]
    assert len(ok) <= 1 and grown in (0, 1), ("one phone, one ballot", answered, grown)
    assert len(ok) <= grown, ("a ballot acked {ok: true} is not counted", answered, grown)
    for i, reply in answered.items():
        assert isinstance(reply, dict) and (reply.get("ok") is True or reply.get("error") in (
            "duplicate", "bad_choice", "invalid", "rate_limited", "not_open", "no_poll")), (i, reply)
    if PROBE_ACK in answered:  # answered to the end, so every vote's ack reached it: none may be missing
        assert grown == len(ok), ("a ballot was counted but its phone was told otherwise", answered, grown)
    engine_still_serves(live, poll)


# --- 2. polling and the upgrade --------------------------------------------------------------
def join_audience(live, p: Polling, token: str) -> list[str]:
    """CONNECT /audience over polling; read until the connect's last packet ("voted")."""
    assert p.post("40/audience," + json.dumps({"token": token})) == 200
    got: list[str] = []
    while not any('"voted"' in t for t in got):
        status, packets = p.get(timeout=3)
        assert status == 200, (status, packets)
        got += packets
    assert any(t.startswith("40/audience,{") for t in got), got
    return got


def polled_ack(p: Polling, ack_id: int, timeout: float = 3.0) -> dict:
    """Poll until the ack `ack_id` comes; a session that only answers NOOP forever fails here."""
    deadline, seen = time.monotonic() + timeout, []
    while time.monotonic() < deadline:
        status, packets = p.get(timeout=timeout)
        assert status == 200, ("the polling session is gone", status, packets)
        seen += packets
        found = acks(seen)
        if ack_id in found:
            return found[ack_id]
    raise AssertionError(f"no ack {ack_id} over polling within {timeout} s: {seen[-5:]}")


def ws_ack(ws, ack_id: int, timeout: float = 3.0) -> dict | None:
    return acks(ws.texts(until=lambda op, p: p.startswith(f"43/audience,{ack_id}[".encode()),
                         timeout=timeout)).get(ack_id)


UPGRADE_ATTACKS = ["clean", "wrong_probe", "oversized_probe", "hang_up_before_probe", "hang_up_after_probe",
                   "no_upgrade_packet", "vote_during_upgrade", "double_upgrade", "second_websocket_mid_upgrade",
                   "unknown_sid"]


@pytest.mark.parametrize("attack", UPGRADE_ATTACKS)  # every attack, every run
@settings(FUZZ, max_examples=max(3, FUZZ.max_examples // 8))
@given(junk=st.text(max_size=30).filter(lambda t: t != "2probe"))
def test_attacks_on_the_upgrade_leave_one_working_session(live, poll, attack, junk):
    token = voter_token(live)
    before = ballots(live, poll)
    p = Polling(live.url)
    join_audience(live, p, token)
    vote = vote_packet(1, poll, "yes")
    expect_ballot = True
    opened = []
    try:
        if attack == "unknown_sid":
            stranger = Polling.__new__(Polling)
            stranger.host, stranger.port, stranger.sid = p.host, p.port, "not-a-session"
            ws = stranger.websocket(live.url)
            opened.append(ws)
            assert ws.status != 101 or ws.frames(timeout=1) == [] or ws.closed, "a websocket for no session"
            assert p.post(vote) == 200 and polled_ack(p, 1) == {"ok": True}
            p.post("1")
            return
        ws = p.websocket(live.url)
        opened.append(ws)
        assert ws.status == 101, ws.status
        if attack in ("wrong_probe", "oversized_probe"):
            ws.send(text(junk if attack == "wrong_probe" else "2probe" + "x" * 20_000))
            ws.frames(timeout=1.0)  # the engine ends the upgrade; the session stays on polling
            ws.close()
            assert p.post(vote) == 200 and polled_ack(p, 1) == {"ok": True}
            p.post("1")
            return
        if attack == "hang_up_before_probe":
            ws.close()
            time.sleep(0.05)
            assert p.post(vote) == 200 and polled_ack(p, 1) == {"ok": True}
            p.post("1")
            return
        ws.send(text("2probe"))
        assert "3probe" in ws.texts(until=lambda op, b: b == b"3probe"), "no probe answer"
        if attack == "hang_up_after_probe":
            ws.close()
            assert p.post(vote) == 200 and polled_ack(p, 1) == {"ok": True}
            p.post("1")
            return
        if attack == "no_upgrade_packet":
            ws.send(text(vote_packet(7, poll, "yes")))  # a message where UPGRADE belongs: the upgrade fails
            assert 7 not in acks(ws.texts(timeout=0.5))
            ws.close()
            assert p.post(vote) == 200 and polled_ack(p, 1) == {"ok": True}  # the ballot is this one's
            p.post("1")
            return
        if attack == "second_websocket_mid_upgrade":
            other = p.websocket(live.url)
            opened.append(other)
            if junk:  # a second probe, or nothing at all, then gone
                other.send(text("2probe"))
                other.texts(until=lambda op, b: b == b"3probe", timeout=1.0)
            other.close()
            time.sleep(0.05)
        if attack == "vote_during_upgrade":  # sent over polling while the websocket is being probed
            assert p.post(vote) == 200
        ws.send(text("5"))
        if attack != "vote_during_upgrade":
            ws.send(text(vote))
        reply = ws_ack(ws, 1)
        if reply is None and attack == "second_websocket_mid_upgrade":
            # the second websocket's hang-up may end the session (as python-engineio's); then
            # the session must be gone, not half alive
            expect_ballot = ballots(live, poll) - before == 1
            wait_until(lambda: session_ended(live, p.sid), what="a half-upgraded session lingers")
            return
        assert reply == {"ok": True}, (attack, reply)
        if attack == "double_upgrade":
            again = p.websocket(live.url)
            opened.append(again)
            if again.status == 101:
                again.send(text("2probe"))
                assert "3probe" not in again.texts(timeout=0.5), "a second upgrade of an upgraded session"
            again.close()
            ws.send(text(vote_packet(2, poll, "no")))
            assert ws_ack(ws, 2) == {"ok": False, "error": "duplicate"}, "the upgraded websocket stopped answering"
        ws.send(text("1"))
    finally:
        for w in opened:
            w.close()
        wait_until(lambda: session_ended(live, p.sid), what=f"{attack}: the session outlived its client")
    grown = ballots(live, poll) - before
    assert grown == (1 if expect_ballot else 0), (attack, grown)
    engine_still_serves(live, poll)


def test_upgrade_attacks_leave_no_session_behind(live, poll):
    """After the hypothesis run above, the table holds no attacker's session (a leak check of
    the whole suite's worth of upgrades, here on a fresh engine: one of each, then count)."""
    baseline = len(eio_sockets(live))
    for attack in ("hang_up_before_probe", "hang_up_after_probe", "no_upgrade_packet", "oversized_probe"):
        token = voter_token(live)
        p = Polling(live.url)
        join_audience(live, p, token)
        ws = p.websocket(live.url)
        if attack == "oversized_probe":
            ws.send(text("2probe" + "x" * 20_000))
        elif attack != "hang_up_before_probe":
            ws.send(text("2probe"))
            ws.texts(until=lambda op, b: b == b"3probe")
            if attack == "no_upgrade_packet":
                ws.send(text("42/audience,[\"vote\"]"))
        ws.close()
        time.sleep(0.05)
        p.post("1")
    wait_until(lambda: sum(not s.closed for s in list(eio_sockets(live).values())) == baseline,
               what="sessions leaked")
    engine_still_serves(live, poll)


# --- 3. a flood handled in turn --------------------------------------------------------------
def bystander_latencies(live, poll_id: int, bystander, sender: threading.Thread) -> list[float]:
    """A bystander's ack latencies while `sender` floods (within its own 10-vote allowance)."""
    latencies = []
    sender.start()
    for _ in range(8):
        t0 = time.monotonic()
        ack = bystander.call("vote", {"poll": poll_id, "choice": "bogus"}, namespace="/audience", timeout=10)
        latencies.append(time.monotonic() - t0)
        assert ack == {"ok": False, "error": "bad_choice"}, ack
        time.sleep(0.02)
    sender.join(10)
    print(f"bystander ack latency during the flood: max {max(latencies) * 1000:.1f} ms")
    return latencies


@pytest.mark.parametrize("flood", ["votes", "noops"])
def test_a_thousand_packets_back_to_back_do_not_stall_the_other_phones(live, poll, flood):
    """1,000 packets in one write, never reading: votes trip the flood guard (rate-limited past
    the bucket, 50 refusals, hung up); NOOP/PONG packets are no refusal, so they are read and
    handled in turn to the end, and the vote behind them is still answered."""
    bystander = socketio.Client(reconnection=False)
    bystander.connect(live.url, auth={"token": voter_token(live)}, transports=["websocket"],
                      namespaces=["/audience"], wait_timeout=5)
    drops_before = live.server.realtime.flood_disconnects
    before = ballots(live, poll)
    flooder, sid = audience_websocket(live.url, voter_token(live))
    if flood == "votes":
        burst = b"".join(text(vote_packet(i, poll, "yes")) for i in range(1, 1001))
    else:
        burst = b"".join(text("6" if i % 2 else "3") for i in range(999)) + text(vote_packet(1, poll, "yes"))
    sender = threading.Thread(target=flooder.send, args=(burst,), daemon=True)
    try:
        latencies = bystander_latencies(live, poll, bystander, sender)
        if flood == "votes":  # answered in turn until the guard's 50th refusal, then hung up
            answered = acks(flooder.texts(timeout=5.0))
            assert flooder.closed, "the flooder was not hung up"
            assert answered.get(1) == {"ok": True}, answered.get(1)
            assert sum(1 for r in answered.values() if r.get("error") == "rate_limited") >= 49, len(answered)
            assert len(answered) < 1000, "a flooder's every packet was answered: the guard did not act"
            assert live.server.realtime.flood_disconnects == drops_before + 1
        else:
            assert ws_ack(flooder, 1, timeout=5.0) == {"ok": True}, "the vote behind 999 NOOPs was not answered"
            assert not flooder.closed and live.server.realtime.flood_disconnects == drops_before
        flooder.close()
        wait_until(lambda: sid not in live.server.realtime.voters, what="the flooder is still a voter")
        ack = bystander.call("vote", {"poll": poll, "choice": "yes"}, namespace="/audience", timeout=5)
        assert ack == {"ok": True}, ack
        assert ballots(live, poll) == before + 2, "exactly the flooder's first vote and the bystander's"
    finally:
        flooder.close()
        bystander.disconnect()
    # a generous bound: it catches an event loop frozen behind one client, it is no benchmark
    assert max(latencies) < 2.0, latencies
    engine_still_serves(live, poll)
