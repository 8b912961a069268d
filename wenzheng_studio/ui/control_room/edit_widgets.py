"""Widgets for editing in place: a table whose rows are dragged to a new place, a cell editor
that asks instead of writing, and the small dialog that adds a segment or a speaker.

None of them changes what is shown by itself: every edit goes to the engine as a control
action, and the table shows the engine's answer when its state comes back. A refused value
therefore simply never appears — the cell goes back to what the engine has.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QStyledItemDelegate, QTableWidget, QVBoxLayout)

from ..fonts import app_font
from .style import RED


class CommitDelegate(QStyledItemDelegate):
    """A line editor for a cell; on commit it emits `edited(row, column, text)` and leaves the
    model alone (the engine's state push sets the cell)."""
    edited = Signal(int, int, str)

    def createEditor(self, parent, option, index: QModelIndex):
        editor = QLineEdit(parent)
        editor.setFont(app_font(16))
        editor.setProperty("filled", False)
        return editor

    def setEditorData(self, editor, index: QModelIndex) -> None:
        # Only once: a state push while the director types must not reset the text.
        if not editor.property("filled"):
            start = index.data(Qt.UserRole)  # e.g. a planned time as mm:ss even past an hour
            editor.setText(str(start if start is not None else index.data() or ""))
            editor.selectAll()
            editor.setProperty("filled", True)

    def setModelData(self, editor, model, index: QModelIndex) -> None:
        self.edited.emit(index.row(), index.column(), editor.text())


class DragTable(QTableWidget):
    """Rows dragged to another place: `moved(from, to)`; the table itself is not changed."""
    moved = Signal(int, int)

    def __init__(self, rows: int, columns: int, parent=None):
        super().__init__(rows, columns, parent)
        self.setDragDropMode(QAbstractItemView.DragDrop)
        self.setDefaultDropAction(Qt.MoveAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)
        self.set_draggable(False)

    def set_draggable(self, on: bool) -> None:
        self.setDragEnabled(on)
        self.setAcceptDrops(on)
        self.viewport().setAcceptDrops(on)

    def drop_target(self, source: int, y: int) -> int:
        """Where a row dropped at height `y` goes (the index it takes after the move)."""
        r = self.rowAt(y)
        if r < 0:
            return self.rowCount() - 1
        rect = self.visualRect(self.model().index(r, 0))
        above = y < rect.top() + rect.height() // 2
        if r > source and above:
            r -= 1
        elif r < source and not above:
            r += 1
        return max(0, min(r, self.rowCount() - 1))

    def dragEnterEvent(self, event) -> None:
        if event.source() is self:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        if event.source() is self:
            super().dragMoveEvent(event)
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:
        rows = self.selectionModel().selectedRows()
        y = int(event.position().y())
        # Nothing is moved here: the drop is only a request (IgnoreAction: the source clears nothing).
        event.setDropAction(Qt.IgnoreAction)
        event.accept()
        self.setState(QAbstractItemView.NoState)
        self.viewport().update()
        if rows:
            source = rows[0].row()
            to = self.drop_target(source, y)
            if to != source:
                self.moved.emit(source, to)


class EditDialog(QDialog):
    """Fields, 确定 / 取消, and a red line for the engine's refusal. `submitted(values)` on 确定;
    the window closes it (accept()) once the engine has taken the edit."""
    submitted = Signal(dict)

    def __init__(self, title: str, fields: list[tuple[str, str, Any]], tr, parent=None):
        """`fields`: (name, label, default) — a default that is a list of (value, text) makes a choice."""
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setFont(app_font(15))
        self.setMinimumWidth(520)
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        heading = QLabel(title)
        heading.setFont(app_font(17, bold=True))
        form = QFormLayout()
        for name, text, default in fields:
            if isinstance(default, list):
                w = QComboBox()
                for value, shown in default:
                    w.addItem(tr(shown), value)
                w.currentIndexChanged.connect(lambda _i: self.error.setText(""))
            else:
                w = QLineEdit(str(default))
                w.setMinimumWidth(320)
                w.textEdited.connect(lambda _t: self.error.setText(""))  # a new value: the old refusal goes
            w.setFont(app_font(16))
            self.inputs[name] = w
            caption = QLabel(tr(text))
            caption.setFont(app_font(15))
            form.addRow(caption, w)
        self.error = QLabel("")
        self.error.setFont(app_font(15, bold=True))
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {RED};")
        self.ok = QPushButton(tr("确定"))
        self.ok.setDefault(True)
        self.cancel = QPushButton(tr("取消"))
        for b in (self.ok, self.cancel):
            b.setFont(app_font(15))
            b.setMinimumWidth(110)
        self.ok.clicked.connect(lambda: self.submitted.emit(self.values()))
        self.cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        buttons.addWidget(self.cancel)
        box = QVBoxLayout(self)
        box.addWidget(heading)
        box.addLayout(form)
        box.addWidget(self.error)
        box.addLayout(buttons)

    def values(self) -> dict[str, str]:
        out = {}
        for name, w in self.inputs.items():
            out[name] = w.currentData() if isinstance(w, QComboBox) else w.text().strip()
        return out

    def set_value(self, name: str, value: str) -> None:
        w = self.inputs[name]
        if isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        else:
            w.setText(value)
        self.error.setText("")

    def show_error(self, text: str) -> None:
        self.error.setText(text)
