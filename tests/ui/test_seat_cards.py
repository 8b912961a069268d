"""Seat cards: A4 PDF, eight cards a page, each QR code scans back to its own seat link."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from wenzheng_studio.ui.seat_cards import venue_label, write_seat_cards_pdf

TITLE = "百姓问政 · 市民表决"


def seats(venue: str, count: int) -> list[dict]:
    return [{"seat": f"{venue}-{n:03d}", "key": f"k{n:011d}",
             "url": f"http://192.168.1.20:8765/vote?seat={venue}-{n:03d}&key=k{n:011d}"} for n in range(1, count + 1)]


def run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout


needs_poppler = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="needs poppler-utils")


@needs_poppler
@pytest.mark.parametrize("count, pages", [(1, 1), (8, 1), (9, 2), (17, 3)])
def test_a4_pages_of_eight_cards(qapp, tmp_path, count, pages):
    pdf = tmp_path / "cards.pdf"
    assert write_seat_cards_pdf(seats("main", count), pdf, TITLE) == pages
    info = run("pdfinfo", str(pdf))
    assert f"Pages:          {pages}" in info.replace("Pages:           ", "Pages:          ")
    assert "595 x 842 pts (A4)" in info


@needs_poppler
def test_cards_show_seat_venue_and_title_in_chinese(qapp, tmp_path):
    pdf = tmp_path / "cards.pdf"
    write_seat_cards_pdf(seats("sub03", 3), pdf, TITLE)
    text = run("pdftotext", "-layout", str(pdf), "-")
    for n in ("001", "002", "003"):
        assert n in text
    assert "第3分会场" in text and "百姓问政" in text and "座位号" in text
    assert "NotoSansSC" in run("pdffonts", str(pdf))  # the bundled font is embedded: no boxes on any printer


@needs_poppler
@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="needs zbar-tools")
def test_every_qr_code_scans_to_its_own_seat_link(qapp, tmp_path):
    pdf = tmp_path / "cards.pdf"
    given = seats("main", 10)
    write_seat_cards_pdf(given, pdf, TITLE)
    run("pdftoppm", "-r", "150", "-png", "-gray", str(pdf), str(tmp_path / "page"))
    decoded = set()
    for png in sorted(tmp_path.glob("page-*.png")):
        out = subprocess.run(["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
                             capture_output=True, text=True, timeout=60).stdout
        decoded |= {line.strip() for line in out.splitlines() if line.strip()}
    assert decoded == {s["url"] for s in given}


def test_many_cards_do_not_exhaust_nones_refcount(qapp, tmp_path):
    # PySide6 6.12.0 on Python 3.11 drops a reference to None per void Qt call; 300 cards make
    # about 100 000 such calls, far more than None's count, and Python aborts. pyproject.toml
    # pins the binding below 6.12; this fails (or aborts) if a broken binding comes back.
    import gc
    import sys
    gc.collect()  # earlier tests' garbage holds Nones too: collected mid-test it looked like a leak
    before = sys.getrefcount(None)
    for _ in range(2):
        assert write_seat_cards_pdf(seats("main", 150), tmp_path / "many.pdf", TITLE) == 19
    # The broken binding loses ~100,000 references here; ordinary churn moves a few hundred.
    assert sys.getrefcount(None) >= before - 5000


def test_refuses_nothing_to_print_and_incomplete_seats(qapp, tmp_path):
    with pytest.raises(ValueError):
        write_seat_cards_pdf([], tmp_path / "x.pdf", TITLE)
    with pytest.raises(ValueError):
        write_seat_cards_pdf([{"seat": "main-001"}], tmp_path / "x.pdf", TITLE)


def test_venue_labels():
    assert venue_label("main") == "主会场"
    assert venue_label("sub01") == "第1分会场"
    assert venue_label("sub12") == "第12分会场"
    assert venue_label("east") == "east"
