"""The poll's tally by venue (三民): one row per venue — its name, ballots, each choice's share —
and the total of the venues; phones (场外) in a row of their own when any voted. Where the rows
do not fit the height (a 1366x768 screen), the venues run on in a second block beside the first
(short names: 市南区 for 市南区分会场; compact, whole percents and two-character headings, the
whole wording in their tooltips), so all thirteen and the total stay in view.

Built from core/venues.py venue_results, the same rows the overlay's venue board and the
report show. Items are plain text (no markup), updated in place as tallies arrive.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QSizePolicy, QTableWidget, QTableWidgetItem

from ...core.venues import venue_results
from ..fonts import app_font
from .style import DIM, TEXT

SUM_COLOUR = "#ffd34d"
MARGIN = 6  # px of a cell's width Qt keeps beside its text (its item margins)


class VenueTable(QTableWidget):
    def __init__(self, tr, parent=None):
        super().__init__(parent)
        self.tr_ = tr
        self.compact = False
        self.venues: list[str] = []
        self.names: dict[str, str] = {}
        self._shape: tuple = ()
        self.blocks = 1  # venue blocks side by side
        self._poll: dict[str, Any] | None = None
        self.rows_shown: list[list[str]] = []  # the cells' texts, row by row (tests read them)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.NoSelection)
        self.setFocusPolicy(Qt.NoFocus)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setShowGrid(False)
        self.verticalHeader().setVisible(False)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setFont(app_font(14))
        self.horizontalHeader().setFont(app_font(13))
        self.setMinimumHeight(60)
        head = self.horizontalHeader()
        head.setHighlightSections(False)
        head.setMinimumSectionSize(36)
        self.compact = False

    def set_scene(self, scene: dict[str, Any]) -> None:
        self.venues = [str(v) for v in scene.get("venues") or []]
        names = scene.get("venue_names")
        self.names = {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}

    def set_compact(self, on: bool) -> None:
        if on != self.compact:
            self.compact = on
            self._shape = ()  # headings and figures change width
            self.show_poll(self._poll)
        self._fit_rows()

    def row_height(self) -> int:
        # CJK line spacing is generous (1.45 em): a table row needs about 1.2 em
        return round(self.fontMetrics().height() * 0.82) + (2 if self.compact else 6)

    def _fit_rows(self) -> None:
        """Rows as low as the type allows: thirteen venues and the total in view at 1366x768."""
        h = self.row_height()
        self.verticalHeader().setMinimumSectionSize(h)
        self.verticalHeader().setDefaultSectionSize(h)
        for i in range(self.rowCount()):
            self.setRowHeight(i, h)
        self._choose_blocks()

    def _choose_blocks(self) -> None:
        """One block when every row fits the height, else two side by side."""
        entries = len(self._shape[1]) if self._shape else 0
        room = self.height() - self.horizontalHeader().height() - 2 * self.frameWidth()
        blocks = 1 if entries * self.row_height() <= room else 2
        if blocks != self.blocks:
            self.blocks = blocks
            self._shape = ()
            self.show_poll(self._poll)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._choose_blocks()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:  # the window's compact scaling
            self._fit_rows()

    def show_poll(self, poll: dict[str, Any] | None) -> None:
        self._poll = poll
        board = venue_results(poll or {}, self.venues, self.names)
        choices = board["choices"]
        rows = list(board["rows"])
        if board["total"] is not None:
            rows.append(board["total"])
        if board["remote"] is not None:
            rows.append(board["remote"])
        shape = (tuple((c.get("key"), c.get("label")) for c in choices), tuple(r["key"] for r in rows))
        if shape != self._shape:
            self._shape = shape
            self._build(choices, rows)
        texts = []
        width = 2 + len(choices)
        per_block = self.rowCount()
        digits = 0 if self.narrow() else 1
        for i, row in enumerate(rows):
            name = short_name(row["name"]) if self.blocks > 1 else row["name"]
            cells = [name, str(row["ballots"])]
            cells += [percent(row, c["key"], digits) for c in choices]
            r, offset = i % per_block, (i // per_block) * width
            for col, text in enumerate(cells):
                item = self.item(r, offset + col)
                if item.text() != text:
                    item.setText(text)
                if col == 0:
                    item.setToolTip(row["name"] if name != row["name"] else "")
            texts.append([row["name"], *cells[1:]])
        self.rows_shown = texts

    def text_room(self, col: int) -> int:
        """The width a cell of column `col` has for its text (less Qt's margins)."""
        return self.columnWidth(col) - MARGIN

    def narrow(self) -> bool:
        """Two blocks on a compact screen: every character of width counts."""
        return self.blocks > 1 and self.compact

    def _build(self, choices: list[dict[str, Any]], rows: list[dict[str, Any]]) -> None:
        one = [self.tr_("会场"), self.tr_("票数"), *(str(c.get("label") or c.get("key")) for c in choices)]
        per_block = -(-len(rows) // self.blocks)
        self.clear()
        self.setColumnCount(len(one) * self.blocks)
        self.setRowCount(per_block)
        for col in range(len(one) * self.blocks):
            words = one[col % len(one)]
            item = QTableWidgetItem(words[:2] if self.narrow() else words)
            item.setToolTip(words)
            self.setHorizontalHeaderItem(col, item)
        head = self.horizontalHeader()
        for col in range(len(one) * self.blocks):
            # names and ballots as wide as their text; the shares share what is left
            head.setSectionResizeMode(col, QHeaderView.ResizeToContents if col % len(one) < 2 else QHeaderView.Stretch)
        for i in range(per_block * self.blocks):
            row = rows[i] if i < len(rows) else None
            summary = row is not None and row["key"] in ("total", "remote")
            for col in range(len(one)):
                item = QTableWidgetItem("")
                item.setTextAlignment((Qt.AlignLeft if col == 0 else Qt.AlignRight) | Qt.AlignVCenter)
                # colour, not a font of its own: the window's compact scaling sizes every item
                item.setForeground(QColor(SUM_COLOUR if row and row["key"] == "total" else (DIM if summary else TEXT)))
                self.setItem(i % per_block, (i // per_block) * len(one) + col, item)
        h = self.row_height()
        for i in range(per_block):
            self.setRowHeight(i, h)


def percent(row: dict[str, Any], key: str, digits: int) -> str:
    """A venue's share of one choice: 66.7% (as on air), or whole, 67%, halves up like the board."""
    if row["shares"][key] is None:
        return "—"
    if digits:
        return f"{row['shares'][key]:.1f}%"
    return f"{(200 * row['counts'][key] + row['ballots']) // (2 * row['ballots'])}%"


def short_name(name: str) -> str:
    """市南区分会场 → 市南区 (the table's second block is narrow); 主会场 and 分会场一 stay whole."""
    return name[:-3] if name.endswith("分会场") and len(name) > 4 else name
