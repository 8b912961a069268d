"""评议代表抽选 in the control room, against a real engine: the director imports the pool (a bad
file is refused by row, in Chinese, nothing imported), enters quotas and the notary's seed,
draws, issues the named seat cards and prints the list; the button is the director's alone,
and the dialog's buttons follow actions.draw_reasons."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


from wenzheng_studio.ui.bridge import EngineBridge
from wenzheng_studio.ui.control_room import ControlRoomWindow
from wenzheng_studio.ui.control_room.actions import draw_reasons
from wenzheng_studio.ui.control_room.draw_dialog import DrawDialog
from wenzheng_studio.ui.control_room.i18n import Translator

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SECTORS = ("人大代表", "政协委员", "市民代表")


def pool_file(tmp_path, extra=()) -> Path:
    rows = ["姓名,界别,手机"] + [f"{s[:2]}{n}号,{s},1360000{j}{i:03d}" for j, s in enumerate(SECTORS)
                                 for i, n in enumerate("甲乙丙丁戊己庚辛")] + list(extra)
    path = tmp_path / ("bad.csv" if extra else "pool.csv")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_draw_reasons_follow_the_pool_the_draw_and_the_role():
    pool, drawn = {"size": 10}, {"id": 1, "seats": None}
    assert draw_reasons(None, None, "director")["draw_run"] == "请先导入代表库"
    assert draw_reasons(pool, None, "director")["draw_run"] == "请先填写各界别名额"
    assert draw_reasons(pool, None, "director", quota_total=3)["draw_run"] == ""
    assert "替换" in draw_reasons(pool, drawn, "director", quota_total=3)["draw_run"]
    assert draw_reasons(pool, drawn, "director", quota_total=3, replace=True)["draw_run"] == ""
    issued = draw_reasons(pool, {**drawn, "seats": {"venue": "main"}}, "director", quota_total=3, replace=True)
    assert "已发放" in issued["draw_run"] and "已发放" in issued["draw_import"] and issued["draw_list"] == ""
    assert set(draw_reasons(pool, drawn, "observer").values()) == {"只有导演可以抽选评议代表"}
    assert draw_reasons(pool, drawn, "director", "disconnected")["draw_run"].startswith("未连接")


def test_the_director_imports_draws_issues_cards_and_prints_the_list(qtbot, operator_bridge, engine_process, tmp_path):
    dialog = DrawDialog(Translator(), operator_bridge)
    qtbot.addWidget(dialog)
    dialog.set_context({"title": "评议听证", "timezone": "Asia/Shanghai"}, "director")
    dialog.show()
    qtbot.waitUntil(lambda: operator_bridge.connection[0] == "connected", timeout=10000)
    dialog.refresh_actions()
    assert not dialog.draw_btn.isEnabled() and dialog.draw_btn.toolTip() == "请先导入代表库"

    dialog.import_file(pool_file(tmp_path, ["某甲,,", "某乙,宇航员,"]))
    qtbot.waitUntil(lambda: "未导入" in dialog.status.text(), timeout=10000)
    assert "第 26 行：界别为空" in dialog.status.text() and "第 27 行：“宇航员”不是界别" in dialog.status.text()
    assert engine_process.api("GET", "/api/representatives")["size"] == 0  # nothing half-imported

    dialog.import_file(pool_file(tmp_path))
    qtbot.waitUntil(lambda: len(dialog.spins) == 3, timeout=10000)
    assert "代表库 24 人" in dialog.pool_label.text()
    dialog.spins["市民代表"].setValue(4)
    dialog.spins["人大代表"].setValue(2)
    dialog.seed.setText("公证-0917")
    assert dialog.draw_btn.isEnabled()
    dialog.draw_now()
    qtbot.waitUntil(lambda: dialog.result.rowCount() == 6, timeout=10000)
    assert "种子 公证-0917（公证员给定）" in dialog.result_label.text()
    current = engine_process.api("GET", "/api/representatives/draw")["current"]
    assert [dialog.result.item(r, 1).text() for r in range(6)] == [p["name"] for p in current["drawn"]]
    assert not dialog.draw_btn.isEnabled()  # a re-draw needs 替换 ticked
    dialog.replace.setChecked(True)
    assert dialog.draw_btn.isEnabled()
    dialog.replace.setChecked(False)

    cards, listing = tmp_path / "cards.pdf", tmp_path / "list.pdf"
    dialog.write_cards(cards)
    qtbot.waitUntil(lambda: "座位卡已保存" in dialog.status.text(), timeout=15000)
    qtbot.waitUntil(lambda: dialog.result.item(0, 2) is not None and dialog.result.item(0, 2).text() == "main-001",
                    timeout=10000)
    assert not dialog.draw_btn.isEnabled() and not dialog.import_btn.isEnabled()  # the cards are out
    dialog.write_list(listing)
    qtbot.waitUntil(lambda: "抽选名单已保存" in dialog.status.text(), timeout=15000)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(listing), "-"], capture_output=True, text=True).stdout
        assert all(p["name"] in text for p in current["drawn"]) and "公证-0917" in text
        card_text = subprocess.run(["pdftotext", str(cards), "-"], capture_output=True, text=True).stdout
        assert all(p["name"] in card_text for p in current["drawn"])
    if os.environ.get("WENZHENG_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        dialog.grab().save(str(SCREENSHOTS / "draw-dialog.png"))


def test_the_draw_button_is_the_directors_alone(qtbot, engine_process):
    ep = engine_process
    observer = ep.api("POST", "/api/operators", {"name": "公证员", "role": "observer"})
    bridge = EngineBridge(ep.url, observer["token"])
    bridge.start()
    try:
        window = ControlRoomWindow(bridge)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: bridge.role == "observer" and bool(window.state), timeout=10000)
        window.refresh_actions()
        assert not window.seat_cards.draw_btn.isEnabled()
        assert window.seat_cards.draw_btn.toolTip() == "只有导演可以抽选评议代表"
        assert window.run("draw", window.open_draw) is False and window.draw_dialog is None
    finally:
        bridge.stop()
