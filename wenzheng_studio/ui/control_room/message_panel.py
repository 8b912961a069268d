"""提示发言人: the director's line to the speaker on the studio floor's /timer screen.

One row under the speaker timer (the window has no height to spare: the question queue
below must keep its seven rows at 1920x1080): the line the speaker sees now, a menu of the
usual lines — each also on a key of its own, Alt+1 … Alt+5 (Ctrl+1 … 9 already jump to a
segment) — and free text in a small dialog (Alt+M, so no text field in the window ever
swallows the single-letter keys), and 清除 (Alt+0). The window sends `message.set` /
`message.clear`; what the speaker sees is the engine's next push, shown here.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QInputDialog, QLineEdit, QMenu, QSizePolicy

from ...core.message import MESSAGE_LIMIT, PRESETS
from .i18n import Translator
from .style import AMBER, DIM, button, label, set_colour

PRESET_KEYS = tuple(f"Alt+{n}" for n in range(1, len(PRESETS) + 1))
CUSTOM_KEY, CLEAR_KEY = "Alt+M", "Alt+0"


class MessagePanel(QFrame):
    messageRequested = Signal(str)  # the text to put up
    clearRequested = Signal()

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)  # no frame of its own: it sits inside the speakers panel
        self.tr_ = tr
        self.dialog: QInputDialog | None = None
        self.text = ""  # the line the speaker sees now ("" for none)
        self.current = label("", 15, True, DIM)  # what the speaker reads now, or 提示：（无）
        self.current.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # a long line never widens the column
        self.menu_button = button(tr("常用提示"), "Alt+1…5", 12)
        self.menu = QMenu(self)
        self.presets = []  # one QAction per usual line, its key shown beside it
        for text, key in zip(PRESETS, PRESET_KEYS):
            action = self.menu.addAction(f"{text}\t{key}")
            action.triggered.connect(lambda _=False, t=text: self.messageRequested.emit(t))
            self.presets.append(action)
        self.menu.addSeparator()
        self.custom = self.menu.addAction(f"{tr('自定义…')}\t{CUSTOM_KEY}")
        self.custom.triggered.connect(self.ask_custom)
        self.menu_button.setMenu(self.menu)
        self.clear = button(tr("清除"), CLEAR_KEY, 12)
        self.clear.clicked.connect(self.clearRequested.emit)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.current, 1)
        row.addWidget(self.menu_button)
        row.addWidget(self.clear)
        self.set_message(None)

    def set_message(self, message: Any) -> None:
        """The engine's state.message: the line the speaker sees now."""
        text = message.get("text") if isinstance(message, dict) else None
        self.text = text or ""
        self._fit()
        self.current.setToolTip(self.tr_("发言人屏幕（/timer）上的提示") + (f"：{text}" if text else ""))
        set_colour(self.current, AMBER if text else DIM)

    def _fit(self) -> None:
        """The line as wide as its room allows, shortened with … (the whole in the tooltip)."""
        # A line that is up stands alone, in amber (every character of the room is its own).
        whole = self.text or self.tr_("提示：") + self.tr_("（无）")
        room = max(0, self.current.width() - 2)
        self.current.setText(self.current.fontMetrics().elidedText(whole, Qt.ElideRight, room) if room else whole)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def ask_custom(self) -> None:
        """Free text: asked in a dialog, sent as it is (the engine cleans and checks it)."""
        dialog = QInputDialog(self.window())
        dialog.setWindowTitle(self.tr_("提示发言人"))
        dialog.setLabelText(self.tr_("给发言人的提示（最多 {n} 个字）").format(n=MESSAGE_LIMIT))
        dialog.setTextEchoMode(QLineEdit.Normal)
        dialog.setOkButtonText(self.tr_("发送"))
        dialog.setCancelButtonText(self.tr_("取消"))
        field = dialog.findChild(QLineEdit)
        if field is not None:  # a 41st character cannot be typed, rather than refused once the line is gone
            field.setMaxLength(MESSAGE_LIMIT)
        dialog.textValueSelected.connect(lambda text: text.strip() and self.messageRequested.emit(text.strip()))
        self.dialog = dialog
        dialog.open()

    def set_enabled(self, can_set: bool, can_clear: bool, why_set: str = "", why_clear: str = "") -> None:
        self.menu_button.setEnabled(can_set)
        self.menu_button.setToolTip(why_set)
        for action in (*self.presets, self.custom):
            action.setEnabled(can_set)
        self.clear.setEnabled(can_clear)
        self.clear.setToolTip(why_clear)
