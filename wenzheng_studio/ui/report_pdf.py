"""The after-show report: a PDF with charts (QPdfWriter + QPainter) and a CSV, from the
engine's public views. `wenzheng-studio report --connect URL --admin-token T --out DIR`,
or the button on the review desk. All viewer text is drawn with drawText: plain text.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPdfWriter, QPen

from ..core.report import mmss, report_csv, report_data, review_actors
from ..paths import user_data_dir
from .fonts import load_app_fonts
from .pdf import a4_writer
from .operator_app import engine_url, operator_token
from .report_ranking import draw_ranking

W, H, M = 595.0, 842.0, 40.0  # A4 in points at 72 dpi, margin
INK, GREY, BLUE, RED, GREEN = QColor("#1d2330"), QColor("#b0b7c3"), QColor("#1565c0"), QColor("#c62828"), QColor("#2e7d32")


class ReportPainter:
    """Page-flowing helpers over one QPainter at 72 dpi (1 unit = 1 point)."""

    def __init__(self, writer: QPdfWriter, family: str):
        self.writer, self.family = writer, family
        self.p = QPainter(writer)
        self.y = M

    def font(self, size: float, bold: bool = False) -> None:
        f = QFont(self.family)
        f.setPointSizeF(size)
        f.setBold(bold)
        self.p.setFont(f)

    def need(self, height: float) -> None:
        if self.y + height > H - M:
            self.writer.newPage()
            self.y = M

    def text(self, text: str, size: float = 10, bold: bool = False, colour: QColor = INK, height: float | None = None,
             x: float = M, width: float = W - 2 * M) -> None:
        self.font(size, bold)
        rect = self.p.boundingRect(QRectF(x, 0, width, 10000), Qt.TextWordWrap, text)
        h = height or rect.height() + 4
        self.need(h)
        self.p.setPen(colour)
        self.p.drawText(QRectF(x, self.y, width, h), Qt.TextWordWrap, text)
        self.y += h

    def cell(self, x: float, w: float, h: float, text: str, size: float = 7.5, colour: QColor = INK) -> None:
        self.font(size)
        self.p.setPen(colour)
        self.p.drawText(QRectF(x + 2, self.y + 1, w - 4, h - 2), Qt.TextWordWrap | Qt.AlignTop, text)

    def bar(self, x: float, y: float, w: float, h: float, colour: QColor) -> None:
        self.p.fillRect(QRectF(x, y, max(w, 0.5), h), colour)

    def finish(self) -> None:
        self.p.end()


def draw_segments(r: ReportPainter, data: dict[str, Any]) -> None:
    r.text("各环节计划与实际时长", 13, True)
    segs = data["segments"]
    longest = max([s["planned_s"] for s in segs] + [s["actual_s"] for s in segs] + [1])
    label_w, chart_w, row_h = 90.0, W - 2 * M - 90 - 60, 22.0
    for s in segs:
        r.need(row_h)
        r.cell(M, label_w, row_h, s["title"], 9)
        x0 = M + label_w
        r.bar(x0, r.y + 3, chart_w * s["planned_s"] / longest, 7, GREY)
        over = s["actual_s"] > s["planned_s"]
        r.bar(x0, r.y + 11, chart_w * s["actual_s"] / longest, 7, RED if over else BLUE)
        r.cell(x0 + chart_w + 4, 60, row_h, f"{mmss(s['planned_s'])} / {mmss(s['actual_s'])}", 8,
               RED if over else INK)
        r.y += row_h
    r.text("灰：计划　蓝：实际（红：超时）", 8, colour=QColor("#6b7280"))


def draw_polls(r: ReportPainter, data: dict[str, Any]) -> None:
    r.y += 10
    r.text("投票结果", 13, True)
    if not data["polls"]:
        r.text("本期没有投票。", 10)
    for poll in data["polls"]:
        r.need(40)
        unit = f"【{poll['unit']}】" if poll.get("unit") else ""
        r.text(f"#{poll['id']} {unit}{poll['title']}（{poll['kind']}，{poll['ballots']} 票）", 10, True)
        most = max([c["total"] for c in poll["choices"]] + [1])
        chart_w = W - 2 * M - 90 - 84
        for c in poll["choices"]:
            r.need(16)
            r.cell(M, 90, 16, c["label"], 9)
            x0 = M + 90
            r.bar(x0, r.y + 3, chart_w * c["studio"] / most, 10, BLUE)
            r.bar(x0 + chart_w * c["studio"] / most, r.y + 3, chart_w * c["remote"] / most, 10, QColor("#64b5f6"))
            raw = "—" if c.get("raw_pct") is None else f"{c['raw_pct']:.0f}%"
            weighted = "" if c.get("combined_pct") is None else f" 加权 {c['combined_pct']:.1f}%"
            r.cell(x0 + chart_w + 4, 80, 16, f"{c['total']} 票 {raw}{weighted}", 8)
            r.y += 16
        if poll.get("venues"):
            draw_venue_table(r, poll)
        r.y += 6
    if data["polls"]:
        weights = data.get("weights") or {}
        r.text(f"深蓝：现场　浅蓝：场外　加权：播出时的合计占比（现场 {weights.get('studio', 0.5):g} : "
               f"场外 {weights.get('remote', 0.5):g}）", 8, colour=QColor("#6b7280"))


VENUE_ROW_H = 12.0


def draw_venue_table(r: ReportPainter, poll: dict[str, Any]) -> None:
    """三民: the department's result by venue — ballots, then each choice's ballots and share."""
    board = poll["venues"]
    choices = board["choices"]
    rows = [*board["rows"], board["total"], *([board["remote"]] if board.get("remote") else [])]
    name_w, ballots_w = 110.0, 40.0
    col_w = (W - 2 * M - name_w - ballots_w) / max(1, len(choices))
    r.y += 4

    def header() -> None:
        r.p.fillRect(QRectF(M, r.y, W - 2 * M, VENUE_ROW_H), QColor("#eceff1"))
        r.cell(M, name_w, VENUE_ROW_H, f"#{poll['id']} 分会场结果", 7.5)
        r.cell(M + name_w, ballots_w, VENUE_ROW_H, "票数", 7.5)
        for i, c in enumerate(choices):
            r.cell(M + name_w + ballots_w + i * col_w, col_w, VENUE_ROW_H, f"{c['label']} 票数（占比）", 7.5)
        r.y += VENUE_ROW_H

    r.need(VENUE_ROW_H * 3)
    header()
    for row in rows:
        if r.y + VENUE_ROW_H > H - M:
            r.writer.newPage()
            r.y = M
            header()
        total = row["key"] == "total"
        if total:
            r.p.setPen(QPen(GREY, 0.5))
            r.p.drawLine(M, r.y, W - M, r.y)
        colour = BLUE if total else INK
        r.cell(M, name_w, VENUE_ROW_H, row["name"], 7.5, colour)
        r.cell(M + name_w, ballots_w, VENUE_ROW_H, str(row["ballots"]), 7.5, colour)
        for i, c in enumerate(choices):
            share = row["shares"].get(c["key"])
            text = f"{row['counts'].get(c['key'], 0)}（{'—' if share is None else f'{share:.1f}%'}）"
            r.cell(M + name_w + ballots_w + i * col_w, col_w, VENUE_ROW_H, text, 7.5, colour)
        r.y += VENUE_ROW_H


QUESTION_TABLE = [("编号", 28, "id"), ("来源", 28, "source"), ("状态", 36, "state"), ("问题", 128, "text"),
                  ("审核路径与经手人", 118, "path"), ("播出", 38, "on_air"), ("答复", 56, "answer"), ("转办/结果", 83, "followup")]


def who_did(q: dict[str, Any]) -> str:
    """初审 张三（热线导播） · 终审 李四（审核） · 播出 导演 — from the history's actors."""
    actors = q.get("actors") or {}
    steps = [(label, actors.get(key)) for label, key in (("初审", "screened_by"), ("终审", "approved_by"),
                                                         ("播出", "aired_by"))]
    text = " · ".join(f"{label} {name}" for label, name in steps if name)
    if actors.get("override"):
        text += "（导演越过四眼原则终审）"
    return text


def draw_questions(r: ReportPainter, data: dict[str, Any]) -> None:
    r.writer.newPage()
    r.y = M
    r.text(f"问题清单（共 {len(data['questions'])} 条）", 13, True)

    def header() -> None:
        x = M
        r.p.fillRect(QRectF(M, r.y, W - 2 * M, 14), QColor("#eceff1"))
        for title, w, _ in QUESTION_TABLE:
            r.cell(x, w, 14, title, 8)
            x += w
        r.y += 14
    header()
    for q in data["questions"]:
        text = q["air_text"] or q["text"]
        if q["count"] > 1:
            text += f"（{q['count']} 人次）"
        values = {"id": f"#{q['id']}", "source": q["source"], "state": q["state"], "text": text,
                  "path": "\n".join(x for x in (q["path"], who_did(q)) if x), "on_air": q["on_air"],
                  "answer": f"{q['answered_by']} {q['role']}".strip(),
                  "followup": " ".join(x for x in (q["refer_unit"], q["due"], q["result"], q["satisfaction"], q["reason"]) if x)}
        r.font(7.5)
        h = max(r.p.boundingRect(QRectF(0, 0, w - 4, 1000), Qt.TextWordWrap, values[key]).height()
                for _, w, key in QUESTION_TABLE) + 4
        h = min(h, 120)
        if r.y + h > H - M:
            r.writer.newPage()
            r.y = M
            header()
        x = M
        for _, w, key in QUESTION_TABLE:
            r.cell(x, w, h, values[key])
            x += w
        r.p.setPen(QPen(QColor("#dfe3e8"), 0.5))
        r.p.drawLine(M, r.y + h, W - M, r.y + h)
        r.y += h


def write_report(data: dict[str, Any], pdf_path: Path, csv_path: Path | None = None) -> None:
    """Needs a QGuiApplication. Writes the PDF (and the CSV when a path is given)."""
    family = load_app_fonts()
    writer = a4_writer(pdf_path, f"{data['title']} 节目报告")
    r = ReportPainter(writer, family)
    if data.get("rehearsal"):  # a rehearsal's figures must never pass for the live record
        r.text("彩排 REHEARSAL · 非正式结果", 16, True, RED)
    r.text(f"{data['title']} · 节目报告", 20, True)
    r.text(f"开播 {data['started'] or '未开播'} · 计划 {mmss(data['planned_total_s'])} · 实际 {mmss(data['actual_total_s'])}"
           f" · 生成于 {data.get('generated') or time.strftime('%Y-%m-%d %H:%M')}", 10, colour=QColor("#455a64"))
    for gap in data.get("interruptions") or []:
        r.text(f"节目于 {gap['ended']} 误结束，{gap['resumed']} 恢复直播（间隔 {mmss(gap['gap_s'])}）", 10, colour=RED)
    hr = data["head_rate"]
    if hr["rate"] is None:
        line, colour = f"一把手答复率：本期无现场答复（目标 ≥ {hr['target']:.0%}）", INK
    else:
        line = f"一把手答复率 {hr['rate']:.0%}（{hr['by_head']}/{hr['answered']}，目标 ≥ {hr['target']:.0%}）"
        colour = GREEN if hr["rate"] >= hr["target"] else RED
    r.y += 6
    r.text(line, 15, True, colour)
    src = data["sources"]
    r.text(f"问题来源：网络 {src.get('web', 0)} · 热线 {src.get('hotline', 0)} · 现场 {src.get('studio', 0)}", 10)
    r.y += 8
    draw_segments(r, data)
    draw_polls(r, data)
    draw_questions(r, data)
    draw_ranking(r, data, M, W - 2 * M, H)  # 群众满意单位评议: a page per group, when anything was scored
    r.finish()
    if csv_path is not None:
        csv_path.write_text(report_csv(data), encoding="utf-8")


# --- gathering the data ------------------------------------------------------------------
REPORT_SOURCES = (("scene", "/api/scene"), ("state", "/api/state"), ("polls", "/api/polls"), ("questions", "/api/questions"),
                  ("ranking", "/api/ranking"))
OPTIONAL_SOURCES = ("ranking",)  # an engine from before the ranking answers 404: the report goes without it


def build(parts: dict[str, Any]) -> dict[str, Any]:
    questions = parts["questions"].get("questions", [])
    data = report_data(parts["scene"], parts["state"], parts["polls"].get("polls", []), questions,
                       ranking=parts.get("ranking"))
    by_id = {q.get("id"): q for q in questions}
    for row in data["questions"]:  # who screened, approved and aired it (the history's actors)
        row.setdefault("actors", review_actors(by_id.get(row["id"]) or {}))
    return data


def fetch_parts(url: str, token: str) -> dict[str, Any]:
    parts = {}
    for name, path in REPORT_SOURCES:
        req = urllib.request.Request(url.rstrip("/") + path, headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(req, timeout=15) as reply:
                parts[name] = json.loads(reply.read())
        except urllib.error.HTTPError as exc:
            if name not in OPTIONAL_SOURCES or exc.code != 404:
                raise
            parts[name] = None
    return parts


def default_out_dir() -> Path:
    return user_data_dir() / "reports"


def output_paths(out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return out_dir / f"wenzheng-report-{stamp}.pdf", out_dir / f"wenzheng-report-{stamp}.csv"


def collect_and_write(bridge, on_done: Callable[[str], None], out_dir: Path | None = None) -> None:
    """The button's path: gathers the four views through the bridge (GUI thread callbacks)."""
    parts: dict[str, Any] = {}

    def got(name: str, reply) -> None:
        if not reply.ok and name not in OPTIONAL_SOURCES:
            on_done(f"报告未生成：{reply.error}")
            return
        parts[name] = reply.body if reply.ok else None
        if len(parts) == len(REPORT_SOURCES):
            pdf, csv = output_paths(out_dir or default_out_dir())
            try:
                write_report(build(parts), pdf, csv)
            except OSError as exc:
                on_done(f"报告未生成：{exc}")
                return
            on_done(f"报告已生成：{pdf}")

    for name, path in REPORT_SOURCES:
        bridge.request("GET", path, None, lambda reply, name=name: got(name, reply))


def use_offscreen_without_display() -> None:
    """A report needs no screen: on a machine without one (a server, an SSH session), Qt's
    default platform would abort; the offscreen platform draws the PDF just the same."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"


def run_report(args) -> int:
    url, token = engine_url(args), operator_token(args, "report")
    if token is None:
        return 2
    try:
        parts = fetch_parts(url, token)
    except OSError as exc:
        print(f"wenzheng-studio report: cannot read the show from {url}: {exc}", file=sys.stderr)
        return 1
    use_offscreen_without_display()
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts and PDF need it)
    pdf, csv = output_paths(Path(getattr(args, "out", None) or default_out_dir()))
    write_report(build(parts), pdf, csv)
    print(pdf)
    print(csv)
    return 0
