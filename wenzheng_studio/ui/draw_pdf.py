"""The drawn representatives' list (评议代表抽选名单) as the PDF a notary signs (QPdfWriter).

From the engine's GET /api/representatives/draw: the seed and who gave it, the quotas against
the pool by sector, the pool's size and fingerprint, the time, the drawn by sector with their
seats and tickets, whether it replaced an earlier draw, and lines for the signatures. Every
name is drawn as plain text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPdfWriter, QPen

from .fonts import load_app_fonts
from .pdf import a4_writer
from .report_pdf import GREY, INK, RED, H, M, W, ReportPainter
from .seat_cards import venue_label

SEED_SOURCE = {"given": "公证员给定", "generated": "系统随机生成"}
TABLE = (("序号", 40), ("姓名", 150), ("座位号", 90), ("签号（SHA-256 前 16 位）", 235))
SIGNATURES = ("公证员", "监督员", "抽选操作人")
# Seeds, fingerprints and tickets in a monospace font: easier to compare digit by digit, and the
# bundled Noto Sans SC loses digits that follow Latin letters in the PDF's text layer (copy/search).
MONO = "DejaVu Sans Mono"
MONO_FACTS = ("随机种子", "代表库指纹")


def local_time(t: float | None, timezone: str = "Asia/Shanghai") -> str:
    if not t:
        return "—"
    try:
        zone = ZoneInfo(timezone)
    except Exception:  # an unknown zone name: UTC, said so
        return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    return dt.datetime.fromtimestamp(t, zone).strftime("%Y-%m-%d %H:%M:%S")


class _ListPainter(ReportPainter):
    """ReportPainter with a footer on every page (draw, seed, page n): a page of a signed list
    cannot be swapped for a page of another draw unnoticed."""

    def __init__(self, writer: QPdfWriter, family: str, footer: str):
        super().__init__(writer, family)
        self.footer, self.page = footer, 1

    def need(self, height: float) -> None:
        if self.y + height > H - M:
            self._draw_footer()
            self.page += 1
        super().need(height)

    def _draw_footer(self) -> None:
        self.font(8)
        self.p.setPen(GREY)
        self.p.drawText(QRectF(M, H - M + 8, W - 2 * M, 14), Qt.AlignRight | Qt.AlignTop,
                        f"{self.footer} · 第 {self.page} 页")

    def finish(self) -> None:
        self._draw_footer()
        super().finish()


def seat_text(seat: str | None) -> str:
    """'main-007' → '主会场 007', as the seat card prints it."""
    if not seat:
        return "—"
    venue, sep, number = seat.rpartition("-")
    return f"{venue_label(venue)} {number}" if sep else seat


class _Mono:
    """Draws with the monospace font inside the block (ReportPainter takes its family by name)."""

    def __init__(self, r: ReportPainter):
        self.r, self.family = r, r.family

    def __enter__(self):
        self.r.family = MONO

    def __exit__(self, *exc):
        self.r.family = self.family


def _row(r: ReportPainter, values: tuple[str, ...], h: float = 16, size: float = 9, shade: bool = False) -> None:
    r.need(h)
    if shade:
        r.p.fillRect(QRectF(M, r.y, W - 2 * M, h), QColor("#eceff1"))
    x = M
    for i, ((_, w), value) in enumerate(zip(TABLE, values)):
        if i == len(TABLE) - 1 and not shade:
            with _Mono(r):
                r.cell(x, w, h, value, size)
        else:
            r.cell(x, w, h, value, size)
        x += w
    r.p.setPen(QPen(QColor("#dfe3e8"), 0.5))
    r.p.drawLine(M, r.y + h, W - M, r.y + h)
    r.y += h


def write_draw_list_pdf(record: Mapping[str, Any], path: str | Path, title: str,
                        timezone: str = "Asia/Shanghai") -> None:
    """Writes the list of one draw (a record of GET /api/representatives/draw). Needs a QGuiApplication."""
    if QGuiApplication.instance() is None:
        raise RuntimeError("write_draw_list_pdf needs a QGuiApplication (create one first)")
    if not record or not record.get("drawn"):
        raise ValueError("no draw to print")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    family = load_app_fonts()
    writer = a4_writer(path, f"{title} 评议代表抽选名单")
    r = _ListPainter(writer, family, f"第 {record['id']} 次抽选 · 种子 {record['seed']}")
    try:
        _paint(r, record, title, timezone)
    finally:
        r.finish()


def _paint(r: ReportPainter, d: Mapping[str, Any], title: str, timezone: str) -> None:
    pool = d.get("pool") or {}
    r.text(f"{title}", 12, colour=QColor("#455a64"))
    r.text("听证评议代表随机抽选名单", 20, True)
    if d.get("replaced_by"):
        r.text(f"本次抽选已被第 {d['replaced_by']} 次抽选替换，仅存档，不作为参会名单", 12, True, RED)
    seats = d.get("seats") or {}
    facts = [
        ("抽选编号", f"第 {d['id']} 次" + (f"（替换第 {d['replaces']} 次）" if d.get("replaces") else "")),
        ("抽选时间", local_time(d.get("at"), timezone)),
        ("操作人", str((d.get("actor") or {}).get("name") or "—")),
        ("种子来源", SEED_SOURCE.get(d.get("seed_source"), d.get("seed_source") or "")),
        ("随机种子", str(d["seed"])),
        ("抽选算法", f"{d.get('algorithm', '')}：签号 = SHA-256（种子、界别、姓名、手机号数字，以换行分隔），"
                     "各界别按签号从小到大取名额数（见操作手册）"),
        ("代表库", f"{pool.get('size', 0)} 人，导入于 {local_time(pool.get('imported_at'), timezone)}"),
        ("代表库指纹", str(pool.get("fingerprint") or "")),
        ("座位卡", f"已发放，{local_time(seats.get('issued_at'), timezone)}" if seats else "尚未发放"),
    ]
    r.y += 4
    for key, value in facts:
        r.need(16)
        r.cell(M, 80, 16, key, 9.5, QColor("#455a64"))
        if key in MONO_FACTS:
            with _Mono(r):
                r.text(value, 9.5, x=M + 80, width=W - 2 * M - 80)
        else:
            r.text(value, 9.5, x=M + 80, width=W - 2 * M - 80)
    r.y += 6
    r.text("各界别名额", 13, True)
    available = pool.get("by_sector") or {}
    quota_line = "；".join(f"{s} {n} 人（库中 {available.get(s, '?')} 人）" for s, n in (d.get("quotas") or {}).items())
    r.text(quota_line + f"；合计 {len(d['drawn'])} 人", 10)
    by_sector: dict[str, list[Mapping[str, Any]]] = {}
    for person in d["drawn"]:
        by_sector.setdefault(person["sector"], []).append(person)
    for sector, people in by_sector.items():
        r.y += 6
        r.need(40)
        r.text(f"{sector}（{len(people)} 人）", 12, True)
        _row(r, tuple(name for name, _ in TABLE), 14, 8, shade=True)
        for i, person in enumerate(people, 1):
            _row(r, (str(i), str(person["name"]), seat_text(person.get("seat")), str(person.get("ticket", ""))[:16]))
    r.y += 24
    r.need(40 + 30 * len(SIGNATURES))  # the attestation and its signatures stay on one page
    r.text("以上名单由随机抽选产生，抽选过程经公证人员现场监督。", 10)
    r.y += 16
    for who in SIGNATURES:
        r.need(30)
        r.cell(M, 110, 20, f"{who}（签字）：", 10)
        r.p.setPen(QPen(GREY, 0.8))
        r.p.drawLine(M + 110, r.y + 16, M + 300, r.y + 16)
        r.cell(M + 320, 40, 20, "日期：", 10)
        r.p.setPen(QPen(GREY, 0.8))
        r.p.drawLine(M + 355, r.y + 16, W - M, r.y + 16)
        r.y += 30
    r.p.setPen(INK)
