"""The review desk against a real engine: 初审 → 终审 → queue → air → answered, merge,
reject, drag order, follow-up with overdue rows, and the report button's PDF."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt

from wenzheng_studio.ui.review import ReviewWidget
from wenzheng_studio.ui.review.queue_panel import drop_position


def director_approves(ep, qid):
    """初审 and 终审 by the director alone: only with override (four eyes, issue 15)."""
    ep.api("POST", f"/api/questions/{qid}", {"action": "screen"})
    ep.api("POST", f"/api/questions/{qid}", {"action": "approve", "override": True})


def question(ep, qid):
    return next(q for q in ep.api("GET", "/api/questions")["questions"] if q["id"] == qid)


@pytest.fixture
def desk(qtbot, operator_bridge):
    widget = ReviewWidget(operator_bridge)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def select(lst, qid):
    for i in range(lst.count()):
        if lst.item(i).data(Qt.UserRole) == qid:
            lst.setCurrentRow(i)
            lst.item(i).setSelected(True)
            return
    raise AssertionError(f"#{qid} not in list")


def test_full_review_path_to_air(qtbot, desk, engine_process, reviewer_bridge):
    """初审 by the director's desk, 终审 by 李审核 on a desk of his own (two people), then on air."""
    ep = engine_process
    evil = "<b>粗体</b> 小区电梯"
    a = ep.api("POST", "/api/questions", {"text": evil, "unit": "市住房和城乡建设局"})["id"]
    b = ep.api("POST", "/api/questions", {"text": "电梯 重复"})["id"]
    c = ep.api("POST", "/api/questions", {"text": "广告"})["id"]
    qtbot.waitUntil(lambda: desk.first.list.count() == 3, timeout=10000)
    assert evil in desk.first.list.item(0).text()  # list items show the raw text

    select(desk.first.list, b)
    desk.first.merge_target.setCurrentIndex(desk.first.merge_target.findData(a))
    desk.first.merge_button.click()
    qtbot.waitUntil(lambda: question(ep, b)["state"] == "rejected", timeout=10000)
    assert question(ep, a)["count"] == 2

    qtbot.waitUntil(lambda: desk.first.list.count() == 2, timeout=10000)
    select(desk.first.list, c)
    desk.first.reason.setCurrentText("广告或重复灌水")
    desk.first.reject_button.click()
    qtbot.waitUntil(lambda: question(ep, c)["reason"] == "广告或重复灌水", timeout=10000)

    qtbot.waitUntil(lambda: desk.first.list.count() == 1, timeout=10000)
    select(desk.first.list, a)
    desk.first.air_text.setPlainText("小区电梯坏了，谁来修？")
    desk.first.pass_button.click()
    qtbot.waitUntil(lambda: question(ep, a)["state"] == "screened", timeout=10000)
    assert question(ep, a)["air_text"] == "小区电梯坏了，谁来修？" and question(ep, a)["text"] == evil

    second = ReviewWidget(reviewer_bridge)
    qtbot.addWidget(second)
    second.show()
    qtbot.waitUntil(lambda: second.final.list.count() == 1 and reviewer_bridge.role == "reviewer", timeout=10000)
    select(second.final.list, a)
    second.final.pass_button.click()
    qtbot.waitUntil(lambda: desk.queue.queue.count() == 1, timeout=10000)
    assert [h["actor"]["name"] for h in question(ep, a)["history"] if h["action"] in ("screen", "approve")] == \
        ["导演", "李审核"]

    select(desk.queue.queue, a)
    desk.queue.on_air_button.click()
    qtbot.waitUntil(lambda: ep.api("GET", "/api/state")["question"] is not None, timeout=10000)
    assert ep.api("GET", "/api/state")["question"]["text"] == "小区电梯坏了，谁来修？"
    qtbot.waitUntil(lambda: "播出中" in desk.queue.queue.item(0).text(), timeout=10000)
    desk.queue.head_button.click()
    qtbot.waitUntil(lambda: question(ep, a)["state"] == "answered", timeout=10000)
    assert question(ep, a)["answered_by"] == "王建国" and question(ep, a)["answered_role"] == "head"
    qtbot.waitUntil(lambda: desk.queue.rate.text().startswith("一把手答复率 100%"), timeout=10000)


def test_drop_position_between_neighbours():
    top = {"id": 1, "priority": 3, "rank": 1.0}
    mid = {"id": 2, "priority": 3, "rank": 2.0}
    low = {"id": 3, "priority": 0, "rank": 0.5}
    assert drop_position(None, top) == (3, 0.0)
    assert drop_position(top, mid) == (3, 1.5)
    assert drop_position(mid, low) == (3, 3.0)
    assert drop_position(low, None) == (0, 1.5)


def test_queue_drag_reorders_in_the_engine(qtbot, desk, engine_process):
    ep = engine_process
    ids = [ep.api("POST", "/api/questions", {"text": t, "source": "studio"})["id"] for t in ("一", "二", "三")]
    for qid in ids:
        director_approves(ep, qid)
    qtbot.waitUntil(lambda: desk.queue.queue.count() == 3, timeout=10000)
    lst = desk.queue.queue
    item = lst.takeItem(2)  # what a drag of the last row to the top leaves behind
    lst.insertItem(0, item)
    desk.queue.moved(0)
    qtbot.waitUntil(lambda: [q["text"] for q in ep.api("GET", "/api/questions")["questions"]] == ["三", "一", "二"],
                    timeout=10000)


def test_followup_highlights_overdue(qtbot, desk, engine_process):
    ep = engine_process
    desk.followup.today = lambda: date(2026, 6, 1)
    ids = [ep.api("POST", "/api/questions", {"text": t})["id"] for t in ("早", "晚")]
    for qid, due in zip(ids, ("2026-05-20", "2026-06-20")):
        director_approves(ep, qid)
        ep.api("POST", f"/api/questions/{qid}", {"action": "refer", "unit": "市交通运输局", "due": due})
    table = desk.followup.table
    qtbot.waitUntil(lambda: table.rowCount() == 2, timeout=10000)
    assert [table.item(r, 1).text() for r in range(2)] == ["超期 12 天", "19 天"]
    assert table.item(0, 0).background().color().name() == "#ffcdd2"
    assert desk.followup.summary.text() == "转办 2 件 · 办理中 2 件 · 超期 1 件"
    table.selectRow(0)
    desk.followup.reply.setText("已修复")
    desk.followup.close_button.click()
    qtbot.waitUntil(lambda: question(ep, ids[0])["state"] == "closed", timeout=10000)
    assert question(ep, ids[0])["reply"] == "已修复" and question(ep, ids[0])["result"] == "A"


def test_report_button_writes_pdf_and_csv(qtbot, desk, engine_process, tmp_path, monkeypatch):
    import wenzheng_studio.ui.report_pdf as report_pdf

    monkeypatch.setattr(report_pdf, "default_out_dir", lambda: tmp_path)
    engine_process.api("POST", "/api/questions", {"text": "<script>x</script>"})
    desk.report_button.click()
    qtbot.waitUntil(lambda: desk.message.text().startswith("报告已生成"), timeout=15000)
    pdf = next(tmp_path.glob("*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 5000
    assert "<script>x</script>" in next(tmp_path.glob("*.csv")).read_text(encoding="utf-8-sig")


def test_the_referral_unit_box_shows_the_longest_unit_name_whole(qtbot, desk):
    """At the review desk's usual 1280×800 the 转办 box was narrower than 市住房和城乡建设局."""
    desk.resize(1280, 800)
    panel = desk.queue
    qtbot.waitUntil(lambda: panel.refer_unit.count() > 0, timeout=5000)
    longest = max((panel.refer_unit.itemText(i) for i in range(panel.refer_unit.count())), key=len)
    qtbot.wait(50)
    edit = panel.refer_unit.lineEdit()
    assert edit.fontMetrics().horizontalAdvance(longest) <= edit.width(), (longest, edit.width())


def test_review_command_opens_the_desk_on_an_engine(qtbot, engine_process, monkeypatch, capsys):
    """`wenzheng-studio review --connect URL --admin-token T`, as a reviewer's PC runs it."""
    from app_driver import driving
    from PySide6.QtWidgets import QApplication

    from wenzheng_studio.cli import main

    monkeypatch.delenv("WENZHENG_ADMIN_TOKEN", raising=False)
    assert main(["review", "--connect", engine_process.url]) == 2
    assert "operator token" in capsys.readouterr().err
    engine_process.api("POST", "/api/questions", {"text": "审核台能看到我吗"})
    seen = {}

    def look():
        desks = [w for w in QApplication.topLevelWidgets() if isinstance(w, ReviewWidget) and w.isVisible()]
        if desks and desks[0].first.list.count() == 1:
            seen["text"] = desks[0].first.list.item(0).text()
            desks[0].close()
            return True
        return False

    with driving(look):
        assert main(["review", "--connect", engine_process.url, "--admin-token", engine_process.token]) == 0
    assert "审核台能看到我吗" in seen.get("text", "")


def test_desk_opened_on_a_connected_bridge_shows_connected(qtbot, operator_bridge):
    """Ctrl+R in the control room hands over a bridge connected long ago: no signal will come."""
    qtbot.waitUntil(lambda: operator_bridge.connection[0] == "connected", timeout=10000)
    qtbot.wait(100)
    widget = ReviewWidget(operator_bridge)
    qtbot.addWidget(widget)
    assert widget.connection.text() == "已连接"
    qtbot.waitUntil(lambda: widget.model.scene != {}, timeout=10000)
    qtbot.waitUntil(lambda: operator_bridge.role == "director", timeout=5000)
    assert widget.windowTitle() == "百姓问政 审核台 — 导演" and widget.rehearsal.isHidden()


def test_desk_connection_banner_follows_the_engine(qtbot, desk, engine_process):
    qtbot.waitUntil(lambda: desk.connection.text() == "已连接", timeout=10000)
    engine_process.kill()
    qtbot.waitUntil(lambda: desk.connection.text() == "连接中断，正在重连…", timeout=10000)
    engine_process.start()
    qtbot.waitUntil(lambda: desk.connection.text() == "已连接", timeout=20000)


def test_desk_before_the_bridge_starts_says_connecting(qtbot, engine_process):
    from wenzheng_studio.ui.bridge import EngineBridge

    bridge = EngineBridge(engine_process.url, engine_process.token)
    widget = ReviewWidget(bridge)
    qtbot.addWidget(widget)
    assert widget.connection.text() == "正在连接…"
    bridge.start()
    try:
        qtbot.waitUntil(lambda: widget.connection.text() == "已连接", timeout=10000)
    finally:
        bridge.stop()


def test_rehearsal_engine_is_marked_in_the_desk_title(qtbot, rehearsal_engine):
    from wenzheng_studio.ui.bridge import EngineBridge

    bridge = EngineBridge(rehearsal_engine.url, rehearsal_engine.token)
    bridge.start()
    try:
        widget = ReviewWidget(bridge)
        qtbot.addWidget(widget)
        qtbot.waitUntil(lambda: "彩排" in widget.windowTitle() and "导演" in widget.windowTitle(), timeout=10000)
        assert widget.windowTitle() == "【彩排 REHEARSAL】百姓问政 审核台 — 导演"
        assert not widget.rehearsal.isHidden()
    finally:
        bridge.stop()
