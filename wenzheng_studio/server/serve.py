"""`wenzheng-studio serve`: the engine alone, headless."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from .app import EngineServer, ServeConfig
from .gc_pacing import GcPacer

log = logging.getLogger(__name__)
FDS_WANTED = 10_000  # every phone holds a socket (a file descriptor) for the whole show


def raise_open_files_limit() -> tuple[int, int] | None:
    """Lift the soft open-files limit to the hard one. The soft default is often 1,024, so the
    1,025th phone (or a burst of half-open sockets) would be refused at accept. Returns the
    (soft, hard) now in force, None where there is no such limit (Windows)."""
    try:
        import resource
    except ImportError:  # Windows: no RLIMIT_NOFILE, and sockets are not counted against one
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    before = soft
    # An unlimited hard limit cannot be the soft one on macOS (OPEN_MAX, 10,240): try that next.
    for target in ((hard, 10_240) if hard == resource.RLIM_INFINITY else (hard,)):
        if soft >= target:
            break
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
            break
        except (ValueError, OSError) as exc:
            log.warning("could not raise the open-files limit from %d to %d: %s", soft, target, exc)
    shown = "unlimited" if hard == resource.RLIM_INFINITY else str(hard)
    log.info("open files: soft limit %d -> %d (hard limit %s)", before, soft, shown)
    if soft < FDS_WANTED:
        log.warning("open files limited to %d: about that many phones can be connected at once; raise the "
                    "hard limit (ulimit -Hn, systemd LimitNOFILE=, /etc/security/limits.conf)", soft)
    return soft, hard


async def run(config: ServeConfig) -> int:
    server = EngineServer(config)
    url = await server.start()
    # this process is the engine: its GC is ours to pace
    pacer = GcPacer(server.activity, lambda: server.realtime.departures, votes=lambda: server.engine.votes_acked)
    pacer.install()
    pacing = asyncio.create_task(pacer.run(), name="gc-pacer")
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, server.request_stop)
    host_port = url.split("://", 1)[1]
    if server.osc:
        where = "this PC only" if server.osc.loopback else "REACHABLE FROM OTHER PCs"
        host = f"[{server.osc.host}]" if ":" in server.osc.host else server.osc.host
        print(f"wenzheng-studio: OSC control surface on udp://{host}:{server.osc.port}, {where} (OSC "
              f"has no authentication: whoever can send to this port drives the show)", file=sys.stderr, flush=True)
    if config.host in ("0.0.0.0", "::"):
        print(f"wenzheng-studio: phones vote at {server.public_url()}/vote", file=sys.stderr, flush=True)
    print(f"wenzheng-studio listening on http://{host_port}", flush=True)
    await server.wait()
    pacing.cancel()
    await server.stop()
    lost = server.cluster.stepped_down if server.cluster else None
    if lost:  # another engine runs the show now (cluster.py): a supervisor must not take this for a clean stop
        print(f"wenzheng-studio: stepped down: {lost}", file=sys.stderr, flush=True)
        return 1
    return 0


def main(config: ServeConfig) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    log.setLevel(logging.INFO)  # the start-up facts below (e.g. the open-files limit) are for the operator
    raise_open_files_limit()
    try:
        import uvloop  # noqa: F401  (faster loop where available)
        return uvloop.run(run(config))
    except ImportError:
        return asyncio.run(run(config))
