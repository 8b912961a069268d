"""Stalled readers and half-sent requests do not slow anyone else down."""

import asyncio
import socket
import time
from urllib.parse import urlparse

import socketio
from phones import Phones

CHOICES = [{"key": f"c{i}", "label": f"选项 {i} " + "很长的说明文字" * 7} for i in range(12)]  # big pushes


def stalled_overlay(host: str, port: int) -> socket.socket:
    """A display that joins /overlay and then never reads: its receive window stays shut."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    s.connect((host, port))
    s.sendall(f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              "Sec-WebSocket-Version: 13\r\n\r\n".encode())
    time.sleep(0.02)
    s.sendall(_frame(b"40/overlay,"))
    return s


def _frame(payload: bytes) -> bytes:  # a masked client text frame (payload < 126 bytes)
    mask = b"\x01\x02\x03\x04"
    return bytes([0x81, 0x80 | len(payload)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def half_sent_request(host: str, port: int) -> socket.socket:
    """Slowloris: headers promise a body that never comes."""
    s = socket.create_connection((host, port))
    s.sendall(b"POST /api/questions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
              b"Content-Length: 5000\r\n\r\n{\"text\": ")
    return s


async def burst(url: str, poll: int):
    tallies: list[tuple[float, int]] = []
    overlay = socketio.AsyncClient(reconnection=False)
    overlay.on("tally", lambda data: tallies.append((time.monotonic(), data.get("ballots", 0))),
               namespace="/overlay")
    await overlay.connect(url, transports=["websocket"], namespaces=["/overlay"])
    async with Phones(url) as phones:
        await phones.connect(300)
        ballots = await phones.vote_all(poll, tuple(c["key"] for c in CHOICES))
    await asyncio.sleep(1.0)
    await overlay.disconnect()
    return ballots, tallies


def test_stalled_readers_and_slowloris_do_not_stall_phones(engine):
    e = engine()
    status, body = e.api("/api/polls", "POST", {"title": "慢客户端", "kind": "choice", "choices": CHOICES})
    assert status == 201, body
    poll = body["id"]
    assert e.api(f"/api/polls/{poll}/open", "POST", {})[0] == 200
    u = urlparse(e.url)
    stalled = [stalled_overlay(u.hostname, u.port) for _ in range(30)]
    slow = [half_sent_request(u.hostname, u.port) for _ in range(30)]
    try:
        t0 = time.monotonic()
        assert e.api("/healthz", operator=False) == (200, {"ok": True})
        assert time.monotonic() - t0 < 1.0
        ballots, tallies = asyncio.run(burst(e.url, poll))
    finally:
        for s in stalled + slow:
            s.close()
    assert all(b.ok for b in ballots), {b.error for b in ballots if not b.ok}
    latencies = sorted(b.answered - b.sent for b in ballots)
    assert latencies[int(len(latencies) * 0.99)] < 2.0, latencies[-5:]
    last_ack = max(b.answered for b in ballots)
    final = [t for t, n in tallies if n == len(ballots)]
    assert final and final[0] - last_ack < 1.0, "the overlay's final tally was late"
    assert e.api(f"/api/polls/{poll}")[1]["ballots"] == len(ballots)
