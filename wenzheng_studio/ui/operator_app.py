"""Starting an operator's window on another PC: the engine URL, the operator token, one bridge."""

from __future__ import annotations

import os
import sys
from typing import Callable

from PySide6.QtWidgets import QApplication, QWidget

from .bridge import EngineBridge
from .fonts import app_font, load_app_fonts

DEFAULT_URL = "http://127.0.0.1:8765"


def run_operator_window(args, command: str, make_window: Callable[[EngineBridge], QWidget],
                        size: tuple[int, int]) -> int:
    """`wenzheng-studio COMMAND [--connect URL] [--admin-token T]` until the window closes."""
    url = getattr(args, "connect", None) or DEFAULT_URL
    token = getattr(args, "admin_token", None) or os.environ.get("WENZHENG_ADMIN_TOKEN")
    if not token:
        print(f"wenzheng-studio {command}: needs the operator token (--admin-token or $WENZHENG_ADMIN_TOKEN)",
              file=sys.stderr)
        return 2
    app = QApplication.instance() or QApplication(sys.argv[:1])
    load_app_fonts()
    app.setFont(app_font(11))
    bridge = EngineBridge(url, token)
    bridge.start()
    window = make_window(bridge)
    window.resize(*size)
    window.show()
    try:
        return app.exec()
    finally:
        bridge.stop()
