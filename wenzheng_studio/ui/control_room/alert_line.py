"""The alert line in the top bar: an engine refusal or a key's notice, always whole and never
taller than the bar. A wrapped two-line refusal (排名榜 上屏 with no composite yet) used to grow
the bar and push the bottom of the room off-screen; this line shrinks its text instead."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QFontMetrics, QPainter
from PySide6.QtWidgets import QLabel, QSizePolicy

from ..fonts import app_font

FLAGS = Qt.AlignLeft | Qt.AlignVCenter | Qt.TextWordWrap
MIN_PT = 9.0


class AlertLine(QLabel):
    """A plain-text label laid out as one line of the bar; its text is drawn wrapped and, when
    two lines do not fit the bar's height, in a smaller size, down to 9 pt."""

    def __init__(self, size_pt: float, bold: bool, colour: str) -> None:
        super().__init__("")
        self.setTextFormat(Qt.PlainText)
        self.setFont(app_font(size_pt, bold))
        self.setStyleSheet(f"color: {colour};")
        # Ignored both ways: a long refusal never widens the window nor heightens the bar.
        self.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored)
        self.fitted_pt = self.font().pointSizeF()  # what paintEvent last drew at (tests read it)

    def sizeHint(self) -> QSize:
        return QSize(0, QFontMetrics(self.font()).height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, 0)

    def fitted_font(self):
        """The largest size from the label's own down to MIN_PT at which the wrapped text fits."""
        font = self.font()
        room = self.contentsRect()
        size = font.pointSizeF()
        while True:
            font.setPointSizeF(size)
            need = QFontMetrics(font).boundingRect(QRect(0, 0, max(1, room.width()), 100000), FLAGS, self.text())
            if (need.height() <= room.height() and need.width() <= room.width()) or size <= MIN_PT:
                return font
            size = max(MIN_PT, size - 0.5)

    def text_fits(self) -> bool:
        font = self.fitted_font()
        room = self.contentsRect()
        need = QFontMetrics(font).boundingRect(QRect(0, 0, max(1, room.width()), 100000), FLAGS, self.text())
        return need.height() <= room.height() and need.width() <= room.width()

    def paintEvent(self, _event) -> None:
        if not self.text():
            return
        font = self.fitted_font()
        self.fitted_pt = font.pointSizeF()
        p = QPainter(self)
        p.setFont(font)
        p.setPen(self.palette().color(self.foregroundRole()))
        p.drawText(self.contentsRect(), FLAGS, self.text())
        p.end()
