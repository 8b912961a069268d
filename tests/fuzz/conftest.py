import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_engine import LiveEngine  # noqa: E402


@pytest.fixture
def live(tmp_path):
    engine = LiveEngine(tmp_path / "show.db")
    yield engine
    engine.close()
