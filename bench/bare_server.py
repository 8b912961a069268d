"""The baseline: a bare python-socketio server under uvicorn, no persistence.

It accepts any phone on /audience, acks each `vote` immediately after counting it in
memory, and pushes a `tally` to /overlay through the same 100 ms throttle as the engine,
so the tally-to-overlay figure is comparable. Same uvicorn settings and event loop as the engine.
Prints `bare-socketio listening on http://HOST:PORT` when ready. SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import time

import socketio
import uvicorn

PUSH_INTERVAL_S = 0.1
EVENTS = {"activity": 0, "departures": 0}  # for --gc-paced


def build() -> tuple[socketio.AsyncServer, socketio.ASGIApp]:
    sio = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*", max_http_buffer_size=16 * 1024)
    tally: dict[str, int] = {}
    voters: set[str] = set()
    push = {"handle": None, "last": 0.0}

    async def send_tally() -> None:
        await sio.emit("tally", {"id": 1, "tally": {"remote": dict(tally)}, "ballots": sum(tally.values())},
                       namespace="/overlay")

    def fire() -> None:
        push["handle"], push["last"] = None, time.monotonic()
        asyncio.ensure_future(send_tally())

    def poke() -> None:
        if push["handle"] is None:
            delay = max(0.0, push["last"] + PUSH_INTERVAL_S - time.monotonic())
            push["handle"] = asyncio.get_running_loop().call_later(delay, fire)

    @sio.on("connect", namespace="/audience")
    async def connect(sid, environ, auth=None):
        EVENTS["activity"] += 1

    @sio.on("disconnect", namespace="/audience")
    async def disconnect(sid, reason=None):
        EVENTS["activity"] += 1
        EVENTS["departures"] += 1

    @sio.on("vote", namespace="/audience")
    async def vote(sid, data=None):
        EVENTS["activity"] += 1
        if not isinstance(data, dict) or sid in voters:
            return {"ok": False, "error": "duplicate" if sid in voters else "invalid"}
        voters.add(sid)
        key = str(data.get("choice"))
        tally[key] = tally.get(key, 0) + 1
        poke()
        return {"ok": True}

    @sio.on("connect", namespace="/overlay")
    async def overlay_connect(sid, environ, auth=None):
        pass

    return sio, socketio.ASGIApp(sio)


async def main(host: str, port: int, ws: str = "websockets", gc_paced: bool = False) -> None:
    _, app = build()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", ws=ws,
                            ws_max_size=64 * 1024, backlog=4096)
    server = uvicorn.Server(config)
    server.capture_signals = _no_signals  # we own SIGTERM below
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, lambda: setattr(server, "should_exit", True))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    if gc_paced:  # the engine's GC policy on the bare server: how much of the gap is the collector
        from wenzheng_studio.server.gc_pacing import GcPacer
        pacer = GcPacer(lambda: EVENTS["activity"], lambda: EVENTS["departures"])
        pacer.install()
        asyncio.create_task(pacer.run())
    h, p = sock.getsockname()[:2]
    print(f"bare-socketio listening on http://{h}:{p}", flush=True)
    await task


def _no_signals():
    import contextlib
    return contextlib.nullcontext()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ws", default="websockets",
                    help="uvicorn websocket implementation: websockets (what uvicorn's auto picks) "
                         "or websockets-sansio (what `serve` uses)")
    ap.add_argument("--gc-paced", action="store_true", help="pace garbage collection as `serve` does")
    a = ap.parse_args()
    try:  # the same event loop as `wenzheng-studio serve` (serve.py uses uvloop when installed)
        import uvloop
        uvloop.run(main(a.host, a.port, a.ws, a.gc_paced))
    except ImportError:
        asyncio.run(main(a.host, a.port, a.ws, a.gc_paced))
