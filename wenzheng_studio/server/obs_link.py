"""OBS Studio driven from the running order, through obs-websocket 5 (simpleobsws).

A TAKE never waits for OBS. The engine's command commits and answers first; this link
only hears about it afterwards (an engine listener) and notes the scene it now wants.
Its own task ("obs-link") connects, identifies, switches and follows OBS's events, each
step with its own timeout; when OBS is away, slow or refuses the password it backs off
and tries again. Only the latest wanted scene is kept: after an outage OBS is put on the
scene of the segment on air now, never walked through the segments taken meanwhile.

Its status goes into the operators' state as `obs`; OBS's own events keep it true when
someone switches scenes or starts streaming in OBS itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Callable
from urllib.parse import urlsplit

_websockets_level = logging.getLogger("websockets").level
import simpleobsws  # noqa: E402

# simpleobsws sets the shared "websockets" logger to INFO on import; the engine's own
# WebSocket traffic (phones) must not start printing a line per connection because of it.
logging.getLogger("websockets").setLevel(_websockets_level)
log = logging.getLogger(__name__)
log.setLevel(logging.INFO)  # linked / lost / refused: facts for the engine's log, once each

CONNECT_TIMEOUT_S = 3.0  # TCP + WebSocket handshake + Hello/Identify
REQUEST_TIMEOUT_S = 2.0  # one request; a slower OBS counts as hung and is reconnected
BACKOFF_S = (0.5, 1.0, 2.0, 5.0, 10.0)  # between connection attempts, growing, then steady
AUTH_FAILED = 4009  # obs-websocket's close code for a wrong or missing password
SWITCH_ACTIONS = ("segment.next", "segment.prev", "segment.goto", "show.start")

# `problem` codes in the status (the control room says them in Chinese)
UNREACHABLE, NO_ANSWER, AUTH, PASSWORD_NEEDED, SWITCH_FAILED, MUTE_FAILED = (
    "unreachable", "no_answer", "auth_failed", "password_needed", "switch_failed", "mute_failed")


class ObsUrlError(ValueError):
    pass


def check_obs_url(url: str) -> str:
    """`ws://HOST:PORT` (or wss://), as obs-websocket listens; anything else is refused at start."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme not in ("ws", "wss") or not parts.hostname or port is None or parts.path not in ("", "/"):
        raise ObsUrlError(f"--obs must look like ws://HOST:4455 (obs-websocket's address), not {url!r}")
    return url


class _Session:
    """One identified connection to OBS (simpleobsws' client) and how it ended."""

    def __init__(self, url: str, password: str):
        self.client = simpleobsws.WebSocketClient(url, password)

    async def open(self) -> str | None:
        """Connects and identifies; None when identified, else the problem code."""
        try:
            await asyncio.wait_for(self.client.connect(), CONNECT_TIMEOUT_S)
        except Exception as exc:  # refused, no route, timed out, not a WebSocket server
            log.debug("OBS connect failed: %s", exc)
            return UNREACHABLE
        identified = asyncio.ensure_future(self.client.wait_until_identified(CONNECT_TIMEOUT_S))
        done, _ = await asyncio.wait({identified, self.client.recv_task}, timeout=CONNECT_TIMEOUT_S + 0.5,
                                     return_when=asyncio.FIRST_COMPLETED)
        if identified in done and identified.result():
            return None
        identified.cancel()
        if self.client.recv_task.done():  # OBS closed on us: the password, most likely
            code = getattr(self.client.ws, "close_code", None)
            hello = self.client.hello_message or {}
            if code == AUTH_FAILED:
                return PASSWORD_NEEDED if "authentication" in hello and not self.client.password else AUTH
            return UNREACHABLE
        return NO_ANSWER  # accepted, then silent

    def closed(self) -> asyncio.Future:
        return self.client.recv_task

    async def call(self, request_type: str, data: dict | None = None) -> dict:
        """One request; raises TimeoutError when OBS does not answer in time, RequestFailed when it says no."""
        try:
            resp = await self.client.call(simpleobsws.Request(request_type, data), timeout=REQUEST_TIMEOUT_S)
        except simpleobsws.MessageTimeout:
            raise asyncio.TimeoutError(f"OBS did not answer {request_type} within {REQUEST_TIMEOUT_S:g} s") from None
        except Exception as exc:  # not identified any more, or the connection went away mid-call
            raise ConnectionError(f"{request_type}: {type(exc).__name__} {exc}") from None
        if not resp.ok():
            raise RequestFailed(resp.requestStatus.comment or f"code {resp.requestStatus.code}")
        return resp.responseData or {}

    async def close(self) -> None:
        ws = self.client.ws
        try:
            await asyncio.wait_for(self.client.disconnect(), 1.0)
        except Exception:  # a hung OBS never finishes the closing handshake: drop the socket
            transport = getattr(ws, "transport", None)
            if transport is not None:
                transport.abort()


class RequestFailed(Exception):
    """OBS answered and refused (e.g. no scene by that name)."""


class ObsLink:
    def __init__(self, url: str, password: str = "", *, on_status: Callable[[], None] = lambda: None):
        self.url = check_obs_url(url)
        self.password = password
        self.on_status = on_status  # called when the status changed (the engine pushes state)
        self.connected = False
        self.program_scene: str | None = None
        self.streaming = False
        self.recording = False
        self.problem: str | None = None
        self.detail = ""  # what went wrong, in OBS's own words when it said something
        self.failed = ""  # the scene or input OBS refused (switch_failed, mute_failed)
        self.switches = 0  # scene switches OBS confirmed (for the crew's log and tests)
        self._wanted_scene: str | None = None
        self._wanted_mutes: dict[str, None] = {}  # insertion-ordered set
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

    # --- what the engine wants ---------------------------------------------------------------
    def follow(self, engine) -> None:
        """Listen to the engine's committed changes: TAKE/goto/start switch, a cut at zero mutes."""
        def on_change(kind: str, detail: Any) -> None:
            if kind != "event" or not isinstance(detail, dict):
                return
            order = engine.show.order
            segment = order.segment
            if detail.get("kind") == "control" and detail.get("action") in SWITCH_ACTIONS and order.status == "live":
                if segment.obs_scene:
                    self.want_scene(segment.obs_scene)
            elif detail.get("kind") == "timer.cut" and segment.obs_mute:
                self.want_mute(segment.obs_mute)

        engine.listeners.append(on_change)

    def want_scene(self, name: str) -> None:
        self._wanted_scene = name  # replaces any switch not yet made: the latest TAKE wins
        self._wake.set()

    def want_mute(self, input_name: str) -> None:
        self._wanted_mutes[input_name] = None
        self._wake.set()

    def status(self) -> dict[str, Any]:
        return {"connected": self.connected, "program_scene": self.program_scene, "streaming": self.streaming,
                "recording": self.recording, "url": self.url, "problem": self.problem, "detail": self.detail,
                "failed": self.failed, "pending_scene": self._wanted_scene}

    # --- life ----------------------------------------------------------------------------------
    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="obs-link")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def _run(self) -> None:
        attempt = 0
        while True:
            session = _Session(self.url, self.password)
            problem = await session.open()
            if problem is not None:
                await session.close()
                self._set(connected=False, problem=problem, detail=_describe(problem, self.url), failed="")
                await asyncio.sleep(BACKOFF_S[min(attempt, len(BACKOFF_S) - 1)])
                attempt += 1
                continue
            attempt = 0
            try:
                await self._serve(session)
            except (asyncio.TimeoutError, ConnectionError) as exc:
                log.warning("OBS link lost: %s", exc)
                self._set(connected=False, problem=NO_ANSWER if isinstance(exc, asyncio.TimeoutError) else UNREACHABLE,
                          detail=str(exc), failed="")
            finally:
                await session.close()
            if self.connected:  # OBS closed the connection (quit, restarted)
                self._set(connected=False, problem=UNREACHABLE, detail=_describe(UNREACHABLE, self.url), failed="")
            await asyncio.sleep(BACKOFF_S[0])

    async def _serve(self, session: _Session) -> None:
        """Identified: read OBS's state, then make wanted changes until the connection ends."""
        for event, handler in (("CurrentProgramSceneChanged", self._on_scene), ("StreamStateChanged", self._on_stream),
                               ("RecordStateChanged", self._on_record)):
            session.client.register_event_callback(handler, event)
        scene = await session.call("GetCurrentProgramScene")
        stream = await session.call("GetStreamStatus")
        record = await session.call("GetRecordStatus")
        self._set(connected=True, problem=None, detail="", failed="",
                  program_scene=scene.get("currentProgramSceneName") or scene.get("sceneName"),
                  streaming=bool(stream.get("outputActive")), recording=bool(record.get("outputActive")))
        log.info("OBS connected at %s, program scene %r", self.url, self.program_scene)
        while not session.closed().done():
            await self._apply_wanted(session)
            wake = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait({wake, session.closed()}, return_when=asyncio.FIRST_COMPLETED)
            wake.cancel()

    async def _apply_wanted(self, session: _Session) -> None:
        self._wake.clear()
        while self._wanted_scene is not None:
            name = self._wanted_scene
            try:
                await session.call("SetCurrentProgramScene", {"sceneName": name})
            except RequestFailed as exc:
                log.error("OBS refused to switch to scene %r: %s", name, exc)
                if self._wanted_scene == name:
                    self._wanted_scene = None
                self._set(problem=SWITCH_FAILED, detail=f"{name}: {exc}", failed=name)
                continue
            # a timeout raises past here: the scene stays wanted and is made after the reconnect
            if self._wanted_scene == name:
                self._wanted_scene = None
            self.switches += 1
            self._set(program_scene=name, problem=None, detail="", failed="")
        while self._wanted_mutes:
            name = next(iter(self._wanted_mutes))
            try:
                await session.call("SetInputMute", {"inputName": name, "inputMuted": True})
            except RequestFailed as exc:
                log.error("OBS refused to mute input %r: %s", name, exc)
                self._set(problem=MUTE_FAILED, detail=f"{name}: {exc}", failed=name)
            self._wanted_mutes.pop(name, None)

    # --- OBS's events --------------------------------------------------------------------------
    async def _on_scene(self, data: dict | None) -> None:
        self._set(program_scene=(data or {}).get("sceneName"))

    async def _on_stream(self, data: dict | None) -> None:
        self._set(streaming=bool((data or {}).get("outputActive")))

    async def _on_record(self, data: dict | None) -> None:
        self._set(recording=bool((data or {}).get("outputActive")))

    def _set(self, **values: Any) -> None:
        changed = False
        for key, value in values.items():
            if getattr(self, key) != value:
                setattr(self, key, value)
                changed = True
        if changed:
            if "problem" in values and values["problem"]:
                log.warning("OBS: %s (%s)", values["problem"], self.detail)
            try:
                self.on_status()
            except Exception:  # the engine's views must never break the link
                log.exception("OBS status listener failed")


def _describe(problem: str, url: str) -> str:
    return {UNREACHABLE: f"no OBS answers at {url} (is OBS running, with its WebSocket server on?)",
            NO_ANSWER: f"OBS at {url} accepted the connection but does not answer",
            AUTH: "OBS refused the password (--obs-password / $WENZHENG_OBS_PASSWORD)",
            PASSWORD_NEEDED: "OBS asks for a password: give --obs-password or $WENZHENG_OBS_PASSWORD"}.get(problem, problem)
