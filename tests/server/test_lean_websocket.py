"""The websocket protocol's short path (server/lean_websocket.py) keeps RFC 6455 as websockets does.

An echo app under uvicorn with LeanWebSocketProtocol; a raw TCP client sends hand-made
frames: split at every byte, long lengths, pings, fragments, bad UTF-8, unmasked frames,
closes. Whatever the short path does not take, websockets' own protocol must answer as
before; after every bad client a normal one is still echoed.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import socket

import pytest
import uvicorn

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from wenzheng_studio.server.lean_websocket import LeanWebSocketProtocol, ReceiveQueue, frame_header
from wire import frame as client_frame  # tests/wire.py: a client frame of any shape (RFC 6455 §5.2)


async def echo_app(scope, receive, send):
    assert scope["type"] == "websocket"
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    while True:
        event = await receive()
        if event["type"] == "websocket.disconnect":
            return
        if event.get("text") == "close please":
            await send({"type": "websocket.close", "code": 1000})
            return
        await send({"type": "websocket.send", "text": event.get("text"), "bytes": event.get("bytes")})


@contextlib.asynccontextmanager
async def serving(protocol=LeanWebSocketProtocol):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(echo_app, log_level="error", lifespan="off", ws=protocol,
                                           ws_max_size=64 * 1024))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 15)


class RawClient:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    @classmethod
    async def connect(cls, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((f"GET /ws HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101"), head
        return cls(reader, writer)

    async def send(self, data: bytes, step: int | None = None):
        if step is None:
            self.writer.write(data)
        else:  # byte by byte (or in small pieces), each in its own TCP segment
            for i in range(0, len(data), step):
                self.writer.write(data[i:i + step])
                await self.writer.drain()
                await asyncio.sleep(0.001)
        await self.writer.drain()

    async def frame(self) -> tuple[int, bytes]:
        """The next server frame: (opcode, payload). Server frames are never masked."""
        b0, b1 = await asyncio.wait_for(self.reader.readexactly(2), 5)
        assert not b1 & 0x80, "a server frame must not be masked"
        n = b1 & 0x7F
        if n == 126:
            n = int.from_bytes(await self.reader.readexactly(2), "big")
        elif n == 127:
            n = int.from_bytes(await self.reader.readexactly(8), "big")
        assert b0 & 0x80, "server frames here are unfragmented"
        return b0 & 0x0F, await asyncio.wait_for(self.reader.readexactly(n), 5)

    async def close_code(self) -> int:
        """Read until the server's close frame; its status code."""
        while True:
            opcode, payload = await self.frame()
            if opcode == 0x8:
                return int.from_bytes(payload[:2], "big") if payload else 1005

    def close(self):
        self.writer.close()


async def echoed(port, text="still here"):
    c = await RawClient.connect(port)
    await c.send(client_frame(0x1, text.encode()))
    assert await c.frame() == (0x1, text.encode())
    c.close()


def run(coro):
    asyncio.run(coro)


def test_text_and_binary_of_every_length_class_whole_and_split():
    async def main():
        async with serving() as port:
            c = await RawClient.connect(port)
            for payload in (b"", b"42[\"vote\",{\"poll\":1}]", "投票".encode() * 30, b"x" * 125, b"y" * 126,
                            b"z" * 5000, b"w" * 65535):
                for step in (None, 1 if len(payload) < 300 else 997):
                    await c.send(client_frame(0x1, payload), step)
                    assert await c.frame() == (0x1, payload)
            await c.send(client_frame(0x2, b"\x00\xff" * 100))
            assert await c.frame() == (0x2, b"\x00\xff" * 100)
            # several frames in one segment come back in order
            await c.send(b"".join(client_frame(0x1, str(n).encode()) for n in range(50)))
            for n in range(50):
                assert await c.frame() == (0x1, str(n).encode())
            c.close()

    run(main())


def test_a_ping_is_answered_and_the_connection_goes_on():
    async def main():
        async with serving() as port:
            c = await RawClient.connect(port)
            await c.send(client_frame(0x1, b"a") + client_frame(0x9, b"are you there") + client_frame(0x1, b"b"))
            got = [await c.frame() for _ in range(3)]
            # the pong is written as the ping is read; the echoes come from the app after it
            assert sorted(got) == [(0x1, b"a"), (0x1, b"b"), (0xA, b"are you there")]
            assert [f for f in got if f[0] == 0x1] == [(0x1, b"a"), (0x1, b"b")]
            c.close()

    run(main())


def test_a_fragmented_message_is_reassembled_by_websockets():
    async def main():
        async with serving() as port:
            c = await RawClient.connect(port)
            await c.send(client_frame(0x1, b"lean first"))
            assert await c.frame() == (0x1, b"lean first")
            await c.send(client_frame(0x1, b"frag", fin=False) + client_frame(0x0, b"ment"))
            assert await c.frame() == (0x1, b"fragment")
            await c.send(client_frame(0x1, b"after"))  # websockets reads the rest of this connection
            assert await c.frame() == (0x1, b"after")
            c.close()
            await echoed(port)

    run(main())


BAD_FRAMES = {
    "bad-utf8": client_frame(0x1, b"\xff\xfe not utf-8"),
    "unmasked": client_frame(0x1, b"unmasked", masked=False),
    "rsv-bit": client_frame(0x1, b"reserved bit", rsv=0x40),
    "over-max-size": client_frame(0x1, b"x" * (64 * 1024 + 1)),
    "reserved-opcode": client_frame(0x3, b"reserved opcode"),
    "ping-too-long": client_frame(0x9, b"p" * 126),
}


async def refusal(port, bad: bytes) -> int | str:
    """How the server ends a connection that sent `bad`: its close code, or "reset"."""
    c = await RawClient.connect(port)
    await c.send(client_frame(0x1, b"fine"))
    assert await c.frame() == (0x1, b"fine")
    try:
        await c.send(bad)
        return await c.close_code()
    except (ConnectionResetError, asyncio.IncompleteReadError):
        return "reset"
    finally:
        c.close()


@pytest.mark.parametrize("name", list(BAD_FRAMES))
def test_a_bad_frame_is_refused_as_websockets_refuses_it(name):
    async def main():
        outcomes = {}
        for protocol in (WebSocketsSansIOProtocol, LeanWebSocketProtocol):
            async with serving(protocol) as port:
                outcomes[protocol.__name__] = await refusal(port, BAD_FRAMES[name])
                await echoed(port)
        assert outcomes["LeanWebSocketProtocol"] == outcomes["WebSocketsSansIOProtocol"], outcomes
        assert outcomes["LeanWebSocketProtocol"] in (1002, 1007, 1009, "reset"), outcomes

    run(main())


def test_closing_handshakes_both_ways():
    async def main():
        async with serving() as port:
            c = await RawClient.connect(port)  # the client closes
            await c.send(client_frame(0x1, b"hi"))
            assert await c.frame() == (0x1, b"hi")
            await c.send(client_frame(0x8, (1000).to_bytes(2, "big")))
            assert await c.close_code() == 1000
            c.close()
            c = await RawClient.connect(port)  # the app closes
            await c.send(client_frame(0x1, b"close please"))
            assert await c.close_code() == 1000
            await c.send(client_frame(0x8, (1000).to_bytes(2, "big")))
            assert await asyncio.wait_for(c.reader.read(), 5) == b""  # then the server hangs up
            c.close()
            await echoed(port)

    run(main())


def test_frame_header_lengths():
    assert frame_header(0x1, 5) == b"\x81\x05"
    assert frame_header(0x1, 126) == b"\x81\x7e\x00\x7e"
    assert frame_header(0x2, 70_000) == b"\x82\x7f" + (70_000).to_bytes(8, "big")


def test_receive_queue_hands_items_in_order_and_survives_a_cancelled_reader():
    async def main():
        q = ReceiveQueue()
        q.put_nowait(1)
        assert not q.empty() and await q.get() == 1 and q.empty()
        waiting = asyncio.create_task(q.get())
        await asyncio.sleep(0)
        waiting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await waiting
        reader = asyncio.create_task(q.get())
        await asyncio.sleep(0)
        q.put_nowait(2)
        q.put_nowait(3)
        assert await asyncio.wait_for(reader, 1) == 2 and await q.get() == 3

    run(main())
