import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from live_engine import LiveEngine  # noqa: E402

ENGINES = ["single", pytest.param("secondary", marks=pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"))]


@pytest.fixture(params=ENGINES)
def live(request, tmp_path):
    """The engine under attack: a single engine, or a secondary sharing a show through Redis
    (every route and namespace of a secondary must hold the same line as the primary's)."""
    if request.param == "single":
        engine = LiveEngine(tmp_path / "show.db")
        yield engine
        engine.close()
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    engines = []
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        url = f"redis://127.0.0.1:{port}/0"
        engines.append(LiveEngine(tmp_path / "primary.db", redis=url))
        engines.append(LiveEngine(tmp_path / "secondary.db", redis=url, role="secondary"))
        yield engines[-1]
    finally:
        for e in reversed(engines):
            e.close()
        redis.kill()
        redis.wait(10)
