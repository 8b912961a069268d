"""A PDF read back as text (poppler's pdftotext), and the after-show report made as the crew
makes it: `wenzheng-studio report` on a machine without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def pdf_text(pdf) -> str:
    """The PDF's text with its layout kept; pages are separated by a form feed."""
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=30).stdout


def report_pdf_text(url: str, token: str, out: Path) -> str:
    """Runs `wenzheng-studio report --connect URL` into `out` with no display and nothing telling
    Qt to draw offscreen (the command must manage alone), and returns its PDF's text."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "wenzheng_studio", "report", "--connect", url,
                           "--admin-token", token, "--out", str(out)], env=env, capture_output=True,
                          text=True, timeout=90, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return pdf_text(next(Path(out).glob("*.pdf")))
