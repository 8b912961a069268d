"""The venue board (三民): each venue's result for the poll, a stacked bar per venue, and the
total of the venues. Painted in design pixels like painters.py; assets/web/venue_board.js
draws the same board from the same numbers (keep the two in step).

Thirteen venues (a main venue and twelve sub-venues) fit 1920x1080 inside the action-safe
area with every name whole (52 px rows); more venues take lower rows and smaller type, and
the board never leaves the safe area (thirty venues: 24 px rows, 12 px type).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor

from . import style as S
from .painters import Stage, wiped

# Left column, under the show bug and beside the timer and QR columns (which stay free).
BOARD = QRectF(96, 170, 1304, 856)
HEAD_H, FOOT_H = 76.0, 52.0
ROW_MAX = 64.0
NAME_W, BALLOTS_W = 270.0, 170.0
MIN_SHARE_TEXT_W = 92.0  # a segment narrower than this carries no figure (the legend names it)

# One colour per choice, none of them near the key green (#00B140): gold, blue, red first, so
# 满意 / 基本满意 / 不满意 read at a glance; a rating4's 一般 is grey.
PALETTE = ("#F2B705", "#4F9DE0", "#E0475B", "#F08A24", "#9B6BD6", "#C9D6E8",
           "#F27BB5", "#A0672F", "#7F8FA6", "#FFE08A", "#B0303F", "#2F5FA8")
RATING4 = ("#F2B705", "#4F9DE0", "#9AA7B8", "#E0475B")
DARK_INK = QColor("#1A1200")


def choice_colours(kind: str | None, n: int) -> list[QColor]:
    base = RATING4 if kind == "rating4" and n == 4 else PALETTE
    return [QColor(base[i % len(base)]) for i in range(n)]


def ink_on(colour: QColor) -> QColor:
    """Dark figures on a bright segment (gold), white on a dark one (perceived brightness)."""
    luma = 0.299 * colour.redF() + 0.587 * colour.greenF() + 0.114 * colour.blueF()
    return DARK_INK if luma > 0.6 else S.WHITE


def board_layout(rows: int) -> tuple[float, float]:
    """(row height, board height) for `rows` venue rows plus the total row."""
    body = BOARD.height() - HEAD_H - FOOT_H
    row_h = min(ROW_MAX, body / (rows + 1))
    return row_h, HEAD_H + row_h * (rows + 1) + FOOT_H


def paint_venue_board(st: Stage, board: dict[str, Any], amount: float) -> None:
    rows, total = board["rows"], board["total"]
    choices = board.get("choices") or []
    colours = choice_colours(board.get("kind"), len(choices))
    row_h, height = board_layout(len(rows))
    r = QRectF(BOARD.left(), BOARD.top(), BOARD.width(), height)
    with wiped(st, r, amount) as on:
        if not on:
            return
        head = QRectF(r.left(), r.top(), r.width(), HEAD_H)
        st.box(head, S.RED)
        right = f"{len(rows)} 个会场 · 共 {total['ballots']:,} 票"
        used = st.text(head.adjusted(24, 0, -24, 0), right, 28, S.WHITE, align=Qt.AlignRight | Qt.AlignVCenter)
        st.text(head.adjusted(24, 0, -48 - used, 0), f"分会场结果 · {board.get('title') or ''}", 34, S.WHITE,
                bold=True)
        body = QRectF(r.left(), head.bottom(), r.width(), row_h * (len(rows) + 1))
        st.box(body, S.NAVY)
        px = int(max(12, min(30, row_h * 0.5)))
        for i, row in enumerate([*rows, total]):
            top = body.top() + i * row_h
            is_total = row is total
            if is_total:
                st.box(QRectF(r.left(), top, r.width(), row_h), S.NAVY_DARK)
                st.box(QRectF(r.left(), top, r.width(), 3), S.GOLD)
            elif i % 2:
                st.box(QRectF(r.left(), top, r.width(), row_h), QColor("#12325C"))
            _paint_row(st, r, top, row_h, row, choices, colours, px, is_total)
        foot = QRectF(r.left(), body.bottom(), r.width(), FOOT_H)
        st.box(foot, S.NAVY_DARK)
        _paint_legend(st, foot, choices, colours)
        status = "投票进行中" if board.get("state") == "open" else "投票已结束"
        st.text(foot.adjusted(28, 0, -28, 0), status, 24, S.GOLD_LIGHT, bold=True, align=Qt.AlignRight | Qt.AlignVCenter)


def _paint_row(st: Stage, r: QRectF, top: float, row_h: float, row: dict[str, Any], choices: list[dict[str, Any]],
               colours: list[QColor], px: int, is_total: bool) -> None:
    st.text(QRectF(r.left() + 28, top, NAME_W - 36, row_h), row["name"], px, S.GOLD_LIGHT if is_total else S.WHITE,
            bold=True)
    track = QRectF(r.left() + NAME_W, top + row_h * 0.18, r.width() - NAME_W - BALLOTS_W - 20, row_h * 0.64)
    st.text(QRectF(track.right() + 10, top, BALLOTS_W - 10, row_h), f"{row['ballots']:,} 票", px, S.LIGHT,
            align=Qt.AlignRight | Qt.AlignVCenter)
    st.box(track, S.TRACK, 4)
    if not row["ballots"]:
        st.text(track, "尚无选票", max(12, px - 4), S.LIGHT, align=Qt.AlignCenter)
        return
    x = track.left()
    for choice, colour in zip(choices, colours):
        share = row["shares"].get(choice.get("key")) or 0.0
        w = track.width() * share / 100
        if w <= 0:
            continue
        seg = QRectF(x, track.top(), min(w, track.right() - x), track.height())
        st.box(seg, colour)
        if w >= MIN_SHARE_TEXT_W:
            st.text(seg.adjusted(6, 0, -6, 0), f"{share:.1f}%", max(12, px - 4), ink_on(colour), bold=True,
                    align=Qt.AlignCenter)
        x += w


def _paint_legend(st: Stage, foot: QRectF, choices: list[dict[str, Any]], colours: list[QColor]) -> None:
    """The choices' colours, left to right as the segments run; shrinks to leave the status room."""
    room = foot.width() - 56 - 190
    each = room / max(1, len(choices))
    x = foot.left() + 28
    for choice, colour in zip(choices, colours):
        st.box(QRectF(x, foot.top() + (FOOT_H - 20) / 2, 20, 20), colour, 3)
        st.text(QRectF(x + 28, foot.top(), each - 40, FOOT_H), str(choice.get("label") or choice.get("key")),
                24, S.LIGHT)
        x += each
