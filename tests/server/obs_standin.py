"""A stand-in obs-websocket 5 server for tests: Hello (op 0), Identify (1), Identified (2),
Event (5), Request (6), RequestResponse (7), in JSON or MessagePack as the client asks.

It runs on its own thread and loop, so a real engine subprocess can talk to it while the
test drives the engine over HTTP. `mode` picks how it misbehaves:
  "ok"            answers like OBS
  "silent"        accepts the WebSocket, then never says a word (no Hello)
  "hang_requests" identifies, then never answers a request
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import socket
import threading
import time

import msgpack
from websockets.asyncio.server import serve

SUBPROTOCOLS = ["obswebsocket.json", "obswebsocket.msgpack"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _auth_string(password: str, salt: str, challenge: str) -> str:
    secret = base64.b64encode(hashlib.sha256((password + salt).encode()).digest())
    return base64.b64encode(hashlib.sha256(secret + challenge.encode()).digest()).decode()


class ObsStandIn:
    def __init__(self, *, port: int | None = None, password: str = "", mode: str = "ok",
                 scenes: tuple[str, ...] = ("Scene",)):
        self.port = port or free_port()
        self.password, self.mode = password, mode
        self.scenes = list(scenes)
        self.program_scene = self.scenes[0]
        self.muted: dict[str, bool] = {}
        self.inputs = {"讲台话筒", "Mic/Aux"}
        self.requests: list[tuple[float, str, dict]] = []  # (monotonic time, type, data)
        self.auth_failures = 0
        self.connections = 0
        self._clients: set = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    # --- life ------------------------------------------------------------------------------
    def start(self) -> "ObsStandIn":
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), name="obs-standin", daemon=True)
        self._thread.start()
        if not self._ready.wait(5):
            raise RuntimeError("the stand-in OBS did not start")
        return self

    def stop(self) -> None:
        """OBS quits: every connection dropped, the port closed. Safe to call twice."""
        if self._thread and self._thread.is_alive() and self._loop and self._stop:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(5)

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with serve(self._session, "127.0.0.1", self.port, subprotocols=SUBPROTOCOLS):
            self._ready.set()
            await self._stop.wait()
            for ws in list(self._clients):
                ws.transport.abort()

    # --- what a test does to "OBS" ---------------------------------------------------------------
    def switch_by_hand(self, scene: str) -> None:
        """The graphics operator clicks another scene in OBS itself."""
        self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._set_scene(scene)))

    def set_streaming(self, active: bool) -> None:
        self._loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._broadcast(
            "StreamStateChanged", {"outputActive": active,
                                   "outputState": "OBS_WEBSOCKET_OUTPUT_STARTED" if active else "OBS_WEBSOCKET_OUTPUT_STOPPED"})))

    def requested(self, kind: str) -> list[dict]:
        return [data for _, kind_, data in self.requests if kind_ == kind]

    # --- the protocol ------------------------------------------------------------------------
    async def _session(self, ws) -> None:
        self.connections += 1
        binary = ws.subprotocol == "obswebsocket.msgpack"

        async def send(op: int, d: dict) -> None:
            message = {"op": op, "d": d}
            await ws.send(msgpack.packb(message) if binary else json.dumps(message))

        self._clients.add(ws)
        try:
            if self.mode == "silent":
                await ws.wait_closed()
                return
            hello = {"obsWebSocketVersion": "5.1.0", "rpcVersion": 1}
            salt, challenge = "c2FsdA==", base64.b64encode(str(time.monotonic()).encode()).decode()
            if self.password:
                hello["authentication"] = {"salt": salt, "challenge": challenge}
            await send(0, hello)
            identify = self._decode(await ws.recv())
            if identify.get("op") != 1:
                await ws.close(4006, "expected Identify")
                return
            if self.password and identify["d"].get("authentication") != _auth_string(self.password, salt, challenge):
                self.auth_failures += 1
                await ws.close(4009, "Authentication failed.")
                return
            await send(2, {"negotiatedRpcVersion": 1})
            ws.obs_send = send
            async for raw in ws:
                message = self._decode(raw)
                if message.get("op") != 6:
                    continue
                d = message["d"]
                self.requests.append((time.monotonic(), d["requestType"], d.get("requestData") or {}))
                if self.mode == "hang_requests":
                    continue
                status, data = await self._answer(d["requestType"], d.get("requestData") or {})
                await send(7, {"requestType": d["requestType"], "requestId": d["requestId"],
                               "requestStatus": status, **({"responseData": data} if data is not None else {})})
        except Exception:
            pass  # a client that went away
        finally:
            self._clients.discard(ws)

    @staticmethod
    def _decode(raw) -> dict:
        return msgpack.unpackb(raw) if isinstance(raw, bytes) else json.loads(raw)

    async def _answer(self, kind: str, data: dict):
        ok = {"result": True, "code": 100}
        if kind == "GetCurrentProgramScene":
            return ok, {"currentProgramSceneName": self.program_scene, "sceneName": self.program_scene}
        if kind in ("GetStreamStatus", "GetRecordStatus"):
            return ok, {"outputActive": False}
        if kind == "SetCurrentProgramScene":
            name = data.get("sceneName")
            if name not in self.scenes:
                return {"result": False, "code": 600, "comment": f"No source was found by the name of `{name}`."}, None
            await self._set_scene(name)
            return ok, None
        if kind == "SetInputMute":
            name = data.get("inputName")
            if name not in self.inputs:
                return {"result": False, "code": 600, "comment": f"No source was found by the name of `{name}`."}, None
            self.muted[name] = bool(data.get("inputMuted"))
            return ok, None
        return {"result": False, "code": 204, "comment": f"unknown request {kind}"}, None

    async def _set_scene(self, name: str) -> None:
        self.program_scene = name
        await self._broadcast("CurrentProgramSceneChanged", {"sceneName": name})

    async def _broadcast(self, event: str, data: dict) -> None:
        for ws in list(self._clients):
            send = getattr(ws, "obs_send", None)
            if send:
                try:
                    await send(5, {"eventType": event, "eventIntent": 1, "eventData": data})
                except Exception:
                    pass
