"""The report's 群众满意单位评议 pages (seed 004): one page per group — rank, unit, the four parts,
composite, 群众满意单位 — with each unit's hearing score and the representatives it was divided
by; then the hearing scores of units not in the ranking's groups. Drawn on report_pdf's painter.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPen

GOLD = QColor("#f2b705")
# (title, width in points, key); the widths fill the A4 text width (515 pt)
RANKING_TABLE = [("名次", 28, "rank"), ("单位", 121, "unit"), ("满意度测评\n(40%)", 52, "survey"),
                 ("政风建设年\n(20%)", 52, "review"), ("听证评议\n(20%)", 48, "hearing"), ("参加评议\n代表人数", 44, "attending"),
                 ("工作考核\n(20%)", 48, "assessment"), ("总成绩", 50, "composite"), ("群众满意\n单位", 72, "satisfactory")]
RULE = ("总成绩 = 满意度测评×40% + 政风建设年×20% + 听证评议×20% + 工作考核×20%（各项百分制；听证评议分数为"
        "5–20 分，计入总成绩时 ×5 换算为百分制）。各组按总成绩排名，前 40%（四舍五入）为群众满意单位，同分同名次。")


def _figure(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def ranking_groups(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for row in data.get("ranking") or []:
        groups.setdefault(row.get("group", ""), []).append(row)
    return list(groups.items())


def draw_ranking(r, data: dict[str, Any], margin: float, width: float, page_h: float) -> None:
    """`r` is report_pdf.ReportPainter; nothing is drawn when nothing was scored."""
    hearing = {h["unit"]: h for h in data.get("hearing") or []}
    groups = ranking_groups(data)
    ranked = {row["unit"] for _, rows in groups for row in rows}
    for group, rows in groups:
        r.writer.newPage()
        r.y = margin
        r.text(f"群众满意单位评议 · {group or '全部单位'}", 15, True)
        scored = [row for row in rows if row.get("composite") is not None]
        satisfactory = sum(1 for row in rows if row.get("satisfactory"))
        r.text(f"参评单位 {len(rows)} 个，有总成绩 {len(scored)} 个，群众满意单位 {satisfactory} 个", 10,
               colour=QColor("#455a64"))
        r.text(RULE, 8, colour=QColor("#6b7280"))
        r.y += 4

        def header() -> None:
            x = margin
            r.p.fillRect(QRectF(margin, r.y, width, 24), QColor("#eceff1"))
            for title, w, _ in RANKING_TABLE:
                r.cell(x, w, 24, title, 7.5)
                x += w
            r.y += 24
        header()
        for row in rows:
            if r.y + 18 > page_h - margin:
                r.writer.newPage()
                r.y = margin
                header()
            heard = hearing.get(row["unit"]) or {}
            values = {"rank": "—" if row.get("rank") is None else str(row["rank"]), "unit": row["unit"],
                      "survey": _figure(row.get("survey")), "review": _figure(row.get("review")),
                      "hearing": _figure(row.get("hearing")),
                      "attending": "" if heard.get("attending") is None else str(heard["attending"]),
                      "assessment": _figure(row.get("assessment")), "composite": _figure(row.get("composite")),
                      "satisfactory": "群众满意单位" if row.get("satisfactory") else ""}
            if row.get("satisfactory"):
                r.p.fillRect(QRectF(margin - 6, r.y, 3, 18), GOLD)  # in the margin, beside the rank
            x = margin
            for _, w, key in RANKING_TABLE:
                r.cell(x, w, 18, values[key], 8.5 if key in ("unit", "composite") else 8)
                x += w
            r.p.setPen(QPen(QColor("#dfe3e8"), 0.5))
            r.p.drawLine(margin, r.y + 18, margin + width, r.y + 18)
            r.y += 18
    others = [h for h in data.get("hearing") or [] if h["unit"] not in ranked]
    if others:  # heard, but not one of the scene's units: listed so no score goes unreported
        r.y += 10
        r.text("其他听证评议分数（不在参评单位名单中）", 11, True)
        for h in others:
            r.text(f"{h['unit']}：{_figure(h['score'])} 分，参加评议代表 {h.get('attending') or '—'} 人"
                   f"（{h.get('attending_source') or ''}），投票 #{h.get('poll')}", 9)


__all__ = ["draw_ranking", "ranking_groups", "RANKING_TABLE"]
