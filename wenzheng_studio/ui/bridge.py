"""The one place where the engine client's thread meets the GUI thread.

EngineClient calls back on its own thread; emitting a Qt signal from there is queued to
the receivers' (GUI) thread by Qt. Nothing else in ui/ touches another thread's objects.

The client thread never holds a reference to a view: a request's callback is kept here, on
the GUI thread, under a number, and the client thread hands back only (number, reply). Were
the client thread to drop the last reference to a closed window, Python would destroy that
widget on the wrong thread, and Qt crashes (a segfault in CI, once).
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from ..client import EngineClient, EngineReply


class EngineBridge(QObject):
    stateChanged = Signal(dict)
    tallyChanged = Signal(dict)
    pollChanged = Signal(object)
    questionsChanged = Signal(list)
    connectionChanged = Signal(str, str)  # status, detail
    replied = Signal(int, object)  # (request number, EngineReply) delivered on the GUI thread
    commandFailed = Signal(str)  # a human-readable error from the engine
    identityChanged = Signal(object)  # who this connection is: {"id", "name", "role"}, or None

    def __init__(self, url: str, token: str | None = None, namespace: str = "/control", parent=None):
        super().__init__(parent)
        self.url = url
        self.token = token
        self.client = EngineClient(url, token, namespace, on_event=self._event, on_status=self._status)
        self.connection: tuple[str, str] = ("connecting", url)  # the last status reported, and its detail
        self.last_state: dict[str, Any] = {}
        # Who is signed in on this connection (GET /api/whoami after every connect); None until
        # known. `unauthorized`: the engine refused the token (revoked, or never valid).
        self.identity: dict[str, Any] | None = None
        self.unauthorized = False
        self._lost_checked = False
        self._callbacks: dict[int, Any] = {}  # request number -> its callback (GUI thread only)
        self._numbers = itertools.count(1)
        self.replied.connect(self._deliver)
        self.connectionChanged.connect(self._check_identity)  # queued to this (GUI) thread

    def start(self) -> None:
        self.client.start()

    def stop(self) -> None:
        self.client.stop()

    # --- client thread → signals -------------------------------------------------------
    def _event(self, name: str, data: Any) -> None:
        if name == "state" and isinstance(data, dict):
            self.stateChanged.emit(data)
        elif name == "tally" and isinstance(data, dict):
            self.tallyChanged.emit(data)
        elif name == "poll":
            self.pollChanged.emit(data)
        elif name == "questions":
            self.questionsChanged.emit(list((data or {}).get("ids", [])) if isinstance(data, dict) else [])

    def _status(self, status: str, detail: str) -> None:
        # Remembered before the signal goes out (one tuple: one atomic store), so a window built
        # after this, or handed an already-connected bridge, reads it: see follow_connection().
        self.connection = (status, detail)
        self.connectionChanged.emit(status, detail)

    def follow_connection(self, slot: Callable[[str, str], None]) -> None:
        """Calls `slot(status, detail)` now with the last status, then on every change.
        Connecting first, then reading, misses nothing: a change in between is read here and
        also delivered by the signal (the same status twice, harmless)."""
        self.connectionChanged.connect(slot)
        slot(*self.connection)

    # --- who is signed in ------------------------------------------------------------------
    def _check_identity(self, status: str, detail: str) -> None:
        """After every connect; and once when a connection is lost (the director may have
        revoked this person: the engine drops the connection and refuses the token)."""
        if status == "connected":
            self._lost_checked = False
            self.load_identity()
        elif status == "disconnected" and not self._lost_checked and not self.unauthorized:
            self._lost_checked = True
            self.load_identity()

    def load_identity(self) -> None:
        def done(reply: EngineReply) -> None:
            if reply.ok and isinstance(reply.body, dict):
                self.set_identity(reply.body)
            elif reply.status == 404:  # an engine from before roles: its one token is the director's
                self.set_identity({"id": 0, "name": "导演", "role": "director"})
            elif reply.status == 401:
                self.unauthorized = True
                self.identity = None
                self.identityChanged.emit(None)
        self.request("GET", "/api/whoami", None, done, quiet=True)

    def set_identity(self, identity: dict[str, Any] | None) -> None:
        self.unauthorized = False
        if identity != self.identity:
            self.identity = identity
            self.identityChanged.emit(identity)

    @property
    def role(self) -> str | None:
        return (self.identity or {}).get("role")

    def follow_identity(self, slot: Callable[[Any], None]) -> None:
        """Calls `slot(identity)` now, then whenever it changes (like follow_connection)."""
        self.identityChanged.connect(slot)
        slot(self.identity)

    # --- GUI thread → engine -----------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None,
                callback: Callable[[EngineReply], None] | None = None, *, quiet: bool = False) -> None:
        """Sends a request; `callback(reply)` runs later on the GUI thread. Errors are reported
        (commandFailed), unless `quiet`: then only the callback hears of them."""
        if quiet:
            callback = _Quiet(callback)
        number = next(self._numbers)
        self._callbacks[number] = callback
        fut = self.client.request(method, path, body)
        replied = self.replied  # the signal alone crosses to the client thread, not a view

        def done(f) -> None:
            try:
                reply = f.result()
            except Exception as exc:  # the loop is gone: treat as unreachable
                reply = EngineReply(0, {"error": "unreachable", "message": str(exc)})
            replied.emit(number, reply)

        fut.add_done_callback(done)

    def control(self, action: str, callback: Callable[[EngineReply], None] | None = None, **fields: Any) -> None:
        self.request("POST", "/api/control", {"action": action, **fields}, callback)

    def _deliver(self, number: int, reply: EngineReply) -> None:
        callback = self._callbacks.pop(number, None)
        if isinstance(callback, _Quiet):
            if callback.fn is not None:
                _answer(callback.fn, reply)
            return
        if not reply.ok:
            self.commandFailed.emit(reply.error)
        if callback is not None:
            _answer(callback, reply)


def _answer(callback: Callable[[EngineReply], None], reply: EngineReply) -> None:
    """A view can close while its request is on the way (the bridge outlives it): the reply
    then has no one to tell, which must not raise inside the Qt event loop."""
    try:
        callback(reply)
    except RuntimeError as exc:
        if "deleted" not in str(exc):  # Shiboken: "Signal source has been deleted", "... already deleted"
            raise


class _Quiet:
    """A callback whose errors are its own business (not flashed as an engine refusal)."""

    def __init__(self, fn: Callable[[EngineReply], None] | None):
        self.fn = fn
