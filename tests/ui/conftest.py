"""Qt views against a real engine: an operator bridge, started and stopped around a test."""

import gc

import pytest

from wenzheng_studio.ui.bridge import EngineBridge
from wenzheng_studio.ui.gui_gc import GuiThreadCollector


@pytest.fixture(scope="session", autouse=True)
def _collect_on_the_gui_thread(qapp):
    """As in the apps (ui/gui_gc.py): no engine-client thread ever runs the cycle collector,
    so no widget is destroyed off the GUI thread."""
    collector = GuiThreadCollector()
    yield
    collector.stop()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    """Set up before qtbot, so torn down after it: the test's closed widgets and stopped
    bridges are collected here, on the GUI thread, before the next test starts threads.
    Automatic collection is switched off again first: whatever an earlier test (or a
    library) switched back on must not run on an engine-client thread during this one."""
    gc.disable()
    yield
    gc.collect()


@pytest.fixture
def operator_bridge(qtbot, engine_process):
    bridge = EngineBridge(engine_process.url, engine_process.token)
    bridge.start()
    yield bridge
    bridge.stop()


@pytest.fixture(autouse=True)
def _own_config_folder(tmp_path, monkeypatch):
    """A console keeps its sign-in in the user's config folder: each test gets its own."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def make_operator(ep, name: str, role: str) -> dict:
    """A crew member created by the director: {"id", "name", "role", "token", …}."""
    return ep.api("POST", "/api/operators", {"name": name, "role": role})


@pytest.fixture
def reviewer_bridge(qtbot, engine_process):
    """A second person's connection: 李审核, role reviewer (for 终审 after the director's 初审)."""
    op = make_operator(engine_process, "李审核", "reviewer")
    bridge = EngineBridge(engine_process.url, op["token"])
    bridge.start()
    yield bridge
    bridge.stop()
