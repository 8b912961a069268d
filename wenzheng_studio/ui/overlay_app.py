"""`wenzheng-studio overlay`: the overlay window alone, for the graphics PC."""

from __future__ import annotations

import logging
import os
import signal
import sys

from .operator_app import engine_url


def overlay_url(args) -> str:
    """--connect, else the engine named in --signin's link, else the default. The overlay reads
    /overlay, which needs no token: a sign-in code given here is used up (so it cannot be used
    by someone else) and says who, but the window needs nothing from it."""
    link = getattr(args, "signin", None)
    if not link:
        return engine_url(args)
    from .roles import identity_text
    from .signin import SignInError, exchange, parse_signin

    try:
        base, code = parse_signin(link)
        url = (getattr(args, "connect", None) or base or engine_url(args)).rstrip("/")
    except SignInError as exc:
        print(f"wenzheng-studio overlay: --signin ignored: {exc}", file=sys.stderr)
        return engine_url(args)
    try:
        who = exchange(url, code)
        print(f"wenzheng-studio overlay: signed in as {identity_text(who)} (the overlay itself needs no token)",
              flush=True)
    except SignInError as exc:
        print(f"wenzheng-studio overlay: sign-in not used ({exc}); the overlay needs none", file=sys.stderr)
    return url


def run_overlay(args) -> int:
    # One device pixel per design pixel whatever the Windows/desktop scaling says: OBS
    # captures device pixels, and the picture must be exactly 1920x1080.
    os.environ.setdefault("QT_ENABLE_HIGHDPI_SCALING", "0")
    from PySide6.QtCore import QTimer
    from .gui_gc import gui_application

    from .overlay import OverlayWindow

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    app = gui_application()
    app.setApplicationName("Wenzheng Studio Overlay")
    url = overlay_url(args)
    try:
        window = OverlayWindow(url, getattr(args, "key_color", None) or "#00B140")
    except ValueError as exc:
        print(f"wenzheng-studio overlay: {exc}", file=sys.stderr)
        return 2
    screens = app.screens()
    number = getattr(args, "screen", None) or 1
    if not 1 <= number <= len(screens):
        listing = "; ".join(f"{i} = {sc.name()} {sc.geometry().width()}x{sc.geometry().height()}"
                            for i, sc in enumerate(screens, 1))
        print(f"wenzheng-studio overlay: there is no screen {number} (screens: {listing})", file=sys.stderr)
        return 2
    # On a second output (a monitor feeding a keyer, or just out of the operator's way) the
    # frameless 1920x1080 window covers that screen from its top-left corner.
    window.move(screens[number - 1].geometry().topLeft())
    window.show()
    previous = {sig: signal.signal(sig, lambda *_: app.quit()) for sig in (signal.SIGINT, signal.SIGTERM)}
    wake = QTimer()  # lets Python see SIGINT/SIGTERM while Qt's loop runs
    wake.timeout.connect(lambda: None)
    wake.start(250)
    try:
        return app.exec()
    finally:
        wake.stop()
        window.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
