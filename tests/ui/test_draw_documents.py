"""评议代表库 without curl: `wenzheng-studio draw` imports, draws, issues the drawn seat cards
(names on the cards, QR codes that scan back to their seats) and prints the list the notary signs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from wenzheng_studio.ui.draw_pdf import write_draw_list_pdf

from pdf_text import pdf_text

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")
SECTORS = ("人大代表", "政协委员", "市民代表")


def cli(ep, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "WENZHENG_ADMIN_TOKEN": ep.token, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-m", "wenzheng_studio", "draw", "--connect", ep.url, *args],
                         capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert out.returncode == 0, out.stderr
    return out


@needs_poppler
def test_the_cli_imports_draws_prints_cards_with_names_and_the_signed_list(engine_process, tmp_path):
    ep = engine_process
    pool = tmp_path / "代表库.csv"
    rows = ["姓名,界别,手机"] + [f"{s[:2]}代表{i:02d},{s},1370000{j}{i:03d}" for j, s in enumerate(SECTORS) for i in range(6)]
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(rows + ["无名氏,火星人,"]) + "\n", encoding="utf-8")
    refused = cli(ep, "import", str(bad), check=False)
    assert refused.returncode == 1 and "row 20: '火星人' is not a sector" in refused.stderr
    pool.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert "代表库已导入：18 人" in cli(ep, "import", str(pool)).stdout
    over = cli(ep, "run", "--quota", "人大代表=7", check=False)
    assert over.returncode == 1 and "人大代表: the quota is 7 but the pool has only 6" in over.stderr
    drawn = cli(ep, "run", "--quota", "人大代表=2", "--quota", "政协委员=2", "--quota", "市民代表=4",
                "--seed", "20261201").stdout
    names = [line.split("\t")[1] for line in drawn.splitlines()[1:]]
    assert "种子 20261201" in drawn and len(names) == 8
    assert cli(ep, "run", "--quota", "市民代表=1", check=False).returncode == 1  # no silent re-draw

    cards = tmp_path / "cards.pdf"
    assert "8 张座位卡" in cli(ep, "cards", "--out", str(cards)).stdout
    card_text = pdf_text(cards)
    for name in names:
        assert name in card_text
    assert all(f"{n:03d}" in card_text for n in range(1, 9)) and "市民代表" in card_text and "仅限本人使用" in card_text
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", "1", "-l", "1", str(cards), str(tmp_path / "p")], check=True)
        page = next(tmp_path.glob("p*.png"))
        scanned = subprocess.run(["zbarimg", "-q", "--raw", str(page)], capture_output=True, text=True).stdout
        assert "/vote?seat=main-001&key=" in scanned

    listing = tmp_path / "list.pdf"
    cli(ep, "list", "--out", str(listing))
    text = pdf_text(listing)
    assert "听证评议代表随机抽选名单" in text and "20261201" in text and "公证员给定" in text
    for name in names:
        assert name in text
    for sector in SECTORS:
        assert sector in text
    assert "主会场 008" in text and "公证员（签字）" in text
    shown = ep.api("GET", "/api/representatives/draw")["current"]
    assert shown["pool"]["fingerprint"] in text.replace("\n", "")


@needs_poppler
def test_a_replaced_draw_says_so_on_its_list(qapp, tmp_path):
    record = {"id": 1, "at": 1764547200.0, "actor": {"name": "导演"}, "seed": "7", "seed_source": "generated",
              "quotas": {"市民代表": 1}, "algorithm": "sha256-ticket-v1", "replaces": None, "replaced_by": 2,
              "pool": {"size": 3, "fingerprint": "ab" * 32, "imported_at": 1764547000.0, "by_sector": {"市民代表": 3}},
              "drawn": [{"sector": "市民代表", "name": "欧阳娜娜娜娜娜", "ticket": "0" * 64, "seat": None}], "seats": None}
    pdf = tmp_path / "old.pdf"
    write_draw_list_pdf(record, pdf, "评议听证")
    text = pdf_text(pdf)
    assert "已被第 2 次抽选替换" in text and "系统随机生成" in text and "尚未发放" in text
    assert "2025-12-01 08:00:00" in text  # the show's timezone (Asia/Shanghai)
    with pytest.raises(ValueError):
        write_draw_list_pdf({**record, "drawn": []}, pdf, "x")
