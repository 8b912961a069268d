"""A lean Socket.IO v5 client for the load generator: one websocket, one reader task.

python-socketio's AsyncClient runs several tasks and queues per connection; at 5,000+
phones per worker process that client, not the server under test, eats the CPU. This
speaks the same wire protocol (Engine.IO 4 + Socket.IO 5 over the websocket transport)
with the least work: text frames in, text frames out. The server cannot tell it from
any other client.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp


class RawSocket:
    def __init__(self, session: aiohttp.ClientSession, url: str, namespace: str):
        self.session, self.url, self.ns = session, url, namespace
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.acks: dict[int, asyncio.Future] = {}
        self.next_id = 0
        self.events: list[tuple[str, object]] = []
        self.on_event = None
        self._reader: asyncio.Task | None = None

    async def connect(self, auth: dict | None, timeout: float = 30.0) -> None:
        ws_url = self.url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
        # aiohttp ≥ 3.10 takes the close timeout as ClientWSTimeout (a float is deprecated there)
        close = aiohttp.ClientWSTimeout(ws_close=timeout) if hasattr(aiohttp, "ClientWSTimeout") else timeout
        self.ws = await self.session.ws_connect(ws_url, timeout=close, autoping=True, max_msg_size=0)
        opened = await self.ws.receive(timeout)
        if opened.type != aiohttp.WSMsgType.TEXT or not opened.data.startswith("0"):
            raise ConnectionError(f"no Engine.IO open packet: {opened.data!r}")
        await self.ws.send_str(f"40{self.ns},{json.dumps(auth or {})}")
        while True:
            msg = await self.ws.receive(timeout)
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise ConnectionError(f"closed while connecting: {msg.type}")
            if msg.data.startswith(f"40{self.ns},"):
                break
            if msg.data.startswith(f"44{self.ns},"):
                raise ConnectionRefusedError(msg.data)
            self._handle(msg.data)
        self._reader = asyncio.create_task(self._read())

    async def call(self, event: str, data, timeout: float = 60.0):
        ack_id = self.next_id
        self.next_id += 1
        fut = self.acks[ack_id] = asyncio.get_running_loop().create_future()
        await self.ws.send_str(f"42{self.ns},{ack_id}{json.dumps([event, data])}")
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self.acks.pop(ack_id, None)

    async def _read(self) -> None:
        try:
            async for msg in self.ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    if msg.data == "2":
                        await self.ws.send_str("3")
                    else:
                        self._handle(msg.data)
        finally:
            for fut in self.acks.values():
                if not fut.done():
                    fut.set_exception(ConnectionError("connection closed"))

    def _handle(self, data: str) -> None:
        prefix = data[:2]
        body = data[2:]
        if body.startswith(self.ns + ","):
            body = body[len(self.ns) + 1:]
        if prefix == "43":
            i = 0
            while i < len(body) and body[i].isdigit():
                i += 1
            fut = self.acks.get(int(body[:i])) if i else None
            if fut is not None and not fut.done():
                args = json.loads(body[i:])
                fut.set_result(args[0] if args else None)
        elif prefix == "42":
            event, *args = json.loads(body)
            if self.on_event is not None:
                self.on_event(event, args[0] if args else None)

    async def disconnect(self) -> None:
        if self.ws is not None and not self.ws.closed:
            try:
                await self.ws.send_str(f"41{self.ns},")
            except Exception:
                pass
            await self.ws.close()
        if self._reader is not None:
            self._reader.cancel()
