"""提示发言人: the director's line to the speaker on the studio floor's /timer screen.

Five presets for the usual lines, one key each (Alt+1 … Alt+5; Ctrl+1 … 9 already jump
to a segment), free text in a small dialog (Alt+M, so no text field in the window ever
swallows the single-letter keys), and a clear key (Alt+0). The window sends
`message.set` / `message.clear`; what the speaker sees is the engine's next push, shown
here as the current line.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QInputDialog, QLineEdit, QSizePolicy, QVBoxLayout

from ...core.message import MESSAGE_LIMIT, PRESETS
from .i18n import Translator
from .style import AMBER, DIM, button, label, set_colour

PRESET_KEYS = tuple(f"Alt+{n}" for n in range(1, len(PRESETS) + 1))
CUSTOM_KEY, CLEAR_KEY = "Alt+M", "Alt+0"


class MessagePanel(QFrame):
    messageRequested = Signal(str)  # the text to put up
    clearRequested = Signal()

    def __init__(self, tr: Translator, parent=None):
        super().__init__(parent)
        self.setObjectName("panel")
        self.tr_ = tr
        self.heading = label(tr("提示发言人") + "  [Alt+1…5]", 15, True)
        self.current = label(tr("（无）"), 15, True, DIM)
        self.current.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # a long line never widens the column
        self.clear = button(tr("清除提示"), CLEAR_KEY, 13)
        self.clear.clicked.connect(self.clearRequested.emit)
        self.presets = []
        row = QHBoxLayout()  # one row of presets: the window has no height to spare
        row.setSpacing(4)
        for n, text in enumerate(PRESETS, 1):
            b = button(f"{n} {text}", size=13)  # its key is Alt+n (the heading says so)
            b.clicked.connect(lambda _=False, t=text: self.messageRequested.emit(t))
            row.addWidget(b, 1)
            self.presets.append(b)
        self.custom = button(tr("自定义…"), CUSTOM_KEY, 13)
        self.custom.clicked.connect(self.ask_custom)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addWidget(self.current, 1)
        top.addWidget(self.custom)
        top.addWidget(self.clear)
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 4, 8, 4)
        box.setSpacing(3)
        box.addLayout(top)
        box.addLayout(row)

    def set_message(self, message: Any) -> None:
        """The engine's state.message: the line the speaker sees now."""
        text = message.get("text") if isinstance(message, dict) else None
        self.current.setText(text or self.tr_("（无）"))
        self.current.setToolTip(text or "")
        set_colour(self.current, AMBER if text else DIM)

    def ask_custom(self) -> None:
        """Free text: asked in a dialog, sent as it is (the engine cleans and checks it)."""
        dialog = QInputDialog(self.window())
        dialog.setWindowTitle(self.tr_("提示发言人"))
        dialog.setLabelText(self.tr_("给发言人的提示（最多 {n} 个字）").format(n=MESSAGE_LIMIT))
        dialog.setTextEchoMode(QLineEdit.Normal)
        dialog.setOkButtonText(self.tr_("发送"))
        dialog.setCancelButtonText(self.tr_("取消"))
        self.dialog = dialog  # tests reach it here
        dialog.textValueSelected.connect(lambda text: text.strip() and self.messageRequested.emit(text.strip()))
        dialog.open()

    def set_enabled(self, can_set: bool, can_clear: bool, why_set: str = "", why_clear: str = "") -> None:
        for b in (*self.presets, self.custom):
            b.setEnabled(can_set)
            b.setToolTip(why_set)
        self.clear.setEnabled(can_clear)
        self.clear.setToolTip(why_clear)
