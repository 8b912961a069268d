"""The Node references of bench/vote_burst.py: a socket.io 4 server and the official client.

Both live in bench/node/ (package.json and package-lock.json pin socket.io 4.8); their
node_modules are installed once into a cache directory ($WENZHENG_BENCH_NODE_CACHE, by
default ~/.cache/wenzheng-bench), the way ../shared/acceptance/run installs its client.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

from harness import ServerProcess, raise_fd_limit

NODE_DIR = Path(__file__).resolve().parent / "node"
CACHE = Path(os.environ.get("WENZHENG_BENCH_NODE_CACHE", Path.home() / ".cache" / "wenzheng-bench"))


def node_modules() -> Path:
    """The cache's node_modules, installed from the pinned lock file when missing or stale."""
    node = shutil.which("node")
    if node is None or shutil.which("npm") is None:
        raise RuntimeError("the Node references need node and npm (Debian: nodejs npm)")
    CACHE.mkdir(parents=True, exist_ok=True)
    lock = (NODE_DIR / "package-lock.json").read_bytes()
    stamp = CACHE / "package-lock.json"
    if not (CACHE / "node_modules" / "socket.io").is_dir() or not stamp.exists() or stamp.read_bytes() != lock:
        shutil.copy(NODE_DIR / "package.json", CACHE / "package.json")
        shutil.copy(NODE_DIR / "package-lock.json", stamp)
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=CACHE, check=True, timeout=600)
    return CACHE / "node_modules"


def _env() -> dict:
    return {**os.environ, "NODE_PATH": str(node_modules())}


def _script(name: str) -> str:
    """ESM imports ignore NODE_PATH: run a copy of the script beside the cache's node_modules."""
    node_modules()
    target = CACHE / name
    source = (NODE_DIR / name).read_bytes()
    if not target.exists() or target.read_bytes() != source:
        target.write_bytes(source)
    return str(target)


def node_server(cpus: set[int] | None = None) -> ServerProcess:
    return ServerProcess(["node", _script("server.mjs"), "127.0.0.1", "0"], env={"NODE_ENV": "production"},
                         cpus=cpus)


class NodePhones:
    """The official socket.io-client in one Node process: connect, then vote on `go()`."""

    def __init__(self, urls: list[str], first: int, n: int, poll: int, tokens: bool, concurrency: int = 200):
        cfg = {"urls": urls, "first": first, "n": n, "poll": poll, "tokens": tokens, "concurrency": concurrency}
        self.proc = subprocess.Popen(["node", "--max-old-space-size=4096", _script("phones.mjs"), json.dumps(cfg)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=_env(), preexec_fn=raise_fd_limit)
        self.stderr: list[str] = []
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _line(self, key: str, timeout: float) -> dict:
        box: dict = {}

        def read() -> None:
            for line in self.proc.stdout:
                msg = json.loads(line)
                if key in msg:
                    box["msg"] = msg[key]
                    return

        t = threading.Thread(target=read, daemon=True)
        t.start()
        t.join(timeout)
        if "msg" not in box:
            raise RuntimeError(f"node phones gave no {key!r} line: {''.join(self.stderr)[-2000:]}")
        return box["msg"]

    def ready(self, timeout: float) -> dict:
        return self._line("ready", timeout)

    def go(self) -> None:
        self.proc.stdin.write("go\n")
        self.proc.stdin.flush()

    def votes(self, timeout: float) -> list:
        return self._line("votes", timeout)

    def release(self) -> None:
        try:
            self.proc.stdin.write("release\n")
            self.proc.stdin.flush()
            self.proc.wait(30)
        except (BrokenPipeError, subprocess.TimeoutExpired, OSError):
            self.proc.kill()
