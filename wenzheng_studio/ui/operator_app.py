"""Starting an operator's tool on another PC: the engine URL, the operator token, one bridge."""

from __future__ import annotations

import os
import sys
from typing import Callable

DEFAULT_URL = "http://127.0.0.1:8765"


def engine_url(args) -> str:
    return getattr(args, "connect", None) or DEFAULT_URL


def operator_token(args, command: str) -> str | None:
    """--admin-token, else $WENZHENG_ADMIN_TOKEN; None (after saying so on stderr) when neither is given."""
    token = getattr(args, "admin_token", None) or os.environ.get("WENZHENG_ADMIN_TOKEN")
    if not token:
        print(f"wenzheng-studio {command}: needs the operator token (--admin-token or $WENZHENG_ADMIN_TOKEN)",
              file=sys.stderr)
    return token or None


def run_operator_window(args, command: str, make_window: Callable, size: tuple[int, int]) -> int:
    """`wenzheng-studio COMMAND [--connect URL] [--admin-token T]` until the window closes."""
    token = operator_token(args, command)
    if token is None:
        return 2
    from PySide6.QtWidgets import QApplication  # Qt loads only for a window

    from .bridge import EngineBridge
    from .fonts import app_font, load_app_fonts

    app = QApplication.instance() or QApplication(sys.argv[:1])
    load_app_fonts()
    app.setFont(app_font(11))
    bridge = EngineBridge(engine_url(args), token)
    bridge.start()
    window = make_window(bridge)
    window.resize(*size)
    window.show()
    try:
        return app.exec()
    finally:
        bridge.stop()
