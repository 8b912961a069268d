"""`wenzheng-studio draw`: 评议代表库 from a terminal, without curl.

    wenzheng-studio draw import POOL.csv|POOL.xlsx
    wenzheng-studio draw run --quota 人大代表=5 --quota 市民代表=20 [--seed 公证员给的数] [--replace]
    wenzheng-studio draw show
    wenzheng-studio draw cards --out seat-cards.pdf [--venue main]
    wenzheng-studio draw list --out draw-list.pdf

Each talks to a running engine (--connect URL, --admin-token T or $WENZHENG_ADMIN_TOKEN). An
engine refusal is printed as the engine says it (bad rows by number) and exits 1.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .operator_app import engine_url, operator_token

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EngineRefused(Exception):
    pass


def call(url: str, token: str, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
         content_type: str = "application/json") -> Any:
    data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
    req = urllib.request.Request(url.rstrip("/") + path, data=data, method=method,
                                 headers={"Authorization": f"Bearer {token}", "Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as reply:
            return json.loads(reply.read())
    except urllib.error.HTTPError as exc:
        try:
            err = json.loads(exc.read())
            raise EngineRefused(f"{err.get('error')}: {err.get('message')}") from None
        except ValueError:
            raise EngineRefused(f"HTTP {exc.code}") from None


def parse_quotas(items: list[str]) -> dict[str, int]:
    quotas: dict[str, int] = {}
    for item in items:
        sector, sep, n = item.partition("=")
        if not sep or not n.strip().isdigit():
            raise ValueError(f"--quota {item!r}: write it as 界别=人数, e.g. 市民代表=20")
        quotas[sector.strip()] = int(n)
    return quotas


def summary(record: dict[str, Any]) -> str:
    lines = [f"第 {record['id']} 次抽选 · 种子 {record['seed']}（{record['seed_source']}）· "
             f"代表库 {record['pool']['size']} 人 · 指纹 {record['pool']['fingerprint']}"]
    for person in record["drawn"]:
        lines.append(f"  {person['sector']}\t{person['name']}\t{person.get('seat') or ''}")
    return "\n".join(lines)


def _qt_app():
    from .report_pdf import use_offscreen_without_display

    use_offscreen_without_display()
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(sys.argv[:1])


def run_draw(args) -> int:
    url, token = engine_url(args), operator_token(args, "draw")
    if token is None:
        return 2
    try:
        if args.draw_action == "import":
            path = Path(args.file)
            data = path.read_bytes()
            reply = call(url, token, "POST", "/api/representatives", raw=data,
                         content_type=XLSX if path.suffix.lower() == ".xlsx" else "text/csv")
            print(f"代表库已导入：{reply['size']} 人 · " + "，".join(f"{s} {n}" for s, n in reply["by_sector"].items()))
            print(f"指纹 {reply['fingerprint']}")
        elif args.draw_action == "run":
            body: dict[str, Any] = {"quotas": parse_quotas(args.quota or [])}
            if args.seed is not None:
                body["seed"] = args.seed
            if args.replace:
                body["replace"] = True
            print(summary(call(url, token, "POST", "/api/representatives/draw", body)))
        elif args.draw_action == "show":
            current = call(url, token, "GET", "/api/representatives/draw")["current"]
            print(summary(current) if current else "还没有抽选")
        elif args.draw_action == "cards":
            from .seat_cards import write_seat_cards_pdf

            cards = call(url, token, "POST", "/api/representatives/seats",
                         {"venue": args.venue} if args.venue else {})
            scene = call(url, token, "GET", "/api/scene")
            app = _qt_app()  # noqa: F841 (fonts and PDF need it)
            write_seat_cards_pdf(cards["seats"], args.out, str(scene.get("title") or ""))
            print(f"{len(cards['seats'])} 张座位卡 → {args.out}")
        elif args.draw_action == "list":
            from .draw_pdf import write_draw_list_pdf

            current = call(url, token, "GET", "/api/representatives/draw")["current"]
            if current is None:
                raise EngineRefused("no_draw: no representatives have been drawn yet")
            scene = call(url, token, "GET", "/api/scene")
            app = _qt_app()  # noqa: F841
            write_draw_list_pdf(current, args.out, str(scene.get("title") or ""), str(scene.get("timezone") or "Asia/Shanghai"))
            print(f"抽选名单 → {args.out}")
    except EngineRefused as exc:
        print(f"wenzheng-studio draw: the engine refused: {exc}", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:
        print(f"wenzheng-studio draw: {exc}", file=sys.stderr)
        return 1
    return 0


def add_parser(sub) -> None:
    draw = sub.add_parser("draw", help="评议代表库: import the pool, draw by sector quota, seat cards, the signed list")
    draw.add_argument("--connect", help="engine URL (default http://127.0.0.1:8765)")
    draw.add_argument("--admin-token", help="operator credential (default $WENZHENG_ADMIN_TOKEN)")
    actions = draw.add_subparsers(dest="draw_action", required=True)
    imp = actions.add_parser("import", help="replace the pool with a CSV (UTF-8) or XLSX file: 姓名, 界别[, 手机, 备注]")
    imp.add_argument("file")
    run = actions.add_parser("run", help="draw by quota (refused if a draw exists, unless --replace)")
    run.add_argument("--quota", action="append", metavar="界别=人数", help="one per sector, e.g. --quota 市民代表=20")
    run.add_argument("--seed", help="the seed the notary gives (default: 12 random digits, printed)")
    run.add_argument("--replace", action="store_true", help="replace the current draw (it stays on record)")
    actions.add_parser("show", help="the current draw")
    cards = actions.add_parser("cards", help="issue (once) and print the drawn representatives' seat cards")
    cards.add_argument("--out", required=True, help="PDF file")
    cards.add_argument("--venue", help="venue of their seats (default: the scene's first)")
    lst = actions.add_parser("list", help="the drawn list as the PDF the notary signs")
    lst.add_argument("--out", required=True, help="PDF file")
