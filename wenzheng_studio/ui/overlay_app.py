"""`wenzheng-studio overlay`: the overlay window alone, for the graphics PC."""

from __future__ import annotations

import logging
import os
import signal
import sys

DEFAULT_URL = "http://127.0.0.1:8765"


def run_overlay(args) -> int:
    # One device pixel per design pixel whatever the Windows/desktop scaling says: OBS
    # captures device pixels, and the picture must be exactly 1920x1080.
    os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "0")
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from .overlay import OverlayWindow

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Wenzheng Studio Overlay")
    url = getattr(args, "connect", None) or DEFAULT_URL
    try:
        window = OverlayWindow(url, getattr(args, "key_color", None) or "#00B140")
    except ValueError as exc:
        print(f"wenzheng-studio overlay: {exc}", file=sys.stderr)
        return 2
    window.move(0, 0)
    window.show()
    signal.signal(signal.SIGINT, lambda *_: app.quit())
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    wake = QTimer()  # lets Python see SIGINT/SIGTERM while Qt's loop runs
    wake.timeout.connect(lambda: None)
    wake.start(250)
    code = app.exec()
    window.close()
    return code
