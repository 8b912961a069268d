"""Replies cross from the engine client's thread to the GUI thread: a view that closes while
its request is on the way hears nothing, quietly; the client thread never holds the view."""

from __future__ import annotations

import concurrent.futures
import gc
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from wenzheng_studio.client import EngineReply
from wenzheng_studio.ui.bridge import EngineBridge
from wenzheng_studio.ui.gui_gc import GuiThreadCollector


class _View(QObject):
    failed = Signal(str)


class _HandClient:
    """Stands in for EngineClient: each request's future is completed by the test."""

    def __init__(self):
        self.futures: list[concurrent.futures.Future] = []

    def request(self, method, path, body=None):
        fut: concurrent.futures.Future = concurrent.futures.Future()
        self.futures.append(fut)
        return fut


def _bridge() -> tuple[EngineBridge, _HandClient]:
    bridge = EngineBridge("http://127.0.0.1:9")  # never started
    bridge.client = hand = _HandClient()
    return bridge, hand


def _reply_from_another_thread(fut, reply) -> None:
    t = threading.Thread(target=fut.set_result, args=(reply,))
    t.start()
    t.join()


def test_a_reply_for_a_view_that_was_deleted_does_not_raise_in_the_event_loop(qtbot):
    bridge, hand = _bridge()
    view = _View()
    heard = []
    view.failed.connect(heard.append)

    def done(reply):
        view.failed.emit(reply.error)

    bridge.request("GET", "/x", None, done)
    _reply_from_another_thread(hand.futures[0], EngineReply(500, {"error": "unavailable"}))
    qtbot.waitUntil(lambda: heard == ["unavailable: "], timeout=2000)
    bridge.request("GET", "/x", None, done)
    view.deleteLater()
    qtbot.waitUntil(lambda: not _alive(view), timeout=2000)
    _reply_from_another_thread(hand.futures[1], EngineReply(500, {"error": "unavailable"}))
    qtbot.wait(50)  # delivered: pytest-qt fails the test on an exception in the event loop
    assert heard == ["unavailable: "] and not bridge._callbacks


def test_other_runtime_errors_still_surface(qtbot):
    bridge, hand = _bridge()

    def broken(reply):
        raise RuntimeError("a real bug")

    bridge.request("GET", "/x", None, broken)
    with qtbot.capture_exceptions() as caught:
        _reply_from_another_thread(hand.futures[0], EngineReply(200, {}))
        qtbot.wait(50)
    errors = [str(exc) for _, exc, _ in caught]
    assert errors == ["a real bug"], "a real RuntimeError was swallowed"


def test_the_client_thread_holds_no_reference_to_the_view(qtbot):
    """What the client thread keeps until the reply comes (the future's done-callback) must
    not reach the view: were it the last holder, the widget would be destroyed on that thread."""
    bridge, hand = _bridge()
    view = QWidget()
    bridge.request("GET", "/x", None, lambda reply: view.setWindowTitle("answered"))
    held = hand.futures[0]._done_callbacks
    assert held
    reachable = _reachable_from(held)
    assert not any(isinstance(obj, QWidget) for obj in reachable), "the client thread's callback holds the view"
    hand.futures[0].set_result(EngineReply(200, {}))
    qtbot.waitUntil(lambda: view.windowTitle() == "answered", timeout=2000)


def test_collection_happens_on_the_gui_thread_only(qtbot):
    """With the collector on, a worker thread that allocates heavily never runs the cycle
    collector: the garbage it leaves is collected by the GUI thread's timer."""
    gc.enable()  # as in an app that has not made its QApplication yet
    collector = GuiThreadCollector(interval_ms=20)
    where: list[str] = []

    class Cycle:
        def __init__(self):
            self.me = self

        def __del__(self):
            where.append(threading.current_thread().name)

    try:
        assert not gc.isenabled()

        kept: list = []

        def churn():
            for _ in range(50):
                Cycle()
            # far past every threshold: the automatic collector would have run on this thread
            kept.append([[] for _ in range(100_000)])

        worker = threading.Thread(target=churn, name="worker")
        worker.start()
        worker.join()
        assert where == []
        qtbot.waitUntil(lambda: len(where) == 50, timeout=5000)
        assert set(where) == {threading.main_thread().name}
    finally:
        collector.stop()
        assert gc.isenabled()  # as it found it
        gc.disable()  # as the UI tests run (tests/ui/conftest.py)


def _reachable_from(root, limit: int = 20000) -> list:
    seen, out, todo = set(), [], [root]
    while todo and len(out) < limit:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type):
            continue
        seen.add(id(obj))
        out.append(obj)
        if isinstance(obj, EngineBridge):  # the bridge is long-lived and the client's own owner
            continue
        todo.extend(gc.get_referents(obj))
        if hasattr(obj, "__closure__") and obj.__closure__:
            todo.extend(c.cell_contents for c in obj.__closure__)
    return out


def _alive(obj) -> bool:
    import shiboken6
    return shiboken6.isValid(obj)
