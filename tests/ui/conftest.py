"""Qt views against a real engine: an operator bridge, started and stopped around a test."""

import pytest

from wenzheng_studio.ui.bridge import EngineBridge


@pytest.fixture
def operator_bridge(qtbot, engine_process):
    bridge = EngineBridge(engine_process.url, engine_process.token)
    bridge.start()
    yield bridge
    bridge.stop()
