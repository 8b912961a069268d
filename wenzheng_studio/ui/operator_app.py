"""Starting an operator's tool on another PC: the engine URL, who signs in, one bridge.

Who: `--admin-token T` (or $WENZHENG_ADMIN_TOKEN) as given; else `--signin LINK_OR_CODE`
(a one-time code from the director's 人员 dialog, exchanged for this person's token); else
the sign-in this PC kept from last time (ui/signin.py); else a small dialog asks for the link.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable

DEFAULT_URL = "http://127.0.0.1:8765"
NEEDS = "needs the operator token (--admin-token, $WENZHENG_ADMIN_TOKEN or --signin LINK_OR_CODE)"


def engine_url(args) -> str:
    return getattr(args, "connect", None) or DEFAULT_URL


def operator_token(args, command: str) -> str | None:
    """--admin-token, else $WENZHENG_ADMIN_TOKEN; None (after saying so on stderr) when neither is given."""
    token = getattr(args, "admin_token", None) or os.environ.get("WENZHENG_ADMIN_TOKEN")
    if not token:
        print(f"wenzheng-studio {command}: {NEEDS}", file=sys.stderr)
    return token or None


def _dialog_possible() -> bool:
    """Nobody can answer a dialog on the offscreen platform (a server, a test run)."""
    return os.environ.get("QT_QPA_PLATFORM", "") != "offscreen"


def sign_in(args, command: str, *, ask: bool = True) -> tuple[str, str, dict[str, Any] | None] | None:
    """(engine URL, token, identity or None if not known yet), or None after saying why on stderr.
    Needs a QApplication when it may ask (`ask` and no token, no --signin, nothing kept)."""
    from . import signin

    who_am = f"wenzheng-studio {command}".rstrip()
    url = getattr(args, "connect", None)
    token = getattr(args, "admin_token", None) or os.environ.get("WENZHENG_ADMIN_TOKEN")
    if token:
        return url or DEFAULT_URL, token, None
    if getattr(args, "signin", None):
        try:
            base, code = signin.parse_signin(args.signin)
            target = (url or base or DEFAULT_URL).rstrip("/")
            who = signin.exchange(target, code)
        except signin.SignInError as exc:
            print(f"{who_am}: sign-in refused: {exc}", file=sys.stderr)
            return None
        signin.remember(target, who)
        return target, who["token"], _identity(who)
    note = ""
    kept = signin.recall(url)
    if kept is not None:
        target, saved = kept
        try:
            who = signin.whoami(target, saved["token"])
        except OSError:  # the engine is not up yet: the console connects when it is
            return target, saved["token"], _identity(saved)
        if who is not None:
            return target, saved["token"], _identity(who)
        signin.forget(target)
        note = "上次的登录已被导演撤销或已失效，请重新登录。"
    if ask and _dialog_possible():
        asked = signin.ask_signin(url or (kept[0] if kept else None), note)
        if asked is not None:
            target, who = asked
            signin.remember(target, who)
            return target, who["token"], _identity(who)
    print(f"{who_am}: {NEEDS}", file=sys.stderr)
    return None


def _identity(who: dict[str, Any]) -> dict[str, Any] | None:
    return {k: who.get(k) for k in ("id", "name", "role")} if who.get("role") else None


def run_operator_window(args, command: str, make_window: Callable, size: tuple[int, int]) -> int:
    """`wenzheng-studio COMMAND [--connect URL] [--admin-token T | --signin LINK]` until the window closes."""
    from .gui_gc import gui_application  # Qt loads only for a window

    from .bridge import EngineBridge
    from .fonts import app_font, load_app_fonts

    app = gui_application()
    signed = sign_in(args, command)
    if signed is None:
        return 2
    url, token, identity = signed
    load_app_fonts()
    app.setFont(app_font(11))
    bridge = EngineBridge(url, token)
    if identity:
        bridge.set_identity(identity)  # the title says who at once; whoami confirms on connect
    bridge.start()
    window = make_window(bridge)
    window.resize(*size)
    window.show()
    try:
        return app.exec()
    finally:
        bridge.stop()
