"""`wenzheng-studio serve`: the engine alone, headless."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from .app import EngineServer, ServeConfig
from .gc_pacing import GcPacer


async def run(config: ServeConfig) -> int:
    server = EngineServer(config)
    url = await server.start()
    pacer = GcPacer(server.activity, lambda: server.realtime.departures)  # this process is the engine: its GC is ours to pace
    pacer.install()
    pacing = asyncio.create_task(pacer.run(), name="gc-pacer")
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_stop)
    host_port = url.split("://", 1)[1]
    if config.host in ("0.0.0.0", "::"):
        print(f"wenzheng-studio: phones vote at {server.public_url()}/vote", file=sys.stderr, flush=True)
    print(f"wenzheng-studio listening on http://{host_port}", flush=True)
    await server.wait()
    pacing.cancel()
    await server.stop()
    return 0


def main(config: ServeConfig) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        import uvloop  # noqa: F401  (faster loop where available)
        return uvloop.run(run(config))
    except ImportError:
        return asyncio.run(run(config))
