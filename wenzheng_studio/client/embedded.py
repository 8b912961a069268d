"""The control room's own engine: `wenzheng-studio serve` as a child process.

A separate process means a crash of a window never touches the show, and the window
talks to its engine exactly as it would to one on another PC.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from ..paths import default_db, rehearsal_db


def osc_serve_args(args: Any) -> list[str]:
    """cli.py's --osc-* options again, for the `serve` the control room starts for itself."""
    out: list[str] = []
    if getattr(args, "osc_port", None) is not None:
        out += ["--osc-port", str(args.osc_port), "--osc-host", args.osc_host]
    for flag, targets in (("--osc-feedback", getattr(args, "osc_feedback", [])),
                          ("--osc-variables", getattr(args, "osc_variables", []))):
        for host, port in targets:
            out += [flag, f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    return out


_READY = re.compile(r"wenzheng-studio listening on (http://\S+)")


def local_url(url: str) -> str:
    """The address this PC reaches an engine at: one listening on every interface (0.0.0.0,
    ::) is reached on loopback; one on a named address, on that address."""
    return url.replace("://0.0.0.0:", "://127.0.0.1:").replace("://[::]:", "://[::1]:")


class EmbeddedEngine:
    def __init__(self, *, scene: str | None = None, db: str | None = None, port: int = 8765,
                 host: str = "0.0.0.0", admin_token: str | None = None, extra_args: list[str] | None = None,
                 rehearsal: bool = False, public_url: str | None = None, any_port: bool = True,
                 obs: str | None = None, obs_password: str | None = None):
        """`host`, `port`, `public_url` as `serve` takes them. `any_port`: if `port` is taken, run
        on a free one instead (the default port); False when the port was asked for by name."""
        self.scene, self.db, self.port, self.host = scene, db, port, host
        self.public_url, self.any_port = public_url, any_port
        self.rehearsal = rehearsal
        # Without a given token the engine keeps one beside its database, so the screener and
        # other consoles can use the same credential across restarts (read after start).
        self.admin_token = admin_token or os.environ.get("WENZHENG_ADMIN_TOKEN") or ""
        self.extra_args = extra_args or []
        self.obs, self.obs_password = obs, obs_password
        self.proc: subprocess.Popen | None = None
        self.url = ""
        self.log_lines: list[str] = []
        self.attached = False

    def _command(self, port: int) -> list[str]:
        cmd = [sys.executable, "-m", "wenzheng_studio", "serve", "--host", self.host, "--port", str(port)]
        if self.admin_token:
            cmd += ["--admin-token", self.admin_token]
        if self.scene:
            cmd += ["--scene", self.scene]
        if self.db:
            cmd += ["--db", self.db]
        if self.rehearsal:
            cmd += ["--rehearsal"]
        if self.public_url:
            cmd += ["--public-url", self.public_url]
        if self.obs:
            cmd += ["--obs", self.obs]  # its password goes by the environment, never on a command line
        return cmd + self.extra_args

    def _environment(self) -> dict[str, str] | None:
        if not self.obs_password:
            return None  # inherited as it is ($WENZHENG_OBS_PASSWORD included)
        return {**os.environ, "WENZHENG_OBS_PASSWORD": self.obs_password}

    def start(self, timeout: float = 30.0) -> str:
        """Starts the engine on `port`, or on any free port if that one is taken.

        If an engine already runs this show (the control room crashed and its engine kept
        the show going), attach to it instead of starting a second one.
        """
        running = self.running_engine()
        if running:
            self.url, self.attached = running, True
            if not self.admin_token:
                self.admin_token = self.token_file().read_text(encoding="utf-8").strip()
            return self.url
        for port in dict.fromkeys((self.port, 0) if self.any_port else (self.port,)):
            url = self._try(port, timeout)
            if url:
                self.url = url
                if not self.admin_token:
                    self.admin_token = self.token_file().read_text(encoding="utf-8").strip()
                return url
        raise RuntimeError("the engine did not start:\n" + "\n".join(self.log_lines[-20:]))

    def _try(self, port: int, timeout: float) -> str | None:
        self.proc = subprocess.Popen(self._command(port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, encoding="utf-8", bufsize=1, env=self._environment())
        found: list[str] = []
        done = threading.Event()

        def pump() -> None:
            for line in self.proc.stdout:
                self.log_lines.append(line.rstrip())
                m = _READY.search(line)
                if m and not found:
                    found.append(m.group(1))
                    done.set()
            done.set()

        threading.Thread(target=pump, name="embedded-engine-log", daemon=True).start()
        done.wait(timeout)
        if found:
            return local_url(found[0])
        self.stop()
        return None

    def db_path(self) -> Path:
        db = Path(self.db) if self.db else default_db()
        return rehearsal_db(db) if self.rehearsal else db

    def running_engine(self) -> str | None:
        """The URL of a live engine holding this show's lock (store/lock.py writes the file)."""
        try:
            holder = json.loads(self.db_path().with_name(self.db_path().name + ".lock").read_text(encoding="utf-8"))
            url = local_url(holder["url"])
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                return url if r.status == 200 else None
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def token_file(self) -> Path:
        db = self.db_path()
        return db.with_name(db.name + ".admin-token")

    def stop(self) -> None:
        """Stops the engine this launcher started (an engine it attached to keeps running)."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.proc = None

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_gone(self, timeout: float = 5) -> None:
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
