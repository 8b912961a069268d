"""The ranking board (群众满意单位评议, seed 004): one group's units in rank order, painted in
design pixels. assets/web/ranking-board.js/css draw the same board on the /overlay page with
the same boxes; keep the two in step.

Its own module because the board is a graphic of its own (its box, its rows, its columns); the
model decides when it shows (model.py, element "ranking"), this paints it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRectF, Qt

from . import style as S
from .painters import Stage, wiped

BOARD = QRectF(96, 240, 1728, 786)  # below the bug and the timer, down to the action-safe bottom
HEAD_H, COLUMNS_H, FOOT_H = 84.0, 46.0, 44.0
ROW_MAX_H = 56.0
# Columns: x from the board's left edge, and width.
RANK, UNIT, HEARING, COMPOSITE, MARK = (20, 100), (140, 870), (1030, 220), (1270, 220), (1510, 200)
TITLE = "群众满意单位评议结果"
RULE = "总成绩 = 满意度测评×40% + 政风建设年×20% + 听证评议×20% + 工作考核×20%"
MARK_TEXT = "群众满意单位"


def board_rows(n: int) -> float:
    """The height of one unit's row for a group of n units: the board never outgrows BOARD."""
    room = BOARD.height() - HEAD_H - COLUMNS_H - FOOT_H
    return min(ROW_MAX_H, room / max(1, n))


def board_height(n: int) -> float:
    return HEAD_H + COLUMNS_H + board_rows(n) * n + FOOT_H


def figure(value: Any) -> str:
    return "—" if value is None else f"{float(value):.2f}"


def board_title(board: dict[str, Any]) -> str:
    group = str(board.get("group") or "")
    return f"{group} · {TITLE}" if group else TITLE


def board_note(board: dict[str, Any]) -> str:
    note = f"前40%为{MARK_TEXT}（{int(board.get('quota') or 0)}个）"
    return note if board.get("complete", True) else note + " · 部分单位成绩待定"


def _column(r: QRectF, col: tuple[int, int], top: float, height: float) -> QRectF:
    return QRectF(r.left() + col[0], top, col[1], height)


def paint_ranking_board(st: Stage, board: dict[str, Any], amount: float) -> None:
    units = list(board.get("units") or [])
    r = QRectF(BOARD.left(), BOARD.top(), BOARD.width(), board_height(len(units)))
    with wiped(st, r, amount) as on:
        if not on:
            return
        head = QRectF(r.left(), r.top(), r.width(), HEAD_H)
        st.box(head, S.RED)
        used = st.text(head.adjusted(28, 0, -28, 0), board_note(board), 26, S.WHITE,
                       align=Qt.AlignRight | Qt.AlignVCenter)
        st.text(head.adjusted(28, 0, -56 - used, 0), board_title(board), 42, S.WHITE, bold=True)
        columns = QRectF(r.left(), head.bottom(), r.width(), COLUMNS_H)
        st.box(columns, S.NAVY_DARK)
        for col, words, align in ((RANK, "名次", Qt.AlignHCenter), (UNIT, "单位", Qt.AlignLeft),
                                  (HEARING, "听证评议", Qt.AlignRight), (COMPOSITE, "总成绩", Qt.AlignRight),
                                  (MARK, "评议结果", Qt.AlignHCenter)):
            st.text(_column(r, col, columns.top(), COLUMNS_H), words, 24, S.LIGHT, align=align | Qt.AlignVCenter)
        row_h = board_rows(len(units))
        px = int(min(34, row_h * 0.66))
        for i, unit in enumerate(units):
            top = columns.bottom() + i * row_h
            row = QRectF(r.left(), top, r.width(), row_h)
            st.box(row, S.NAVY if i % 2 == 0 else S.TRACK)
            satisfactory = bool(unit.get("satisfactory"))
            if satisfactory:
                st.box(QRectF(r.left(), top, 10, row_h), S.GOLD)
            rank = unit.get("rank")
            st.text(_column(r, RANK, top, row_h), "—" if rank is None else str(rank), px, S.GOLD_LIGHT, bold=True,
                    align=Qt.AlignHCenter | Qt.AlignVCenter)
            st.text(_column(r, UNIT, top, row_h), str(unit.get("unit") or ""), px, S.WHITE, bold=satisfactory,
                    two_lines=True)
            st.text(_column(r, HEARING, top, row_h), figure(unit.get("hearing")), px, S.LIGHT,
                    align=Qt.AlignRight | Qt.AlignVCenter)
            st.text(_column(r, COMPOSITE, top, row_h), figure(unit.get("composite")), px, S.WHITE, bold=True,
                    align=Qt.AlignRight | Qt.AlignVCenter)
            if satisfactory:
                tag = _column(r, MARK, top, row_h).adjusted(8, row_h * 0.14, -8, -row_h * 0.14)
                st.box(tag, S.GOLD, 6)
                st.text(tag.adjusted(6, 0, -6, 0), MARK_TEXT, int(px * 0.8), S.INK, bold=True, align=Qt.AlignCenter)
        foot = QRectF(r.left(), r.bottom() - FOOT_H, r.width(), FOOT_H)
        st.box(foot, S.NAVY_DARK)
        st.text(foot.adjusted(28, 0, -28, 0), RULE, 22, S.LIGHT)


__all__ = ["BOARD", "board_height", "board_rows", "paint_ranking_board"]
