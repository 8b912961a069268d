"""The overlay's design: boxes in 1920x1080 design pixels, colours, and the QR image.

Every box lies inside the 90% action-safe area (96..1824 x 54..1026); assets/web/overlay.css
uses the same numbers. No green anywhere in the graphics: the window is keyed on #00B140.
"""

from __future__ import annotations

import functools

import qrcode
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage

DESIGN_W, DESIGN_H = 1920, 1080
SAFE = QRectF(96, 54, 1824 - 96, 1026 - 54)

BUG = QRectF(96, 54, 420, 100)
TIMER = QRectF(1424, 54, 400, 170)
TIMER_STRIP_H = 50
TALLY = QRectF(96, 190, 1040, 620)  # height is the most it may take
QR = QRectF(1504, 250, 320, 430)
QR_SIDE = 280
LOWER_THIRD = QRectF(96, 876, 1040, 150)
QUESTION = QRectF(96, 826, 1728, 200)
REHEARSAL = QRectF(720, 54, 480, 72)  # top centre: the one place no element ever uses

NAVY = QColor("#0E2A4F")
NAVY_DARK = QColor("#081A33")
TRACK = QColor("#1D3F6B")
RED = QColor("#C8102E")
GOLD = QColor("#F2B705")
GOLD_LIGHT = QColor("#FFD34D")
WHITE = QColor("#FFFFFF")
LIGHT = QColor("#C9D6E8")
INK = QColor("#0E2A4F")

TIMER_COLOURS = {  # background, text
    "normal": (NAVY, WHITE),
    "warning": (QColor("#F0A000"), QColor("#1A1200")),
    "danger": (QColor("#D0021B"), WHITE),
    "over": (QColor("#7A0010"), WHITE),
}

SOURCE_LABELS = {"web": "网友提问", "hotline": "热线来电", "studio": "现场提问"}
QR_CALL = "扫码参与投票"
REHEARSAL_TEXT = "彩排 REHEARSAL"


@functools.lru_cache(maxsize=8)
def qr_image(url: str) -> QImage:
    """The QR code of `url`, one pixel per module with a 2-module quiet zone (scaled up
    without smoothing when drawn, so the edges stay sharp enough for any phone)."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    n = len(matrix)
    image = QImage(n, n, QImage.Format_RGB32)
    black, white = QColor("#000000").rgb(), QColor("#FFFFFF").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            image.setPixel(x, y, black if dark else white)
    return image
