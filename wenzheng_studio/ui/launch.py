"""`wenzheng-studio`: the control room, on its own embedded engine or on one named by --connect."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time


def embedded_engine(args):
    """The control room's own engine, with `serve`'s --host, --port and --public-url."""
    from ..client import EmbeddedEngine
    from ..client.embedded import osc_serve_args

    port = getattr(args, "port", None)
    return EmbeddedEngine(scene=getattr(args, "scene", None), db=getattr(args, "db", None),
                          admin_token=getattr(args, "admin_token", None),
                          rehearsal=bool(getattr(args, "rehearsal", False)),
                          host=getattr(args, "host", None) or "0.0.0.0",
                          port=8765 if port is None else port, any_port=port is None,
                          public_url=getattr(args, "public_url", None),
                          obs=getattr(args, "obs", None), obs_password=getattr(args, "obs_password", None),
                          extra_args=osc_serve_args(args))


def run_control_room(args) -> int:
    from PySide6.QtCore import QTimer
    from .gui_gc import gui_application

    from .bridge import EngineBridge
    from .control_room import ControlRoomWindow, freeze_startup_objects

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    started = time.monotonic()
    app = gui_application()
    app.setApplicationName("Wenzheng Studio")
    engine = None
    identity = None
    if getattr(args, "connect", None):
        from ..client.embedded import osc_serve_args
        from .operator_app import sign_in

        if getattr(args, "obs", None):  # OBS is driven by the engine that decides the TAKEs
            print("wenzheng-studio: --obs is ignored with --connect: start that engine with "
                  "`serve --obs …` (docs/OBS.md)", file=sys.stderr)
        if osc_serve_args(args):
            print("wenzheng-studio: --osc-* options belong to the engine: with --connect, give them to that "
                  "engine's `wenzheng-studio serve`", file=sys.stderr, flush=True)

        signed = sign_in(args, "")  # --admin-token, $WENZHENG_ADMIN_TOKEN, --signin, kept, or asked
        if signed is None:
            return 2
        url, token, identity = signed
    else:
        engine = embedded_engine(args)
        try:
            url = engine.start()
        except RuntimeError as exc:
            print(f"wenzheng-studio: {exc}", file=sys.stderr)
            return 1
        token = engine.admin_token
        how = "attached to the engine already running this show" if engine.attached else "engine"
        print(f"wenzheng-studio: {how} at {url}", flush=True)
        if engine.attached and engine.extra_args:  # that engine was started with its own --osc-* options
            print("wenzheng-studio: --osc-* options take effect only when this window starts the engine; the "
                  "running one keeps its own", file=sys.stderr, flush=True)
        if not getattr(args, "admin_token", None) and not os.environ.get("WENZHENG_ADMIN_TOKEN"):
            print(f"wenzheng-studio: the director's token is kept in {engine.token_file()}; sign the crew's "
                  f"consoles in with their own codes: 人员 (Ctrl+P), then e.g. "
                  f"wenzheng-studio review --signin LINK", flush=True)

    bridge = EngineBridge(url, token)
    if identity:
        bridge.set_identity(identity)
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
