"""Driving a window that runs its own event loop (`cli.main([...])` returns when it closes).

`driving(step)` calls `step()` on a timer until it returns True, and closes every window after
a deadline so a broken test never hangs. Both timers belong to the block: they stop when it
ends and can never fire inside a later test. (Free-running QTimer.singleShot loops did: a
15 s "close everything" from one test closed another test's windows.)
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from wait_scale import WAIT_SCALE



def close_every_window() -> None:
    for w in QApplication.topLevelWidgets():
        QWidget.close(w)  # unbound: a widget may have an attribute of its own called `close`


@contextmanager
def driving(step: Callable[[], bool], every_ms: int = 100, deadline_s: float = 15) -> Iterator[None]:
    poll = QTimer()
    poll.setInterval(every_ms)

    def tick() -> None:
        if step():
            poll.stop()

    poll.timeout.connect(tick)
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(close_every_window)
    poll.start()
    guard.start(int(deadline_s * WAIT_SCALE * 1000))
    try:
        yield
    finally:
        poll.stop()
        guard.stop()
