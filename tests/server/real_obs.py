"""Real OBS Studio for tests: Xvfb + openbox + `obs` with a throw-away HOME whose global.ini
turns obs-websocket 5 on (port, password) and skips the first-run wizard.

Every process runs under `timeout`, so OBS stops by itself even if the test run dies.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

LIFETIME_S = 240  # the longest a test's OBS may live, whatever happens to the test run
GLOBAL_INI = """[General]
FirstRun=false
EnableAutoUpdates=false
LastVersion=486539264

[OBSWebSocket]
FirstLoad=false
ServerEnabled=true
ServerPort={port}
AlertsEnabled=false
AuthRequired={auth}
ServerPassword={password}
"""


def missing() -> str | None:
    """Why real OBS cannot run here, or None."""
    for tool, package in (("obs", "obs-studio"), ("Xvfb", "xvfb"), ("openbox", "openbox"), ("timeout", "coreutils")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (apt-get install {package})"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RealObs:
    def __init__(self, root: Path, password: str):
        self.root, self.password = root, password
        self.port = _free_port()
        self.procs: list[subprocess.Popen] = []
        self.log = root / "obs.log"

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "RealObs":
        home = self.root / "home"
        config = home / ".config" / "obs-studio"
        config.mkdir(parents=True)
        (config / "global.ini").write_text(GLOBAL_INI.format(port=self.port, auth="true" if self.password else "false",
                                                             password=self.password), encoding="utf-8")
        read, write = os.pipe()
        xvfb = self._spawn(["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x720x24", "-nolisten", "tcp"],
                           pass_fds=(write,))
        os.close(write)
        with os.fdopen(read) as f:
            display = ":" + f.readline().strip()
        if display == ":":
            self.stop()
            raise RuntimeError("Xvfb did not start")
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "DISPLAY": display,
               "LIBGL_ALWAYS_SOFTWARE": "1", "QT_QPA_PLATFORM": "xcb"}
        self._spawn(["openbox"], env=env)
        with open(self.log, "w") as log:
            self._spawn(["obs", "--disable-shutdown-check", "--minimize-to-tray", "--disable-updater",
                         "--disable-missing-files-check"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=home)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[-1].poll() is not None:
                raise RuntimeError("OBS exited at start:\n" + self.log.read_text(errors="replace")[-3000:])
            if "WebSocket server" in self.log.read_text(errors="replace") and self._listening():
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("OBS's WebSocket server did not start:\n" + self.log.read_text(errors="replace")[-3000:])

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _spawn(self, cmd: list[str], **kwargs) -> subprocess.Popen:
        kwargs.setdefault("stdout", subprocess.DEVNULL)
        kwargs.setdefault("stderr", subprocess.DEVNULL)
        proc = subprocess.Popen(["timeout", "--kill-after=5", str(LIFETIME_S), *cmd], start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in reversed(self.procs):  # obs, openbox, then the X server they draw on
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(5)
        self.procs.clear()
