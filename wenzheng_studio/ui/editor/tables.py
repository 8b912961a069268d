"""Editable tables of the scene's lists: units, experts, citizens, timer presets."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

ERROR_BG = QColor("#ffcdd2")


def number_or_text(text: str, kind: type = int) -> Any:
    """What a cell means in TOML: "" → left out (None), 30 → 30, 0.5 → 0.5; anything else
    stays text, so the loader names it exactly as it would in a file ("must be int, not str")."""
    text = text.strip()
    if text == "":
        return None
    try:
        return int(text) if kind is int else float(text)
    except ValueError:
        return text


class RowsTable(QWidget):
    """A list of TOML tables (units, experts, citizens) as rows; columns are (field, label).

    Edits go straight into the dicts of the list (keys the editor does not show are kept);
    an empty cell leaves its field out, except `name`, which the loader insists on."""

    changed = Signal()

    def __init__(self, columns: list[tuple[str, str]], rows: Callable[[], list[dict[str, Any]]],
                 confirm: Callable[[str], bool], noun: str, parent=None):
        super().__init__(parent)
        self.columns, self.rows, self.confirm, self.noun = columns, rows, confirm, noun
        self._loading = False
        self.table = QTableWidget(0, len(columns))
        self.table.setHorizontalHeaderLabels([label for _, label in columns])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.AllEditTriggers)
        self.table.itemChanged.connect(self._item_changed)
        self.add = QPushButton(f"添加{noun} (Insert)")
        self.remove = QPushButton(f"删除{noun} (Delete)")
        self.up = QPushButton("上移 (Ctrl+↑)")
        self.down = QPushButton("下移 (Ctrl+↓)")
        self.add.clicked.connect(self.add_row)
        self.remove.clicked.connect(self.remove_row)
        self.up.clicked.connect(lambda: self.move(-1))
        self.down.clicked.connect(lambda: self.move(1))
        for key, slot in ((QKeySequence(Qt.Key_Insert), self.add_row), (QKeySequence(Qt.Key_Delete), self.remove_row),
                          (QKeySequence("Ctrl+Up"), lambda: self.move(-1)),
                          (QKeySequence("Ctrl+Down"), lambda: self.move(1))):
            QShortcut(key, self.table, slot, context=Qt.WidgetShortcut)
        self.buttons = QHBoxLayout()
        for b in (self.add, self.remove, self.up, self.down):
            self.buttons.addWidget(b)
        self.buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.table, 1)
        lay.addLayout(self.buttons)

    # --- the list ↔ the table -----------------------------------------------------------
    def items(self) -> list[tuple[str, dict[str, Any]]]:
        return [("", row) for row in self.rows()]

    def load(self) -> None:
        self._loading = True
        try:
            entries = self.items()
            self.table.setRowCount(len(entries))
            for r, (_, row) in enumerate(entries):
                for c, (field, _) in enumerate(self.columns):
                    self.table.setItem(r, c, self.make_item(field, row))
            self.table.resizeColumnsToContents()
            for c in range(self.table.columnCount() - 1):  # an empty column stays wide enough to type in
                self.table.setColumnWidth(c, max(self.table.columnWidth(c), 120))
        finally:
            self._loading = False

    def make_item(self, field: str, row: dict[str, Any]) -> QTableWidgetItem:
        value = row.get(field, "")
        return QTableWidgetItem("" if value is None else str(value))

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        item.setBackground(QColor(0, 0, 0, 0))
        self.store(item.row(), self.columns[item.column()][0], item)
        self.changed.emit()

    def store(self, r: int, field: str, item: QTableWidgetItem) -> None:
        row = self.rows()[r]
        text = item.text().strip()
        if text or field == "name":
            row[field] = text
        else:
            row.pop(field, None)

    # --- rows -------------------------------------------------------------------------------
    def new_row(self) -> dict[str, Any]:
        return {"name": ""}

    def add_row(self) -> None:
        rows = self.rows()
        at = self.table.currentRow() + 1 if self.table.currentRow() >= 0 else len(rows)
        rows.insert(at, self.new_row())
        self.load()
        self.table.setCurrentCell(at, 0)
        self.table.editItem(self.table.item(at, 0))
        self.changed.emit()

    def remove_row(self) -> None:
        r = self.table.currentRow()
        if not 0 <= r < len(self.items()):
            return
        label = self.table.item(r, 0).text() if self.table.item(r, 0) else ""
        if not self.confirm(f"删除{self.noun}“{label}”？"):
            return
        self.delete_at(r)
        self.load()
        self.table.setCurrentCell(min(r, self.table.rowCount() - 1), 0)
        self.changed.emit()

    def delete_at(self, r: int) -> None:
        del self.rows()[r]

    def move(self, step: int) -> None:
        r, c = self.table.currentRow(), max(self.table.currentColumn(), 0)
        count = len(self.items())
        to = r + step
        if not (0 <= r < count and 0 <= to < count):
            return
        self.swap(r, to)
        self.load()
        self.table.setCurrentCell(to, c)
        self.changed.emit()

    def swap(self, a: int, b: int) -> None:
        rows = self.rows()
        rows[a], rows[b] = rows[b], rows[a]

    def clear_marks(self) -> None:
        self._loading = True
        try:
            for r in range(self.table.rowCount()):
                for c in range(self.table.columnCount()):
                    item = self.table.item(r, c)
                    if item is not None and item.background().color() == ERROR_BG:
                        item.setBackground(QColor(0, 0, 0, 0))
        finally:
            self._loading = False

    def mark(self, row: int, field: str) -> None:
        """Points at a cell the loader named (red, selected)."""
        if not 0 <= row < self.table.rowCount():
            return
        col = next((c for c, (f, _) in enumerate(self.columns) if f == field), 0)
        item = self.table.item(row, col)
        if item is not None:
            self._loading = True
            item.setBackground(ERROR_BG)
            self._loading = False
            self.table.setCurrentCell(row, col)
            self.table.scrollToItem(item)


class TimersTable(RowsTable):
    """[timers]: one row per preset; renaming one renames it in the segments that use it."""

    NUMERIC = ("seconds", "warning_s", "danger_s")

    def __init__(self, timers: Callable[[], dict[str, Any]], segments: Callable[[], list[dict[str, Any]]],
                 confirm: Callable[[str], bool], parent=None):
        self.timers, self.segments = timers, segments
        super().__init__([("__name__", "预设名称"), ("seconds", "时长（秒）"), ("warning_s", "提醒（剩余秒）"),
                          ("danger_s", "警告（剩余秒）"), ("cut_at_zero", "到零切断")],
                         lambda: [], confirm, "计时预设")

    def items(self) -> list[tuple[str, dict[str, Any]]]:
        return list(self.timers().items())

    def make_item(self, field: str, row: dict[str, Any]) -> QTableWidgetItem:
        if field == "__name__":
            name = next(n for n, p in self.timers().items() if p is row)
            return QTableWidgetItem(name)
        if field == "cut_at_zero":
            item = QTableWidgetItem("到零切断")
            item.setFlags((item.flags() | Qt.ItemIsUserCheckable) & ~Qt.ItemIsEditable)
            item.setCheckState(Qt.Checked if row.get("cut_at_zero") else Qt.Unchecked)
            return item
        return super().make_item(field, row)

    def store(self, r: int, field: str, item: QTableWidgetItem) -> None:
        timers = self.timers()
        name, preset = list(timers.items())[r]
        if field == "__name__":
            new = item.text().strip()
            if new and new != name and new not in timers:
                self._rename(name, new)
            else:
                self._loading = True
                item.setText(name)
                self._loading = False
            return
        if field == "cut_at_zero":
            if item.checkState() == Qt.Checked:
                preset["cut_at_zero"] = True
            else:
                preset.pop("cut_at_zero", None)
            return
        value = number_or_text(item.text())
        if value is None and field != "seconds":
            preset.pop(field, None)
        else:
            preset[field] = "" if value is None else value

    def _rename(self, old: str, new: str) -> None:
        timers = self.timers()
        items = [(new if n == old else n, p) for n, p in timers.items()]
        timers.clear()
        timers.update(items)
        for s in self.segments():
            if s.get("timer") == old:
                s["timer"] = new

    def new_row(self) -> dict[str, Any]:
        return {"seconds": 60, "warning_s": 15, "danger_s": 5}

    def add_row(self) -> None:
        timers = self.timers()
        n = len(timers) + 1
        while f"preset{n}" in timers:
            n += 1
        timers[f"preset{n}"] = self.new_row()
        self.load()
        self.table.setCurrentCell(len(timers) - 1, 0)
        self.table.editItem(self.table.item(len(timers) - 1, 0))
        self.changed.emit()

    def delete_at(self, r: int) -> None:
        timers = self.timers()
        del timers[list(timers)[r]]

    def swap(self, a: int, b: int) -> None:
        timers = self.timers()
        items = list(timers.items())
        items[a], items[b] = items[b], items[a]
        timers.clear()
        timers.update(items)

    def row_of(self, name: str) -> int:
        names = list(self.timers())
        return names.index(name) if name in names else -1
