"""A view that closes while its request is on the way: the reply reaches no one, quietly."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from wenzheng_studio.client import EngineReply
from wenzheng_studio.ui.bridge import EngineBridge


class _View(QObject):
    failed = Signal(str)


def test_a_reply_for_a_view_that_was_deleted_does_not_raise_in_the_event_loop(qtbot):
    bridge = EngineBridge("http://127.0.0.1:9")  # never started: replies are delivered by hand
    view = _View()
    heard = []
    view.failed.connect(heard.append)

    def done(reply):
        view.failed.emit(reply.error)

    bridge._deliver(done, EngineReply(500, {"error": "unavailable"}))
    assert heard == ["unavailable: "]
    view.deleteLater()
    qtbot.waitUntil(lambda: not _alive(view), timeout=2000)
    bridge._deliver(done, EngineReply(500, {"error": "unavailable"}))  # pytest-qt fails on an exception here
    assert heard == ["unavailable: "]


def test_other_runtime_errors_still_surface(qtbot):
    bridge = EngineBridge("http://127.0.0.1:9")

    def broken(reply):
        raise RuntimeError("a real bug")

    try:
        bridge._deliver(broken, EngineReply(200, {}))
    except RuntimeError as exc:
        assert "a real bug" in str(exc)
    else:
        raise AssertionError("a real RuntimeError was swallowed")


def _alive(obj) -> bool:
    import shiboken6
    return shiboken6.isValid(obj)
