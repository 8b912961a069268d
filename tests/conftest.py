"""Shared fixtures. Qt runs offscreen; a real engine runs as a subprocess where needed."""

from __future__ import annotations

import collections
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))  # harness, phones, live_engine: shared by the benches and the tests
sys.path.insert(0, str(ROOT / "tests"))  # faulty_store: shared by the tests
from wait_scale import WAIT_SCALE  # noqa: E402  (every qtbot wait, scaled below)


def _scale_qtbot_waits() -> None:
    try:
        from pytestqt.qtbot import QtBot
    except ImportError:
        return
    for name in ("waitUntil", "waitSignal", "waitSignals", "waitCallback"):
        original = getattr(QtBot, name, None)
        if original is None or getattr(original, "_scaled", False):
            continue

        def scaled(self, *args, __original=original, timeout=5000, **kwargs):
            if timeout is not None and timeout > 0:
                timeout = int(timeout * WAIT_SCALE)
            return __original(self, *args, timeout=timeout, **kwargs)
        scaled._scaled = True
        setattr(QtBot, name, scaled)


_scale_qtbot_waits()
READY = re.compile(r"wenzheng-studio listening on (http://\S+)")


@dataclass
class EngineProcess:
    """A `wenzheng-studio serve` child: start, SIGKILL, restart on the same port and db."""

    db: Path
    token: str
    port: int = 0
    extra: tuple[str, ...] = ()
    proc: subprocess.Popen | None = None
    url: str = ""

    def start(self, timeout: float = 30) -> str:
        cmd = [sys.executable, "-m", "wenzheng_studio", "serve", "--host", "127.0.0.1", "--port", str(self.port),
               "--db", str(self.db), "--admin-token", self.token, "--voter-token-rate", "0", *self.extra]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                if self.proc.poll() is not None:
                    raise RuntimeError("engine exited: " + self.proc.stderr.read())
                continue
            m = READY.search(line)
            if m:
                self.url = m.group(1)
                self.port = int(self.url.rsplit(":", 1)[1])  # a restart reuses the same port
                self._drain()
                return self.url
        raise RuntimeError("engine did not print its ready line")

    def _drain(self) -> None:
        """Read the child's output for as long as it lives: an undrained pipe fills (64 KB)
        and the engine then blocks on its next log line, a frozen engine that no test meant.
        The last lines are kept for a failing test's report (`log_tail`)."""
        self.log = collections.deque(maxlen=5000)
        self._drains = [threading.Thread(target=lambda s=stream, log=self.log: log.extend(s), daemon=True)
                        for stream in (self.proc.stdout, self.proc.stderr)]
        for t in self._drains:
            t.start()

    def log_tail(self) -> str:
        """What the engine printed (its last 5,000 lines); complete once it has exited."""
        if self.proc is not None and self.proc.poll() is not None:
            for t in getattr(self, "_drains", ()):
                t.join(5)
        return "".join(getattr(self, "log", ()))

    def api(self, method: str, path: str, body=None):
        """An operator request; returns the JSON reply (raises on an HTTP error)."""
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": f"Bearer {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> int:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            return self.proc.wait(15)
        return self.proc.returncode if self.proc else 0


@pytest.fixture
def engine_process(tmp_path):
    """A real engine on a free port; yields the EngineProcess (url, token, kill(), start())."""
    ep = EngineProcess(db=tmp_path / "show.db", token="test-admin-token")
    ep.start()
    try:
        yield ep
    finally:
        ep.kill()


@pytest.fixture
def rehearsal_engine(tmp_path):
    """A real engine started as `serve --rehearsal` (彩排): every view must mark it."""
    ep = EngineProcess(db=tmp_path / "show.db", token="test-admin-token", extra=("--rehearsal",))
    ep.start()
    try:
        yield ep
    finally:
        ep.kill()


# --- an in-process engine to attack (tests/security, tests/fuzz) ---------------------------
_LIVE_ENGINES = ["single", pytest.param("secondary", marks=pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"))]


@pytest.fixture(params=_LIVE_ENGINES)
def live(request, tmp_path):
    """The engine under attack: a single engine, or a secondary sharing a show through Redis
    (a secondary must hold the same line as the primary on every route and namespace)."""
    from live_engine import LiveEngine, live_secondary

    if request.param == "secondary":
        with live_secondary(tmp_path) as engine:
            yield engine
        return
    engine = LiveEngine(tmp_path / "show.db")
    yield engine
    engine.close()


@pytest.fixture
def single_live(tmp_path):
    """One in-process engine on a real socket (no Redis variant): for tests of one engine's own rules."""
    from live_engine import LiveEngine

    engine = LiveEngine(tmp_path / "show.db")
    yield engine
    engine.close()
