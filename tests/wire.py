"""Hand-made clients for the audience's wire: raw RFC 6455 frames over TCP and raw Engine.IO
long-polling, so a test can send what no client library would (tests/fuzz/test_frame_fuzz.py,
tests/server/test_lean_websocket.py)."""

from __future__ import annotations

import base64
import http.client
import json
import os
import socket
import time
from urllib.parse import urlsplit

from websockets.speedups import apply_mask

TEXT, BINARY, CLOSE, PING, PONG = 0x1, 0x2, 0x8, 0x9, 0xA
EIO_PATH = "/socket.io/?EIO=4&transport="


def frame(opcode: int, payload: bytes, fin: bool = True, masked: bool = True, rsv: int = 0,
          length_form: int | None = None, declared: int | None = None) -> bytes:
    """A client frame (RFC 6455 §5.2). `length_form` forces the 7-bit (0), 16-bit (126) or
    64-bit (127) length field, `declared` a length other than the payload's."""
    n = len(payload) if declared is None else declared
    form = length_form if length_form is not None else (0 if n < 126 else 126 if n < 65536 else 127)
    b0 = (0x80 if fin else 0) | (rsv & 0x70) | (opcode & 0x0F)
    m = 0x80 if masked else 0
    if form == 0:
        head = bytes((b0, m | (n & 0x7F)))
    elif form == 126:
        head = bytes((b0, m | 126)) + (n & 0xFFFF).to_bytes(2, "big")
    else:
        head = bytes((b0, m | 127)) + n.to_bytes(8, "big")
    if not masked:
        return head + payload
    mask = os.urandom(4)
    return head + mask + apply_mask(payload, mask)


def text(packet: str) -> bytes:
    return frame(TEXT, packet.encode())


class RawWebSocket:
    """A websocket client on a plain TCP socket: sends any bytes, parses the server's frames."""

    def __init__(self, url: str, path: str, early: bytes = b""):
        """`early`: frames written with the HTTP request itself, before the 101 is read."""
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1", "fuzz traffic stays on this machine"
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{parts.port}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode() + early)
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/1.1 ") else 0
        self.closed = self.status != 101  # the server sent a close frame or hung up
        self.close_code: int | None = None

    def send(self, data: bytes, splits: list[int] = ()) -> None:
        """Write `data`, cut at `splits` (offsets), each piece in its own segment."""
        cuts = sorted({s for s in splits if 0 < s < len(data)})
        start = 0
        try:
            for cut in [*cuts, len(data)]:
                self.sock.sendall(data[start:cut])
                start = cut
                if cut != len(data):
                    time.sleep(0.0005)
        except OSError:
            self.closed = True  # the server hung up on us meanwhile: allowed

    def frames(self, until=None, timeout: float = 3.0) -> list[tuple[int, bytes]]:
        """Server frames read until `until(opcode, payload)` holds, the server closes, or `timeout`."""
        got: list[tuple[int, bytes]] = []
        deadline = time.monotonic() + timeout
        while not self.closed:
            parsed = self._parse()
            if parsed is not None:
                got.append(parsed)
                if parsed[0] == CLOSE:
                    self.close_code = int.from_bytes(parsed[1][:2], "big") if len(parsed[1]) >= 2 else 1005
                    self.closed = True
                    break
                if until is not None and until(*parsed):
                    break
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                break
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                break
            self.buf += chunk
        return got

    def _parse(self) -> tuple[int, bytes] | None:
        buf = self.buf
        if len(buf) < 2:
            return None
        assert not buf[1] & 0x80, "a server frame must not be masked"
        assert buf[0] & 0x80 and not buf[0] & 0x70, "server frames are unfragmented, RSV 0"
        n, head = buf[1] & 0x7F, 2
        if n == 126:
            if len(buf) < 4:
                return None
            n, head = int.from_bytes(buf[2:4], "big"), 4
        elif n == 127:
            if len(buf) < 10:
                return None
            n, head = int.from_bytes(buf[2:10], "big"), 10
        if len(buf) < head + n:
            return None
        self.buf = buf[head + n:]
        return buf[0] & 0x0F, buf[head:head + n]

    def texts(self, until=None, timeout: float = 3.0) -> list[str]:
        return [p.decode() for op, p in self.frames(until, timeout) if op == TEXT]

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def audience_websocket(url: str, token: str, pipelined: bool = False) -> tuple[RawWebSocket, str]:
    """A raw websocket phone connected to /audience: (client, its Socket.IO sid). Pipelined:
    its CONNECT goes in the same write as the HTTP request (before the handshake is done)."""
    connect = text("40/audience," + json.dumps({"token": token}))
    ws = RawWebSocket(url, EIO_PATH + "websocket", early=connect if pipelined else b"")
    assert ws.status == 101, ws.status
    opened = ws.texts(until=lambda op, p: p.startswith(b"0{"))
    assert opened and opened[-1].startswith("0{"), opened
    joined = [] if pipelined else None
    if pipelined:  # uvicorn's websockets protocol drops frames sent before its 101 (as the stock one)
        joined = ws.texts(until=lambda op, p: p.startswith(b"40/audience,"), timeout=0.3)
    if not joined:
        ws.send(connect)
        joined = ws.texts(until=lambda op, p: p.startswith(b"40/audience,"))
    assert joined and joined[-1].startswith("40/audience,{"), joined
    return ws, json.loads(joined[-1][len("40/audience,"):])["sid"]


def vote_packet(ack_id: int, poll: int, choice: str) -> str:
    return f'42/audience,{ack_id}' + json.dumps(["vote", {"poll": poll, "choice": choice}])


def acks(texts: list[str]) -> dict[int, dict]:
    """The /audience acks among Socket.IO packets: {ack id: reply}."""
    out = {}
    for t in texts:
        if t.startswith("43/audience,"):
            body = t[len("43/audience,"):]
            i = body.index("[")
            out[int(body[:i])] = json.loads(body[i:])[0]
    return out


class Polling:
    """Engine.IO long-polling by hand: one session (sid), text packets joined by \\x1e."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        assert parts.hostname == "127.0.0.1"
        self.host, self.port = parts.hostname, parts.port
        status, body = self.request("GET", EIO_PATH + "polling")
        assert status == 200 and body.startswith("0{"), (status, body)
        self.sid = json.loads(body[1:])["sid"]

    def request(self, method: str, path: str, body: str | None = None, timeout: float = 5.0) -> tuple[int, str]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body.encode() if body is not None else None,
                         headers={"Content-Type": "text/plain;charset=UTF-8"})
            r = conn.getresponse()
            return r.status, r.read().decode(errors="replace")
        finally:
            conn.close()

    @property
    def path(self) -> str:
        return EIO_PATH + "polling&sid=" + self.sid

    def post(self, *packets: str) -> int:
        return self.request("POST", self.path, "\x1e".join(packets))[0]

    def get(self, timeout: float = 5.0) -> tuple[int, list[str]]:
        """One poll. Only call it when the server has something to say (or it waits a ping interval)."""
        status, body = self.request("GET", self.path, timeout=timeout)
        return status, body.split("\x1e") if status == 200 else [body]

    def websocket(self, url: str) -> RawWebSocket:
        return RawWebSocket(url, EIO_PATH + "websocket&sid=" + self.sid)
