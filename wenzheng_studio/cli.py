"""The `wenzheng-studio` command: control room (default), `serve`, `overlay`, `screener`, `edit`, `draw`."""

from __future__ import annotations

import argparse
import ipaddress
import sys


def _serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scene", help="running order TOML (default scenes/baixing-wenzheng.toml)")
    p.add_argument("--db", help="SQLite database; the same file resumes the show (default: user data folder)")
    p.add_argument("--admin-token", help="operator credential (default: $WENZHENG_ADMIN_TOKEN, else kept beside the db)")
    p.add_argument("--rehearsal", action="store_true",
                   help="彩排: run on a separate database beside the real one (show.db → show.rehearsal.db), "
                        "marked 彩排 in every view, the overlay and the report")
    p.add_argument("--obs", type=_obs_url, metavar="ws://HOST:4455",
                   help="OBS Studio's WebSocket server: TAKE switches OBS to the segment's obs_scene (docs/OBS.md)")
    p.add_argument("--obs-password", help="the OBS WebSocket password (default: $WENZHENG_OBS_PASSWORD)")


def _obs_url(value: str) -> str:
    from .server.obs_link import ObsUrlError, check_obs_url

    try:
        return check_obs_url(value)
    except ObsUrlError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _osc_target(value: str) -> tuple[str, int]:
    from .server.osc_surface import parse_target

    try:
        return parse_target(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _port(value: str) -> int:
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number (0-65535; 0: any free port)")
    return int(value)


def _osc_options(p: argparse.ArgumentParser) -> None:
    """A control surface (Companion / Stream Deck) over OSC: docs/COMPANION.md."""
    p.add_argument("--osc-port", type=_port, metavar="N",
                   help="take control-surface commands over OSC/UDP on port N (default: off). OSC has NO "
                        "authentication: whoever can send to the port drives the show with the director's rights")
    p.add_argument("--osc-host", default="127.0.0.1", metavar="ADDR",
                   help="address the OSC port listens on (default 127.0.0.1, this PC only; give the LAN address "
                        "only on a network the crew alone can reach)")
    p.add_argument("--osc-feedback", type=_osc_target, action="append", default=[], metavar="HOST:PORT",
                   help="send /wenzheng/... feedback (countdown, phase, segment, poll) to HOST:PORT, e.g. "
                        "Companion's Generic OSC module; repeatable")
    p.add_argument("--osc-variables", type=_osc_target, action="append", default=[], metavar="HOST:PORT",
                   help="send the same values as Companion custom variables (/custom-variable/NAME/value) to "
                        "Companion's own OSC port (12321 by default); repeatable")


def _signin_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--signin", metavar="LINK_OR_CODE",
                   help="sign in with the one-time link or code from the director's 人员 dialog "
                        "(the engine URL is taken from the link when --connect is not given)")


def _proxy_list(value: str) -> tuple[str, ...]:
    """ADDR[,ADDR]: IP addresses or networks (10.0.0.0/24). Checked here because uvicorn takes
    a mistyped entry as a literal name that never matches, silently trusting nobody."""
    entries = tuple(v.strip() for v in value.split(",") if v.strip())
    for entry in entries:
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{entry!r} is not an IP address or network") from None
    return entries


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wenzheng-studio", description="Control room for live TV question sessions.")
    parser.add_argument("--connect", help="attach to a running engine at URL instead of starting one")
    _serve_options(parser)
    parser.add_argument("--host", help="the embedded engine listens on this address (default 0.0.0.0: every "
                                       "interface, so phones on the network can vote)")
    parser.add_argument("--port", type=int, help="the embedded engine's port (default 8765, or a free one if taken)")
    parser.add_argument("--public-url", help="address phones use, e.g. https://vote.example.cn (default: LAN address)")
    _signin_option(parser)
    _osc_options(parser)
    parser.add_argument("--lang", choices=["zh", "en"], default=None, help="interface language (default zh)")
    sub = parser.add_subparsers(dest="command")

    serve = sub.add_parser("serve", help="the engine alone, headless")
    _serve_options(serve)
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--redis", help="redis://… to share one show across several engines")
    serve.add_argument("--role", choices=["primary", "secondary"], default="primary",
                       help="with --redis: primary owns --db (one per show); secondaries forward to it")
    serve.add_argument("--takeover", action="store_true",
                       help="with --redis: a primary takes a Redis database another show's crashed primary left "
                            "(never one whose primary still holds the lock); see docs/SCALING.md")
    serve.add_argument("--voter-token-rate", type=int, default=120, help="voter tokens per client IP per minute; 0 = unlimited")
    serve.add_argument("--public-url", help="address phones use, e.g. https://vote.example.cn (default: LAN address)")
    serve.add_argument("--sensitive-words", help="file of words (one a line) that flag a web question for reviewers")
    serve.add_argument("--trusted-proxy", type=_proxy_list, default=(), metavar="ADDR[,ADDR]",
                       help="reverse proxies whose X-Forwarded-For gives the client address (default: none, "
                            "the header is ignored)")
    _osc_options(serve)

    overlay = sub.add_parser("overlay", help="the broadcast overlay window for OBS Window Capture")
    overlay.add_argument("--connect", help="engine URL (default http://127.0.0.1:8765)")
    overlay.add_argument("--key-color", default="#00B140", help="background key colour (default chroma green #00B140)")
    overlay.add_argument("--screen", type=int, default=1,
                         help="which screen the window covers, 1 = the primary (default 1)")
    _signin_option(overlay)

    screener = sub.add_parser("screener", help="the hotline screener's console")
    screener.add_argument("--connect", help="engine URL (default http://127.0.0.1:8765)")
    screener.add_argument("--admin-token", help="operator credential (default $WENZHENG_ADMIN_TOKEN)")
    _signin_option(screener)

    review = sub.add_parser("review", help="the review desk: first and final review, the director's queue, follow-up")
    review.add_argument("--connect", help="engine URL (default http://127.0.0.1:8765)")
    review.add_argument("--admin-token", help="operator credential (default $WENZHENG_ADMIN_TOKEN)")
    _signin_option(review)

    report = sub.add_parser("report", help="the after-show report: PDF with charts + CSV")
    report.add_argument("--connect", help="engine URL (default http://127.0.0.1:8765)")
    report.add_argument("--admin-token", help="operator credential (default $WENZHENG_ADMIN_TOKEN)")
    report.add_argument("--out", help="folder for the PDF and CSV (default: user data folder/reports)")

    edit = sub.add_parser("edit", help="the rundown editor: a scene's segments, speakers, units, timers and votes")
    edit.add_argument("scene_file", nargs="?", metavar="SCENE",
                      help="scene TOML to edit (a file that does not exist yet starts from the default scene)")
    edit.add_argument("--from-engine", metavar="URL",
                      help="load the running order a running engine uses now (GET /api/scene), to save it as a file")
    edit.add_argument("--admin-token", help="sent to the engine if given (GET /api/scene needs none)")

    from .ui.draw_cli import add_parser as add_draw_parser  # no Qt imported until a PDF is written

    add_draw_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        from .core.scene import SceneError
        from .store import StoreDamaged, StoreLocked
        from .server.app import ServeConfig
        from .server.serve import main as serve_main

        words: tuple[str, ...] = ()
        if args.sensitive_words:
            with open(args.sensitive_words, encoding="utf-8") as f:
                words = tuple(w.strip() for w in f if w.strip())
        config = ServeConfig(scene=args.scene, db=args.db, host=args.host, port=args.port,
                             admin_token=args.admin_token, redis=args.redis,
                             voter_token_rate=args.voter_token_rate, public_url=args.public_url,
                             sensitive_words=words, role=args.role, trusted_proxies=args.trusted_proxy,
                             takeover=args.takeover, rehearsal=args.rehearsal,
                             obs=args.obs, obs_password=args.obs_password or "",
                             osc_port=args.osc_port, osc_host=args.osc_host,
                             osc_feedback=tuple(args.osc_feedback), osc_variables=tuple(args.osc_variables))
        try:
            return serve_main(config)
        except SceneError as exc:
            print(f"wenzheng-studio: scene refused: {exc}", file=sys.stderr)
            return 2
        except StoreLocked as exc:
            print(f"wenzheng-studio: {exc}", file=sys.stderr)
            return 3
        except StoreDamaged as exc:
            print(f"wenzheng-studio: {exc}", file=sys.stderr)
            return 4
        except OSError as exc:
            print(f"wenzheng-studio: cannot start: {exc}", file=sys.stderr)
            return 1
        except RuntimeError as exc:  # cluster.ClusterError: wrong role, no primary, no Redis
            print(f"wenzheng-studio: cannot start: {exc}", file=sys.stderr)
            return 1
    # Each window lives in its own module: ui/launch.py (control room), ui/overlay_app.py,
    # ui/screener.py, ui/review/. Each entry takes the parsed args and returns an exit code.
    entry = {None: ("launch", "run_control_room"), "overlay": ("overlay_app", "run_overlay"),
             "screener": ("screener", "run_screener"), "review": ("review", "run_review"),
             "report": ("report_pdf", "run_report"), "edit": ("editor", "run_editor"),
             "draw": ("draw_cli", "run_draw")}[args.command]
    try:
        import importlib

        module = importlib.import_module(f".ui.{entry[0]}", __package__)
    except ImportError as exc:
        print(f"wenzheng-studio: cannot open the window: {exc}", file=sys.stderr)
        return 1
    return getattr(module, entry[1])(args)


if __name__ == "__main__":
    sys.exit(main())
