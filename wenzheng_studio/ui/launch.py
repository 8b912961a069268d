"""`wenzheng-studio`: the control room, on its own embedded engine or on one named by --connect."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time


def run_control_room(args) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from ..client import EmbeddedEngine
    from .bridge import EngineBridge
    from .control_room import ControlRoomWindow, freeze_startup_objects

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    started = time.monotonic()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Wenzheng Studio")
    engine = None
    if getattr(args, "connect", None):
        url = args.connect
        token = getattr(args, "admin_token", None) or os.environ.get("WENZHENG_ADMIN_TOKEN")
        if not token:
            print("wenzheng-studio: --connect needs --admin-token or $WENZHENG_ADMIN_TOKEN", file=sys.stderr)
            return 2
    else:
        engine = EmbeddedEngine(scene=getattr(args, "scene", None), db=getattr(args, "db", None),
                                admin_token=getattr(args, "admin_token", None),
                                rehearsal=bool(getattr(args, "rehearsal", False)))
        try:
            url = engine.start()
        except RuntimeError as exc:
            print(f"wenzheng-studio: {exc}", file=sys.stderr)
            return 1
        token = engine.admin_token
        how = "attached to the engine already running this show" if engine.attached else "engine"
        print(f"wenzheng-studio: {how} at {url}", flush=True)
        if not getattr(args, "admin_token", None) and not os.environ.get("WENZHENG_ADMIN_TOKEN"):
            print(f"wenzheng-studio: operator token kept in {engine.token_file()} "
                  f"(screener: wenzheng-studio screener --connect {url} --admin-token \"$(cat {engine.token_file()})\")",
                  flush=True)

    bridge = EngineBridge(url, token)
    window = ControlRoomWindow(bridge, getattr(args, "lang", None))
    window.showMaximized()
    bridge.start()
    freeze_startup_objects()
    logging.getLogger(__name__).info("control room up in %.2f s", time.monotonic() - started)

    signal.signal(signal.SIGINT, lambda *_: app.quit())
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    wake = QTimer()  # lets Python see SIGINT/SIGTERM while Qt's loop runs
    wake.timeout.connect(lambda: None)
    wake.start(250)
    try:
        return app.exec()
    finally:
        window.close()
        bridge.stop()
        if engine is not None:
            engine.stop()
