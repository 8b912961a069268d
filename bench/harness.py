"""Shared by the benches: start a server process and wait for its ready line, tiny HTTP, RSS."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


FDS_WANTED = 65_536  # 20,000 phones: a socket each on both ends, plus the Node client's own


def raise_fd_limit() -> int:
    """Lift the soft open-files limit to the hard one: 10,000 sockets need 10,000 fds. Where
    allowed (root with CAP_SYS_RESOURCE) the hard limit itself is raised to FDS_WANTED first: a
    server at the hard limit refuses its last connections at accept. The development container
    runs as root without that capability and its hard limit is 20,000, which caps a server
    there at about 19,900 phones."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < FDS_WANTED:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (FDS_WANTED, FDS_WANTED))
            soft, hard = FDS_WANTED, FDS_WANTED
        except (ValueError, OSError):  # not root: the hard limit stands
            pass
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def parse_cpus(text: str | None) -> set[int] | None:
    """'0' or '0,1' or '0-3' → {0, 1, ...}; None or '' → None (no pinning)."""
    if not text:
        return None
    cpus: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    unknown = cpus - os.sched_getaffinity(0)
    if unknown:
        raise ValueError(f"no such CPU here: {sorted(unknown)} (this machine has {sorted(os.sched_getaffinity(0))})")
    return cpus


def child_setup(cpus: set[int] | None = None):
    """preexec_fn for a server: the fd limit, and pinned to `cpus` before exec, so every thread
    it will start (the store writer, Node's workers) inherits the affinity."""
    def setup() -> None:
        raise_fd_limit()
        if cpus:
            os.sched_setaffinity(0, cpus)
    return setup


class ServerProcess:
    """A child server that prints one `... listening on http://HOST:PORT` line when ready."""

    def __init__(self, argv: list[str], timeout: float = 30.0, env: dict | None = None,
                 cpus: set[int] | None = None, cwd: str | Path | None = None):
        self.argv = argv
        self.started_at = time.monotonic()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **(env or {})}, preexec_fn=child_setup(cpus), cwd=cwd)
        self.url = self._wait_ready(timeout)
        self.ready_at = time.monotonic()
        self.stderr_lines: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()

    def _wait_ready(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        result: dict[str, str] = {}

        def read() -> None:
            for line in self.proc.stdout:
                if " listening on " in line:
                    result["url"] = line.strip().rsplit(" ", 1)[1]
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(max(0.0, deadline - time.monotonic()))
        if "url" not in result:
            try:  # it exited (stdout closed): its stderr says why
                self.proc.wait(2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
            err = self.proc.stderr.read()
            raise RuntimeError(f"{self.argv[:4]} did not get ready (exit {self.proc.returncode}): {err[-2000:]}")
        return result["url"]

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.stderr_lines.append(line)
            del self.stderr_lines[:-200]

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill9(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


class RedisServer:
    """A private redis-server on 127.0.0.1 (any free port, or `port` to come back on the same
    address), no persistence; ready when the constructor returns."""

    def __init__(self, port: int | None = None, cpus: set[int] | None = None):
        if shutil.which("redis-server") is None:
            raise RuntimeError("redis-server is not installed")
        if port is None:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL,
                                     preexec_fn=child_setup(cpus))
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def engine_argv(db: str | Path, admin: str, *extra: str, profile: str | None = None) -> list[str]:
    head = [sys.executable, "-m", "cProfile", "-o", profile] if profile else [sys.executable]
    return [*head, "-m", "wenzheng_studio", "serve", "--host", "127.0.0.1", "--port", "0", "--db", str(db),
            "--admin-token", admin, "--voter-token-rate", "0", *extra]


def http(url: str, method: str = "GET", body: Any = None, token: str | None = None,
         timeout: float = 10.0) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, _decode(r.read())
    except urllib.error.HTTPError as e:
        return e.code, _decode(e.read())


def _decode(raw: bytes) -> Any:
    """JSON when it is JSON (the API), else the text (CSV exports, pages)."""
    try:
        return json.loads(raw or b"null")
    except ValueError:
        return raw.decode(errors="replace")


def rss_mb(pid: int) -> dict[str, float]:
    """Current and peak resident memory of a process, in MB, from /proc."""
    out = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                out["rss" if line.startswith("VmRSS") else "peak"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return out


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    i = min(len(sorted_values) - 1, max(0, round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[i]
