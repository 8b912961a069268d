"""EngineClient: Socket.IO subscription plus HTTP calls, on its own thread and loop."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

import aiohttp
import socketio

log = logging.getLogger(__name__)

EventHandler = Callable[[str, Any], None]      # (event name, payload)
StatusHandler = Callable[[str, str], None]     # ("connecting" | "connected" | "disconnected", detail)


@dataclass
class EngineReply:
    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error(self) -> str:
        if isinstance(self.body, dict) and "error" in self.body:
            return f"{self.body.get('error')}: {self.body.get('message', '')}"
        return f"HTTP {self.status}"


class EngineClient:
    """Connects to `url` on `namespace` (/control needs `token`, /overlay needs none)."""

    def __init__(self, url: str, token: str | None = None, namespace: str = "/control",
                 on_event: EventHandler | None = None, on_status: StatusHandler | None = None,
                 events: tuple[str, ...] = ("state", "tally", "questions", "poll")):
        self.url = url.rstrip("/")
        self.token = token
        self.namespace = namespace
        self.on_event = on_event or (lambda name, data: None)
        self.on_status = on_status or (lambda status, detail: None)
        self.events = events
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="engine-client", daemon=True)
        self._sio: socketio.AsyncClient | None = None
        self._http: aiohttp.ClientSession | None = None
        self._stopping = False
        self._ready = threading.Event()
        self._main_task: asyncio.Task | None = None

    # --- life ------------------------------------------------------------------------
    def start(self) -> None:
        self._thread.start()
        self._ready.wait(10)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self._stopping = True
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self.loop)
        try:
            fut.result(timeout=5)
        except Exception:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self._main_task = self.loop.create_task(self._main())
        self.loop.run_forever()

    async def _main(self) -> None:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        sio = self._sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.5,
                                               reconnection_delay_max=3, randomization_factor=0.2)
        ns = self.namespace

        for name in self.events:
            sio.on(name, (lambda n: lambda data=None: self.on_event(n, data))(name), namespace=ns)
        sio.on("connect", lambda: self.on_status("connected", self.url), namespace=ns)
        sio.on("disconnect", lambda *a: self._lost("disconnected"), namespace=ns)
        sio.on("connect_error", lambda data=None: self._lost(f"refused: {data}"), namespace=ns)
        self._ready.set()
        await self._connect_forever()

    def _lost(self, detail: str) -> None:
        if not self._stopping:
            self.on_status("disconnected", detail)

    async def _connect_forever(self) -> None:
        """The first connect is retried here; afterwards python-socketio reconnects by itself."""
        self.on_status("connecting", self.url)
        while not self._stopping:
            try:
                await self._sio.connect(self.url, namespaces=[self.namespace], transports=["websocket"],
                                        auth={"token": self.token} if self.token else None, wait_timeout=5)
                return
            except (socketio.exceptions.ConnectionError, OSError, asyncio.TimeoutError) as exc:
                self.on_status("disconnected", f"{exc}")
                await asyncio.sleep(1.0)

    async def _shutdown(self) -> None:
        self._main_task.cancel()  # still retrying its first connect, perhaps
        try:
            await self._main_task
        except (asyncio.CancelledError, Exception):
            pass
        if self._sio is not None:
            try:
                await self._sio.disconnect()
            except Exception:
                pass
        if self._http is not None:
            await self._http.close()

    # --- calls (thread-safe; return concurrent futures) --------------------------------
    def request(self, method: str, path: str, body: Any = None) -> "concurrent.futures.Future[EngineReply]":
        if self._stopping or not self._thread.is_alive():
            done: concurrent.futures.Future = concurrent.futures.Future()
            done.set_result(EngineReply(0, {"error": "unreachable", "message": "the client is stopped"}))
            return done
        return asyncio.run_coroutine_threadsafe(self._request(method, path, body), self.loop)

    def control(self, action: str, **fields: Any) -> "concurrent.futures.Future[EngineReply]":
        return self.request("POST", "/api/control", {"action": action, **fields})

    async def _request(self, method: str, path: str, body: Any) -> EngineReply:
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        if isinstance(body, (bytes, bytearray)):  # a file as it is (an import: the engine reads CSV or XLSX)
            headers["content-type"] = "application/octet-stream"
            data = bytes(body)
        else:
            data = None if body is None else json.dumps(body, ensure_ascii=False).encode()
        try:
            async with self._http.request(method, self.url + path, data=data, headers=headers) as resp:
                raw = await resp.read()
                ctype = resp.headers.get("content-type", "")
                parsed: Any = json.loads(raw) if "json" in ctype and raw else raw
                return EngineReply(resp.status, parsed)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            return EngineReply(0, {"error": "unreachable", "message": f"engine unreachable: {exc}"})
