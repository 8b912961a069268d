"""The OSC control surface against a real engine subprocess: a python-osc client presses the
buttons, a python-osc server stands in for Companion and receives the feedback."""

import dataclasses
import json
import os
import socket
import sqlite3
import struct
import threading
import time
from pathlib import Path

import pytest
import requests
from pythonosc.dispatcher import Dispatcher
from pythonosc.osc_bundle_builder import IMMEDIATELY, OscBundleBuilder
from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_server import ThreadingOSCUDPServer
from pythonosc.udp_client import SimpleUDPClient

from wenzheng_studio.core.show import CONTROL_ACTIONS

pytestmark = pytest.mark.timeout(120)
SURFACE = {"id": -10, "name": "控制台 OSC", "role": "director"}


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Companion:
    """Stands in for Companion's Generic OSC module listening for feedback: records every message."""

    def __init__(self):
        self.messages: list[tuple[float, str, tuple]] = []
        self.lock = threading.Lock()
        dispatcher = Dispatcher()
        dispatcher.set_default_handler(self._record)
        self.server = ThreadingOSCUDPServer(("127.0.0.1", 0), dispatcher)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, name="fake-companion", daemon=True).start()

    def _record(self, address, *args):
        with self.lock:
            self.messages.append((time.monotonic(), address, args))

    def latest(self, address):
        with self.lock:
            for _, a, args in reversed(self.messages):
                if a == address:
                    return args[0] if len(args) == 1 else args
        return None

    def wait_for(self, address, predicate, timeout=5.0, since=0.0):
        """The arrival time and value of the first message to `address` after `since` that satisfies predicate."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for t, a, args in self.messages:
                    if t >= since and a == address and predicate(args[0]):
                        return t, args[0]
            time.sleep(0.01)
        raise AssertionError(f"no {address} matching within {timeout} s; last: {self.latest(address)!r}")

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@dataclasses.dataclass
class Surface:
    ep: object
    port: int
    companion: Companion

    def __post_init__(self):
        self.client = SimpleUDPClient("127.0.0.1", self.port)

    def send(self, address, *args):
        self.client.send_message(address, list(args))

    def raw(self, data: bytes):
        self.client._sock.sendto(data, ("127.0.0.1", self.port))

    def state(self):
        return requests.get(self.ep.url + "/api/state", headers={"Authorization": f"Bearer {self.ep.token}"},
                            timeout=10).json()

    def until(self, predicate, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            state = self.state()
            if predicate(state):
                return state
            if time.monotonic() > deadline:
                raise AssertionError(f"the state never matched; segment {state['segment']}, timer {state['timer']}, "
                                     f"speaker {state['speaker']}, poll {state['poll']}")
            time.sleep(0.02)

    def api(self, method, path, body=None):
        r = requests.request(method, self.ep.url + path, json=body, timeout=10,
                             headers={"Authorization": f"Bearer {self.ep.token}"})
        assert r.status_code < 300, r.text
        return r.json()


@pytest.fixture
def osc(engine_process, tmp_path):
    companion = Companion()
    port = free_udp_port()
    ep = dataclasses.replace(engine_process, db=tmp_path / "osc.db", port=0, proc=None, url="",
                             extra=("--osc-port", str(port), "--osc-feedback", f"127.0.0.1:{companion.port}"))
    ep.start()
    try:
        yield Surface(ep, port, companion)
    finally:
        ep.kill()
        companion.close()


def udp_sockets_of(pid: int) -> list[tuple[str, int]]:
    """(local address, port) of every UDP socket the process holds (Linux /proc)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = []
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                addr, port = fields[1].split(":")
                found.append((socket.inet_ntop(socket.AF_INET, struct.pack("<I", int(addr, 16))) if len(addr) == 8
                              else addr, int(port, 16)))
    return found


@pytest.mark.skipif(not Path("/proc/net/udp").exists(), reason="needs Linux /proc")
def test_off_by_default_and_on_loopback_when_asked(engine_process, osc):
    assert udp_sockets_of(engine_process.proc.pid) == []  # no --osc-port: no UDP port open at all
    listening = [s for s in udp_sockets_of(osc.ep.proc.pid) if s[1] == osc.port]
    assert listening == [("127.0.0.1", osc.port)]  # --osc-port without --osc-host: this PC only


def test_each_address_does_its_action(osc):
    osc.send("/wenzheng/take")
    osc.until(lambda s: s["show"]["status"] == "live" and s["segment"]["index"] == 0)
    osc.send("/wenzheng/speaker/next")
    osc.until(lambda s: (s["speaker"] or {}).get("index") == 0 and s["timer"]["running"])
    osc.send("/wenzheng/speaker/next")
    osc.until(lambda s: (s["speaker"] or {}).get("index") == 1)
    osc.send("/wenzheng/speaker/prev")
    osc.until(lambda s: (s["speaker"] or {}).get("index") == 0)
    osc.send("/wenzheng/timer/toggle")
    paused = osc.until(lambda s: not s["timer"]["running"])
    osc.send("/wenzheng/timer/add", 30)
    osc.until(lambda s: s["timer"]["duration_s"] == paused["timer"]["duration_s"] + 30)
    osc.send("/wenzheng/timer/add", -2.5)
    osc.until(lambda s: s["timer"]["duration_s"] == paused["timer"]["duration_s"] + 27.5)
    osc.send("/wenzheng/timer/toggle")
    osc.until(lambda s: s["timer"]["running"])
    osc.send("/wenzheng/timer/reset")
    osc.until(lambda s: not s["timer"]["running"] and s["timer"]["elapsed_s"] == 0)
    osc.send("/wenzheng/hold")
    osc.until(lambda s: s["segment"]["hold"])
    osc.send("/wenzheng/take")  # held: refused by the engine, as over HTTP
    osc.send("/wenzheng/hold", 0)
    state = osc.until(lambda s: not s["segment"]["hold"])
    assert state["segment"]["index"] == 0
    osc.send("/wenzheng/goto", 3)
    osc.until(lambda s: s["segment"]["index"] == 3)

    first = osc.api("POST", "/api/polls", {"title": "第一轮", "kind": "yesno"})["id"]
    hidden = osc.api("POST", "/api/polls", {"title": "满意吗", "kind": "satisfaction", "revealed": False})["id"]
    osc.send("/wenzheng/poll/open")  # the newest draft
    osc.until(lambda s: (s["poll"] or {}).get("id") == hidden and s["poll"]["state"] == "open")
    osc.send("/wenzheng/poll/open")  # a second press: refused, the older draft stays a draft
    osc.send("/wenzheng/poll/reveal")
    osc.until(lambda s: s["poll"]["revealed"])
    osc.send("/wenzheng/poll/close")
    osc.until(lambda s: s["poll"]["state"] == "closed")
    assert osc.api("GET", f"/api/polls/{first}")["state"] == "draft"


@pytest.mark.skipif("message.set" not in CONTROL_ACTIONS,
                    reason="message.set / message.clear are added on another branch (#16 part 2); until then "
                           "the engine refuses them (bad_action) and the surface logs it")
def test_messages_to_talent(osc):
    osc.send("/wenzheng/message", "请抓紧时间")
    osc.until(lambda s: (s.get("message") or {}).get("text") == "请抓紧时间")
    osc.companion.wait_for("/wenzheng/message/text", lambda v: v == "请抓紧时间")
    osc.send("/wenzheng/message/clear")
    osc.until(lambda s: s.get("message") is None)


def test_feedback_arrives_with_the_right_values(osc):
    c = osc.companion
    c.wait_for("/wenzheng/show/status", lambda v: v == "standby")  # sent at start, before any change
    osc.send("/wenzheng/take")
    osc.send("/wenzheng/speaker/next")
    state = osc.until(lambda s: s["timer"]["running"])
    c.wait_for("/wenzheng/speaker/name", lambda v: v == state["speaker"]["name"])
    assert c.latest("/wenzheng/segment/title") == state["segment"]["title"]
    assert c.latest("/wenzheng/segment/next") == state["running_order"][1]["title"]
    assert c.latest("/wenzheng/show/status") == "live"
    assert c.latest("/wenzheng/timer/phase") == "normal" and c.latest("/wenzheng/timer/running") == 1

    # The countdown ticks once a second, on the second, and never faster than 5 rounds a second.
    start = time.monotonic()
    time.sleep(3.2)
    with c.lock:
        texts = [(t, args[0]) for t, a, args in c.messages if a == "/wenzheng/timer/text" and t >= start]
        remaining = [args[0] for t, a, args in c.messages if a == "/wenzheng/timer/remaining" and t >= start]
    assert 3 <= len(texts) <= 5 * 3.2 + 3, texts
    assert len({v for _, v in texts}) >= 3  # 00:29, 00:28, 00:27 …
    assert all(isinstance(v, int) for v in remaining) and remaining == sorted(remaining, reverse=True)
    seconds = [int(v[:2]) * 60 + int(v[3:]) for _, v in texts]
    assert remaining[-1] == seconds[-1]
    now = osc.state()["timer"]["remaining_s"]
    assert abs(seconds[-1] - now) <= 1.5, (texts[-1], now)

    # A press's effect reaches the feedback quickly (the figure is printed for docs/COMPANION.md).
    sent = time.monotonic()
    osc.send("/wenzheng/timer/add", 60)
    arrived, value = c.wait_for("/wenzheng/timer/remaining", lambda v: v > 40, since=sent)
    print(f"OSC press → feedback: {1000 * (arrived - sent):.0f} ms")
    assert arrived - sent < 1.0

    # Over time: +00:0N, phase over, remaining negative.
    osc.send("/wenzheng/timer/add", -(60 + 29))
    c.wait_for("/wenzheng/timer/phase", lambda v: v == "over", since=sent)
    _, text = c.wait_for("/wenzheng/timer/text", lambda v: v.startswith("+"), since=sent)
    assert text.startswith("+00:0")
    assert c.latest("/wenzheng/timer/remaining") <= 0

    draft = osc.api("POST", "/api/polls", {"title": "满意吗", "kind": "satisfaction"})
    c.wait_for("/wenzheng/poll/state", lambda v: v == "draft")
    assert c.latest("/wenzheng/poll/title") == draft["poll"]["title"]
    osc.send("/wenzheng/poll/open")
    c.wait_for("/wenzheng/poll/state", lambda v: v == "open")


def invalid_utf8_message() -> bytes:
    """/wenzheng/message with a string argument that is not UTF-8 (a lone surrogate, as CESU bytes)."""
    def padded(b: bytes) -> bytes:
        b += b"\0"
        return b + b"\0" * (-len(b) % 4)
    return padded(b"/wenzheng/message") + padded(b",s") + padded(b"\xed\xa0\x80 text")


def huge_message() -> bytes:
    builder = OscMessageBuilder("/wenzheng/message")
    builder.add_arg("长" * 20000)  # 60,000 bytes: one datagram, far past any message line
    return builder.build().dgram


def bundle_of(*messages: bytes) -> bytes:
    from pythonosc.osc_message import OscMessage
    builder = OscBundleBuilder(IMMEDIATELY)
    for m in messages:
        builder.add_content(OscMessage(m))
    return builder.build().dgram


def message(address, *args) -> bytes:
    builder = OscMessageBuilder(address)
    for a in args:
        builder.add_arg(a)
    return builder.build().dgram


BAD_INPUT = {
    "garbage": b"\x00\xffnot osc at all",
    "empty": b"",
    "truncated": message("/wenzheng/goto", 3)[:-2],
    "unknown address": message("/wenzheng/launch/missiles"),
    "no prefix": message("/take"),
    "goto with text": message("/wenzheng/goto", "3"),
    "goto with a float": message("/wenzheng/goto", 3.0),
    "goto with too many": message("/wenzheng/goto", 3, 4),
    "add with text": message("/wenzheng/timer/add", "30"),
    "add with a blob": message("/wenzheng/timer/add", b"\x01\x02"),
    "take with an argument": message("/wenzheng/take", 1),
    "message with a number": message("/wenzheng/message", 5),
    "huge string": huge_message(),
    "lone surrogate": invalid_utf8_message(),
    "bundle of bad ones": bundle_of(message("/wenzheng/goto", "x"), message("/nope")),
    "goto far away": message("/wenzheng/goto", 2**40),  # well-formed, refused by the engine itself
}


def test_bad_input_is_refused_and_the_listener_survives(osc):
    osc.send("/wenzheng/take")
    osc.send("/wenzheng/timer/toggle")  # a timer for the proof commands to change
    duration = osc.until(lambda s: s["timer"]["running"])["timer"]["duration_s"]
    for name, data in BAD_INPUT.items():
        osc.raw(data)
        duration += 1
        osc.send("/wenzheng/timer/add", 1)  # after every bad input, a normal press still works
        state = osc.until(lambda s: s["timer"]["duration_s"] == duration)
        assert state["segment"]["index"] == 0, name
    assert requests.get(osc.ep.url + "/healthz", timeout=5).json() == {"ok": True}
    assert osc.ep.stop() == 0
    log = osc.ep.log_tail()
    refusals = [line for line in log.splitlines() if "OSC from 127.0.0.1" in line and "refused" in line]
    assert len(refusals) >= len(BAD_INPUT), log
    for said in ("not an OSC message", "unknown address", "takes a whole number", "takes no arguments",
                 "takes text", "a datagram of 60", "/wenzheng/goto: "):
        assert any(said in line for line in refusals), (said, log)
    assert "Traceback" not in log
    assert max(len(line) for line in refusals) < 1000  # a huge input is never copied into the log


def test_the_history_says_the_surface_did_it(osc):
    osc.send("/wenzheng/take")
    osc.send("/wenzheng/speaker/next")
    osc.until(lambda s: s["timer"]["running"])
    poll = osc.api("POST", "/api/polls", {"title": "满意吗", "kind": "satisfaction"})["id"]
    osc.send("/wenzheng/poll/open")
    osc.until(lambda s: (s["poll"] or {}).get("state") == "open")
    # A reader may see the show changed a moment before its write commits: read the record until it is there.
    deadline = time.monotonic() + 5
    while True:
        db = sqlite3.connect(f"file:{osc.ep.db}?mode=ro", uri=True)
        try:
            events = [json.loads(data) for (data,) in db.execute("SELECT data FROM events ORDER BY seq")]
        finally:
            db.close()
        controls = [e for e in events if e.get("kind") == "control"]
        audit = osc.api("GET", f"/api/polls/{poll}/audit")
        actions = {a["action"]: a.get("actor") for a in audit.get("actions", [])}
        if (len(controls) >= 2 and "poll.open" in actions) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [e["action"] for e in controls] == ["segment.next", "speaker.next"]
    assert all(e["actor"] == SURFACE for e in controls)
    assert actions.get("poll.open") == SURFACE, audit.get("actions")
    assert actions["poll.create"]["id"] == 0  # created over HTTP with the admin token: the director, not the surface


def test_an_osc_port_in_use_stops_serve_with_a_clear_message(engine_process, tmp_path):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        ep = dataclasses.replace(engine_process, db=tmp_path / "busy.db", port=0, proc=None, url="",
                                 extra=("--osc-port", str(taken.getsockname()[1])))
        with pytest.raises(RuntimeError, match="cannot start: the OSC port udp://127.0.0.1:[0-9]+ cannot be opened .*in use"):
            ep.start()
        assert ep.proc.wait(10) == 1


def test_feedback_as_companion_custom_variables_without_a_listener(engine_process, tmp_path):
    """--osc-variables alone: the values reach Companion's own OSC port as /custom-variable/NAME/value
    (text), and no OSC command port is opened."""
    companion = Companion()
    ep = dataclasses.replace(engine_process, db=tmp_path / "vars.db", port=0, proc=None, url="",
                             extra=("--osc-variables", f"127.0.0.1:{companion.port}"))
    ep.start()
    try:
        companion.wait_for("/custom-variable/wenzheng_show_status/value", lambda v: v == "standby")
        requests.post(ep.url + "/api/control", json={"action": "segment.next"}, timeout=10,
                      headers={"Authorization": f"Bearer {ep.token}"}).raise_for_status()
        requests.post(ep.url + "/api/control", json={"action": "speaker.next"}, timeout=10,
                      headers={"Authorization": f"Bearer {ep.token}"}).raise_for_status()
        companion.wait_for("/custom-variable/wenzheng_timer_phase/value", lambda v: v == "normal")
        _, text = companion.wait_for("/custom-variable/wenzheng_timer_text/value", lambda v: v.startswith("00:"))
        assert isinstance(text, str) and len(text) == 5
        assert companion.latest("/custom-variable/wenzheng_timer_remaining/value").lstrip("-").isdigit()
        assert not any(a.startswith("/wenzheng/") for _, a, _ in companion.messages)
        if Path("/proc/net/udp").exists():  # the feedback socket is the only UDP socket, and it does not listen
            assert all(addr in ("0.0.0.0", "127.0.0.1") for addr, _ in udp_sockets_of(ep.proc.pid))
            assert len(udp_sockets_of(ep.proc.pid)) <= 1
    finally:
        ep.kill()
        companion.close()


def test_a_flood_from_one_sender_does_not_lock_out_the_surface(osc):
    osc.send("/wenzheng/take")
    osc.send("/wenzheng/timer/toggle")
    duration = osc.until(lambda s: s["timer"]["running"])["timer"]["duration_s"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as junk:
        for _ in range(2000):
            junk.sendto(message("/wenzheng/timer/add", 1), ("127.0.0.1", osc.port))  # well-formed, far too many
    osc.send("/wenzheng/timer/add", 1000)  # Companion, from its own port
    state = osc.until(lambda s: s["timer"]["duration_s"] >= duration + 1000)
    assert state["timer"]["duration_s"] <= duration + 1000 + 100  # at most a burst of the flood got in
