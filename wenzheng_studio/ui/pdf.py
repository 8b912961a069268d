"""The A4 page every PDF of ours is printed on: portrait, no margins, fonts loaded, titled."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter


def a4_writer(path: Path | str, title: str, resolution: int = 72,
              units: QPageLayout.Unit = QPageLayout.Point) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setResolution(resolution)
    writer.setTitle(title)
    writer.setCreator("Wenzheng Studio")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait, QMarginsF(0, 0, 0, 0), units))
    return writer
