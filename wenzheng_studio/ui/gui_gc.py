"""Python's cycle collector runs on whichever thread happens to allocate when its threshold is
crossed. In a window that thread can be the engine client's: a closed widget caught in a
reference cycle would then be destroyed off the GUI thread, and Qt crashes (a segfault, seen
once in CI). So the GUI processes collect only on the GUI thread: automatic collection is off
and a timer collects each generation when it is due, as pyqtgraph's GarbageCollector does
(ours can also be stopped, which the tests need).
"""

from __future__ import annotations

import gc
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication


class GuiThreadCollector:
    """Collects on a GUI-thread timer, generation by generation, with gc's own thresholds."""

    def __init__(self, interval_ms: int = 500):
        self.thresholds = gc.get_threshold()
        self.was_enabled = gc.isenabled()
        gc.disable()
        self.timer = QTimer()
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        t0, t1, t2 = self.thresholds
        c0, c1, c2 = gc.get_count()
        if c0 > t0:
            gc.collect(2 if c2 > t2 and c1 > t1 else 1 if c1 > t1 else 0)

    def stop(self) -> None:
        self.timer.stop()
        if self.was_enabled:
            gc.enable()


def gui_application() -> QApplication:
    """The process's QApplication (made once), collecting garbage on its own thread only."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    if getattr(app, "_wz_collector", None) is None:
        app._wz_collector = GuiThreadCollector()
    return app
