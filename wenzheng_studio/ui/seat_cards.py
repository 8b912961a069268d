"""Printable seat cards: A4 pages of cards, each with a seat number and its own QR code.

The QR code carries the seat's signed-in voting link (`url` from POST /api/seats), so the
card is the seat's credential: scan it and vote, no typing. A drawn representative's card
(POST /api/representatives/seats: `name`, `sector`) carries the person's name and sector. Drawn with QPdfWriter and
QPainter; the QR modules come from the `qrcode` library's matrix (no Pillow needed).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import qrcode
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPageLayout, QPainter, QPdfWriter, QPen

from .fonts import load_app_fonts
from .pdf import a4_writer

DPI = 300
COLUMNS, ROWS = 2, 4            # 8 cards per A4 page, each about 95 × 69 mm
PAGE_MARGIN_MM = 10.0
CARD_GAP_MM = 0.0               # cards share cut lines: one cut between two cards
BRAND_RED = QColor("#a8071a")


def venue_label(venue: str) -> str:
    """Venue key → what people read: main → 主会场, sub03 → 第3分会场."""
    if venue in ("", "main"):
        return "主会场"
    m = re.fullmatch(r"sub0*(\d+)", venue)
    return f"第{m.group(1)}分会场" if m else venue


def _seat_parts(seat: str) -> tuple[str, str]:
    """'main-007' → ('main', '007'); a seat id without a venue prefix stays whole."""
    venue, sep, number = seat.rpartition("-")
    return (venue, number) if sep else ("main", seat)


def qr_matrix(data: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    qr.add_data(data)
    qr.make(fit=True)
    return qr.get_matrix()


class _Mm:
    """Millimetres → device pixels at the writer's resolution."""

    def __init__(self, dpi: int):
        self.k = dpi / 25.4

    def __call__(self, mm: float) -> float:
        return mm * self.k

    def rect(self, x: float, y: float, w: float, h: float) -> QRectF:
        return QRectF(self(x), self(y), self(w), self(h))


def _font(family: str, size_pt: float, bold: bool = False) -> QFont:
    font = QFont(family)
    font.setPointSizeF(size_pt)
    font.setBold(bold)
    return font


def _draw_qr(p: QPainter, mm: _Mm, x: float, y: float, size: float, data: str) -> None:
    matrix = qr_matrix(data)
    n = len(matrix)
    cell = mm(size) / n
    p.save()
    p.setPen(Qt.NoPen)
    p.setBrush(Qt.black)
    for r, row in enumerate(matrix):
        c = 0
        while c < n:  # one rectangle per horizontal run: smaller PDF, no hairline seams
            if row[c]:
                start = c
                while c < n and row[c]:
                    c += 1
                p.drawRect(QRectF(mm(x) + start * cell, mm(y) + r * cell, (c - start) * cell + 0.5, cell + 0.5))
            else:
                c += 1
    p.restore()


def _draw_card(p: QPainter, mm: _Mm, family: str, x: float, y: float, w: float, h: float,
               seat: Mapping[str, Any], title: str) -> None:
    venue_key, number = _seat_parts(str(seat["seat"]))
    venue = venue_label(str(seat.get("venue") or venue_key))
    pad = 5.0
    # Cut line.
    p.setPen(QPen(QColor("#9e9e9e"), mm(0.2), Qt.DashLine))
    p.setBrush(Qt.NoBrush)
    p.drawRect(mm.rect(x, y, w, h))
    # Title band.
    band = 10.0
    p.fillRect(mm.rect(x + 0.3, y + 0.3, w - 0.6, band), BRAND_RED)
    p.setPen(Qt.white)
    p.setFont(_font(family, 11, bold=True))
    p.drawText(mm.rect(x + pad, y, w - 2 * pad, band), Qt.AlignVCenter | Qt.AlignLeft, title)
    p.setFont(_font(family, 9))
    p.drawText(mm.rect(x + pad, y, w - 2 * pad, band), Qt.AlignVCenter | Qt.AlignRight, "座位投票卡")
    # QR code on the left, the seat on the right.
    qr_size = h - band - 2 * pad
    qr_x, qr_y = x + pad, y + band + pad
    _draw_qr(p, mm, qr_x, qr_y, qr_size, str(seat["url"]))
    text_x = qr_x + qr_size + 4
    text_w = x + w - pad - text_x
    p.setPen(QColor("#595959"))
    p.setFont(_font(family, 10))
    p.drawText(mm.rect(text_x, qr_y, text_w, 6), Qt.AlignLeft | Qt.AlignVCenter, venue)
    p.setPen(Qt.black)
    p.setFont(_font(family, 9))
    p.drawText(mm.rect(text_x, qr_y + 7, text_w, 5), Qt.AlignLeft | Qt.AlignVCenter, "座位号")
    p.setFont(_font(family, 30, bold=True))
    p.drawText(mm.rect(text_x, qr_y + 11, text_w, 15), Qt.AlignLeft | Qt.AlignVCenter, number)
    name = str(seat.get("name") or "")
    if name:  # a drawn representative's card (评议代表): the person's name and sector instead of the hint
        _draw_fitted(p, mm, family, text_x, qr_y + 27, text_w, 9, name, 16)
        p.setPen(QColor("#595959"))
        p.setFont(_font(family, 9))
        p.drawText(mm.rect(text_x, qr_y + 36, text_w, 5), Qt.AlignLeft | Qt.AlignVCenter, str(seat.get("sector") or ""))
        footer = f"{seat['seat']} · 仅限本人使用"
    else:
        p.setPen(QColor("#262626"))
        p.setFont(_font(family, 9))
        p.drawText(mm.rect(text_x, qr_y + 28, text_w, 15), Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap,
                   "用手机扫码即可投票\n微信扫一扫亦可")
        footer = f"{seat['seat']} · 本卡仅限本座位使用，请勿外传"
    p.setPen(QColor("#8c8c8c"))
    p.setFont(_font(family, 7))
    p.drawText(mm.rect(text_x, y + h - pad - 8, text_w, 8), Qt.AlignLeft | Qt.AlignBottom | Qt.TextWordWrap, footer)


def _draw_fitted(p: QPainter, mm: _Mm, family: str, x: float, y: float, w: float, h: float, text: str,
                 size_pt: float) -> None:
    """One line of bold text, shrunk until it fits the width (a long name is never cut)."""
    size = size_pt
    while size > 7:
        p.setFont(_font(family, size, bold=True))
        if p.fontMetrics().horizontalAdvance(text) <= mm(w):
            break
        size -= 1
    p.setPen(Qt.black)
    p.drawText(mm.rect(x, y, w, h), Qt.AlignLeft | Qt.AlignVCenter, text)


def write_seat_cards_pdf(seats: Iterable[Mapping[str, Any]], path: str | Path, title: str) -> int:
    """Writes the cards for `seats` (the list from POST /api/seats) to a PDF; returns the page count.

    Needs a running QGuiApplication (the control room has one) for fonts and painting.
    """
    return _write(seats, path, title)


def _write(seats: Iterable[Mapping[str, Any]], path: str | Path, title: str) -> int:
    seats = list(seats)
    if not seats:
        raise ValueError("no seats to print")
    for s in seats:
        if not s.get("seat") or not s.get("url"):
            raise ValueError(f"each seat needs 'seat' and 'url': {s!r}")
    if QGuiApplication.instance() is None:
        raise RuntimeError("write_seat_cards_pdf needs a QGuiApplication (create one first)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)

    family = load_app_fonts()
    writer = a4_writer(path, f"{title} · 座位投票卡", DPI, QPageLayout.Millimeter)
    pages = _paint(writer, seats, title, family)
    del writer  # finishes the file
    return pages


def _paint(writer: QPdfWriter, seats: list[Mapping[str, Any]], title: str, family: str) -> int:
    mm = _Mm(DPI)
    card_w = (210.0 - 2 * PAGE_MARGIN_MM - (COLUMNS - 1) * CARD_GAP_MM) / COLUMNS
    card_h = (297.0 - 2 * PAGE_MARGIN_MM - (ROWS - 1) * CARD_GAP_MM) / ROWS
    per_page = COLUMNS * ROWS
    pages = 0
    painter = QPainter(writer)
    try:
        painter.setRenderHint(QPainter.Antialiasing, False)  # crisp QR modules
        painter.setRenderHint(QPainter.TextAntialiasing, True)
        for i, seat in enumerate(seats):
            slot = i % per_page
            if slot == 0:
                if pages:
                    writer.newPage()
                pages += 1
            col, row = slot % COLUMNS, slot // COLUMNS
            x = PAGE_MARGIN_MM + col * (card_w + CARD_GAP_MM)
            y = PAGE_MARGIN_MM + row * (card_h + CARD_GAP_MM)
            _draw_card(painter, mm, family, x, y, card_w, card_h, seat, title)
    finally:
        painter.end()
    return pages

