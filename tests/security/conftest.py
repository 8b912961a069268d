import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from live_engine import LiveEngine, live_secondary  # noqa: E402

ENGINES = ["single", pytest.param("secondary", marks=pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="redis-server is not installed"))]


@pytest.fixture(params=ENGINES)
def live(request, tmp_path):
    """The engine under attack: a single engine, or a secondary sharing a show through Redis
    (a secondary must hold the same line as the primary on every route and namespace)."""
    if request.param == "secondary":
        with live_secondary(tmp_path) as engine:
            yield engine
        return
    engine = LiveEngine(tmp_path / "show.db")
    yield engine
    engine.close()
