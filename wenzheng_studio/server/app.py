"""Wiring: scene + store + engine + HTTP + Socket.IO into one ASGI app, served by uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

import socketio
import uvicorn

from ..core.clock import Clock, SystemClock
from ..core.scene import load_scene
from ..paths import default_db, rehearsal_db, resolve_scene, web_dir
from ..store import Store
from .auth import VoterTokens, load_or_create_secret
from .engine import Engine
from .header_timeout import protocol_class
from .http import HttpApi
from .lean_websocket import LeanWebSocketProtocol
from .realtime import Realtime

log = logging.getLogger(__name__)


@dataclass
class ServeConfig:
    scene: str | None = None
    db: str | None = None
    host: str = "0.0.0.0"
    port: int = 8765
    admin_token: str | None = None
    redis: str | None = None
    voter_token_rate: int = 120
    public_url: str | None = None
    sensitive_words: tuple[str, ...] = ()
    role: str = "primary"  # with --redis: the primary owns the database, secondaries forward to it
    takeover: bool = False  # with --redis: a primary may take a Redis database another (crashed) show left behind
    # Addresses/networks of reverse proxies whose X-Forwarded-For names the client. Empty:
    # the socket's peer is the client, whatever headers it sends (per-IP limits key on it).
    trusted_proxies: tuple[str, ...] = ()
    rehearsal: bool = False  # 彩排: a database of its own beside the real one, marked in every view
    obs: str | None = None  # ws://HOST:4455: switch OBS's program scene from the running order (obs_link.py)
    obs_password: str = ""
    # A control surface over OSC (server/osc_surface.py, docs/COMPANION.md): off unless a port is given.
    osc_port: int | None = None
    osc_host: str = "127.0.0.1"  # OSC has no authentication: loopback unless the crew says otherwise
    osc_feedback: tuple[tuple[str, int], ...] = ()  # (host, port): /wenzheng/... feedback
    osc_variables: tuple[tuple[str, int], ...] = ()  # (host, port): the same as Companion custom variables
    clock: Clock = field(default_factory=SystemClock)


def lan_address() -> str:
    """This PC's LAN address for phones, without sending any packet."""
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addr = info[4][0]
            if not addr.startswith("127."):
                return addr
    except OSError:
        pass
    return "127.0.0.1"


class EngineServer:
    """One running engine: call `await start()`, read `url`, later `await stop()`."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.scene_path = resolve_scene(config.scene)
        self.scene = load_scene(self.scene_path)  # SceneError names the mistake
        self.db_path = Path(config.db) if config.db else default_db()
        if config.rehearsal:
            self.db_path = rehearsal_db(self.db_path)
        self.admin_token = (config.admin_token or os.environ.get("WENZHENG_ADMIN_TOKEN")
                            or load_or_create_secret(self.db_path.with_name(self.db_path.name + ".admin-token")))
        secret = os.environ.get("WENZHENG_SECRET") or load_or_create_secret(
            self.db_path.with_name(self.db_path.name + ".secret"))
        self.cluster = None
        if config.role != "primary" and not config.redis:
            raise RuntimeError(f"--role {config.role} needs --redis (a secondary forwards to a primary through Redis)")
        if config.redis:  # scale-out: see cluster.py and docs/SCALING.md
            from .cluster import Cluster
            self.cluster = Cluster(config.redis, config.role, self.db_path, takeover=config.takeover)
            self.cluster.on_step_down = self.request_stop  # lost the show on Redis: `serve` exits 1
            self.admin_token, secret = self.cluster.credentials(self.admin_token, secret)
        if self.cluster and self.cluster.secondary:
            self.store = None
            self.engine = self.cluster.secondary_engine(self.scene, config.clock, config.sensitive_words)
        else:
            self.store = Store(self.db_path)
            self.engine = Engine(self.scene, self.store, config.clock, sensitive_words=config.sensitive_words)
            self.engine.recover()
            self.engine.show.rehearsal = config.rehearsal  # the flag wins over what the db last said
        self.obs = self._obs_link(config)
        manager = self.cluster.socketio_manager() if self.cluster else None
        tokens = VoterTokens(secret)
        self.realtime = Realtime(self.engine, tokens, self.admin_token, manager)
        self.http = HttpApi(self.engine, tokens, self.admin_token, web_dir(), self.public_url,
                            config.voter_token_rate)
        self.app = socketio.ASGIApp(self.realtime.sio, other_asgi_app=self.http.app())
        self.osc, self.osc_feedback = self._control_surface(config)
        self.url = ""
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None

    def _obs_link(self, config: ServeConfig):
        if not config.obs:
            return None
        if self.store is None:
            raise RuntimeError("--obs belongs to the primary engine (it decides the TAKEs), not to a secondary")
        from .obs_link import ObsLink

        link = ObsLink(config.obs, config.obs_password or os.environ.get("WENZHENG_OBS_PASSWORD", ""),
                       on_status=self.engine.views_changed)
        link.follow(self.engine)
        self.engine.obs = link
        return link

    def _control_surface(self, config: ServeConfig):
        if config.osc_port is None and not (config.osc_feedback or config.osc_variables):
            return None, None
        if self.cluster and self.cluster.secondary:
            raise RuntimeError("--osc-port and --osc-feedback belong on the primary engine (a secondary only mirrors it)")
        from .osc_surface import OscFeedback, OscSurface  # python-osc is loaded only when asked for

        osc = OscSurface(self.engine, config.osc_host, config.osc_port) if config.osc_port is not None else None
        feedback = (OscFeedback(self.engine, config.osc_feedback, config.osc_variables)
                    if config.osc_feedback or config.osc_variables else None)
        return osc, feedback

    def activity(self) -> int:
        """Grows with every acked ballot, phone connection and hang-up (the GC pacer waits for calm)."""
        return self.engine.votes_acked + self.realtime.connects + self.realtime.departures

    def public_url(self) -> str:
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        host = self.config.host
        if host in ("0.0.0.0", "::", ""):
            host = lan_address()
        return f"http://{host}:{self.port}"

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1]) if self.url else self.config.port

    async def start(self) -> str:
        await self.engine.start()
        if self.obs:
            self.obs.start()  # its own task: OBS being away never holds up the engine's start
        if self.cluster:
            await self.cluster.start(self.engine)
        if not (self.cluster and self.cluster.secondary):  # the primary's pushes reach every engine's clients
            self.realtime.start()
        if self.osc:
            await self.osc.start()  # OSError (port in use): `serve` says so and exits 1
        if self.osc_feedback:
            await self.osc_feedback.start()
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.config.host, self.config.port))
        sock.set_inheritable(True)
        trusted = ",".join(self.config.trusted_proxies)
        # No permessage-deflate: every phone's browser offers it, and each compressed connection
        # holds its own zlib contexts — 37 KB a phone (5,000 phones: 486 → 300 MB peak RSS,
        # bench/vote_burst.py) to shrink messages of a few dozen bytes on a LAN. Node's socket.io
        # ships with it off for the same reason.
        uv_config = uvicorn.Config(self.app, log_level="warning", lifespan="off", ws=LeanWebSocketProtocol,
                                   ws_per_message_deflate=False,
                                   ws_max_size=64 * 1024, backlog=4096, timeout_graceful_shutdown=3,
                                   # uvicorn trusts X-Forwarded-For from 127.0.0.1 by default: a phone
                                   # (or anything) on this PC could then forge its address past the
                                   # per-IP limits. Only the proxies named with --trusted-proxy count.
                                   proxy_headers=bool(trusted), forwarded_allow_ips=trusted or None,
                                   http=protocol_class())  # closes requests whose headers stall (slowloris)
        self._server = _QuietServer(uv_config)
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="uvicorn")
        while not self._server.started:
            if self._task.done():
                await self._task  # raises the start-up error
                raise RuntimeError("the HTTP server stopped while starting")
            await asyncio.sleep(0.01)
        host, port = sock.getsockname()[:2]
        self.url = f"http://{host}:{port}" if family == socket.AF_INET else f"http://[{host}]:{port}"
        if self.store is not None and self.store.lock is not None:
            self.store.lock.announce(self.url)  # lets a restarted control room find this engine
        return self.url

    async def wait(self) -> None:
        if self._task:
            await self._task

    def request_stop(self) -> None:
        if self._server:
            self._server.should_exit = True

    async def stop(self) -> None:
        self.request_stop()
        if self._task:
            with contextlib.suppress(Exception):
                await self._task
        for part in (self.osc, self.osc_feedback):
            if part:
                await part.stop()
        await self.realtime.stop()
        if self.obs:
            await self.obs.stop()
        if self.cluster:
            await self.cluster.stop()
        await self.engine.stop()


class _QuietServer(uvicorn.Server):
    """uvicorn without its own signal handling: the engine's runner owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self):
        yield
