"""uvicorn's websockets-sansio protocol with a short path for the frames a vote burst is made of.

Once the handshake is done, the frames every phone sends and receives — one unfragmented,
masked text (or binary) frame per Engine.IO packet — are cut and built here, and a message
reaches the app through a plain deque with one waiter instead of an asyncio.Queue. Anything
else goes to websockets' own protocol, exactly as before:

- a ping or pong frame is handed to it, frame by frame (it answers pings, uvicorn's
  keepalive reads pongs);
- a close frame, a fragmented message, reserved bits, an unmasked client frame, a message
  over `ws_max_size` or a text frame that is not UTF-8 hands the rest of the connection to
  it, from that frame on, so its checks and its closing handshake apply unchanged;
- what arrives before the handshake is done (the HTTP request) is its, too.

Why: under a 5,000-phone burst, websockets' generator-based parser, its frame building and
the queue's bookkeeping were a tenth of the event loop's time per vote (docs/PERFORMANCE.md).
The frame format is RFC 6455 §5.2; the masking is websockets' own C `apply_mask`.
"""

from __future__ import annotations

import asyncio
from collections import deque

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

try:
    from websockets.speedups import apply_mask
except ImportError:  # websockets built without its C extension
    from websockets.utils import apply_mask

FIN = 0x80
RSV = 0x70
TEXT, BINARY, PING, PONG = 0x1, 0x2, 0x9, 0xA
MASKED = 0x80


class ReceiveQueue:
    """What uvicorn's websocket protocol uses of asyncio.Queue (put_nowait, get, empty), for
    its reader: a deque, and a future only while a reader waits on an empty one."""

    def __init__(self) -> None:
        self._items: deque = deque()
        self._waiters: deque[asyncio.Future] = deque()

    def put_nowait(self, item) -> None:
        self._items.append(item)
        self._wake_next()

    async def get(self):
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                if self._items and not waiter.cancelled():
                    self._wake_next()
                raise
        return self._items.popleft()

    def _wake_next(self) -> None:
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    def empty(self) -> bool:
        return not self._items

    def qsize(self) -> int:
        return len(self._items)


def frame_header(opcode: int, length: int) -> bytes:
    """A server frame's header (RFC 6455 §5.2): FIN, the opcode, no mask, the length."""
    if length < 126:
        return bytes((FIN | opcode, length))
    if length < 65536:
        return bytes((FIN | opcode, 126)) + length.to_bytes(2, "big")
    return bytes((FIN | opcode, 127)) + length.to_bytes(8, "big")


class LeanWebSocketProtocol(WebSocketsSansIOProtocol):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.queue = ReceiveQueue()  # type: ignore[assignment]
        self._lean: bool | None = None  # None until the handshake is done; False: websockets parses
        self._partial = b""  # the start of a frame whose end has not arrived yet

    # --- receiving -----------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        if self._lean is None:
            self._lean = self._can_go_lean() if self.handshake_complete else None
        if not self._lean:
            super().data_received(data)
            return
        buf = self._partial + data if self._partial else data
        self._partial = b""
        pos, end_of_data, limit = 0, len(buf), self.config.ws_max_size
        while end_of_data - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            length, head = b1 & 0x7F, 2
            if length == 126:
                if end_of_data - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif length == 127:
                if end_of_data - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            opcode = b0 & 0x0F
            plain = b0 & (FIN | RSV) == FIN and b1 & MASKED and length <= limit
            if not plain or opcode not in (TEXT, BINARY, PING, PONG):
                self._hand_over(buf[pos:])
                return
            end = pos + head + 4 + length
            if end > end_of_data:
                break
            if opcode in (PING, PONG):  # websockets answers the ping; uvicorn's keepalive reads the pong
                super().data_received(bytes(buf[pos:end]))
                pos = end
                if self.close_sent or self.conn.state is not State.OPEN:
                    self._hand_over(buf[pos:])
                    return
                continue
            payload = apply_mask(buf[pos + head + 4:end], buf[pos + head:pos + head + 4])
            if opcode == TEXT:
                try:
                    message = {"type": "websocket.receive", "text": payload.decode()}
                except UnicodeDecodeError:  # websockets closes with 1007, as always
                    self._hand_over(buf[pos:])
                    return
            else:
                message = {"type": "websocket.receive", "bytes": payload}
            pos = end
            self._to_app(message)
        if pos < end_of_data:
            self._partial = bytes(buf[pos:])

    def _can_go_lean(self) -> bool:
        conn = self.conn
        return (not self.close_sent and conn.state is State.OPEN and not conn.reader.buffer
                and conn.parser_exc is None and not self.frames)

    def _hand_over(self, rest: bytes) -> None:
        """From this frame on, websockets' protocol reads this connection."""
        self._lean = False
        if rest:
            super().data_received(bytes(rest))

    def _to_app(self, message: dict) -> None:
        if self.close_sent:  # as uvicorn: past `websocket.close`, messages are dropped
            return
        self.queue.put_nowait(message)
        if not self.read_paused:
            self.read_paused = True
            self.transport.pause_reading()

    # --- sending -------------------------------------------------------------------------
    async def send(self, message) -> None:
        if self._lean is None and self.handshake_complete:  # accepted: the first packets go out lean too
            self._lean = self._can_go_lean()
        if (message["type"] == "websocket.send" and self._lean and not self.close_sent and not self.disconnected
                and self.initial_response is None and self.writable.is_set() and self.conn.state is State.OPEN):
            text = message.get("text")
            if text is not None:
                payload = text.encode()
                self.transport.write(frame_header(TEXT, len(payload)) + payload)
                return
            payload = message.get("bytes")
            if payload is not None:
                self.transport.write(frame_header(BINARY, len(payload)) + bytes(payload))
                return
        await super().send(message)
