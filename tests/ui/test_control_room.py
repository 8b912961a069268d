"""The control room driven through a show against a real engine (a child process)."""

from __future__ import annotations

import pytest
import socketio
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from wenzheng_studio.core.message import PRESETS
from wenzheng_studio.ui.bridge import EngineBridge
from wenzheng_studio.ui.control_room import ControlRoomWindow
from wenzheng_studio.ui.control_room.style import AMBER, DIM, GREEN, RED
from wenzheng_studio.ui.control_room.window import TAKE_GUARD_S

from control_room_harness import Room

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def room(qtbot, tmp_path):
    r = Room(qtbot, tmp_path)
    yield r
    r.close()


def seg_index(room) -> int:
    return room.state["segment"]["index"]


def test_take_through_all_nine_segments(room, qtbot):
    rows = room.window.running_order.table
    assert room.state["show"]["status"] == "standby"
    assert rows.item(0, 4).text() == "下一个"
    room.press(Qt.Key_F12)  # TAKE in standby puts the first segment on air
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)
    assert rows.item(0, 4).text() == "播出" and rows.item(1, 4).text() == "下一个"
    for expected in range(1, 9):
        qtbot.wait(int(TAKE_GUARD_S * 1000) + 50)
        room.press(Qt.Key_Return)
        qtbot.waitUntil(lambda: seg_index(room) == expected, timeout=5000)
        assert rows.item(expected, 4).text() == "播出"
        assert room.window.title.text().endswith(room.state["segment"]["title"])
    assert room.state["segment"]["key"] == "promise"
    # On the last segment TAKE is greyed out and its key only says why.
    assert not room.window.running_order.take.isEnabled()
    qtbot.wait(int(TAKE_GUARD_S * 1000) + 50)
    room.press(Qt.Key_Return)
    qtbot.waitUntil(lambda: "已是最后一个环节" in room.window.alert.text(), timeout=5000)
    assert seg_index(room) == 8
    # Going back on air asks first; "no" changes nothing, "yes" goes back.
    room.confirm_answers = [False]
    room.press(Qt.Key_Left, Qt.ControlModifier)
    qtbot.wait(400)
    assert room.confirm_asked and seg_index(room) == 8
    room.confirm_answers = [True]
    room.press(Qt.Key_Left, Qt.ControlModifier)
    qtbot.waitUntil(lambda: seg_index(room) == 7, timeout=5000)
    # Ctrl+digit jumps forward without asking; backwards asks.
    asked = len(room.confirm_asked)
    room.press(Qt.Key_9, Qt.ControlModifier)
    qtbot.waitUntil(lambda: seg_index(room) == 8, timeout=5000)
    assert len(room.confirm_asked) == asked
    room.confirm_answers = [True]
    room.press(Qt.Key_8, Qt.ControlModifier)
    qtbot.waitUntil(lambda: seg_index(room) == 7, timeout=5000)
    assert len(room.confirm_asked) == asked + 1
    # Every segment that aired has an actual duration in the running order.
    assert all(row["actual_s"] > 0 for row in room.state["running_order"])


def test_double_take_is_one_take(room, qtbot):
    room.press(Qt.Key_F12)
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)
    qtbot.wait(int(TAKE_GUARD_S * 1000) + 50)
    room.press(Qt.Key_Return)
    room.press(Qt.Key_Return)
    qtbot.waitUntil(lambda: seg_index(room) == 1, timeout=5000)
    qtbot.wait(500)
    assert seg_index(room) == 1


def test_pledge_round_with_a_speaker_over_time(room, qtbot):
    w = room.window
    room.press(Qt.Key_F12)
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)
    room.press(Qt.Key_N)  # first head of unit: 30 s starts
    qtbot.waitUntil(lambda: (room.state.get("speaker") or {}).get("index") == 0, timeout=5000)
    assert w.clocks.timer_label.text() == "王建国"
    assert w.clocks.timer_digits.text() in ("0:30", "0:29")
    assert w.clocks.timer_digits.property("colour") == GREEN
    assert w.speakers.marker(0) == "▶" and w.speakers.row_text(0).startswith("王建国")
    shown_before = w.clocks.show_elapsed.text()

    room.press(Qt.Key_Minus)
    room.press(Qt.Key_Minus)  # 10 s left: warning
    qtbot.waitUntil(lambda: room.state["timer"]["duration_s"] == 10, timeout=5000)
    qtbot.waitUntil(lambda: w.clocks.timer_digits.property("colour") == AMBER, timeout=3000)
    room.press(Qt.Key_Minus)  # out of time: counts up in red
    qtbot.waitUntil(lambda: room.state["timer"]["duration_s"] == 0, timeout=5000)
    qtbot.waitUntil(lambda: w.clocks.timer_digits.text().startswith("+"), timeout=3000)
    assert w.clocks.timer_digits.property("colour") == RED
    qtbot.waitUntil(lambda: w.clocks.timer_digits.text() == "+0:02", timeout=4000)  # keeps counting up
    assert w.clocks.cues_played[-2:] == ["warning", "zero"]
    assert w.clocks.show_elapsed.text() != shown_before  # show clock kept running

    room.press(Qt.Key_Space)  # pause the over-running speaker
    qtbot.waitUntil(lambda: not room.state["timer"]["running"], timeout=5000)
    qtbot.waitUntil(lambda: "暂停" in w.clocks.timer_label.text(), timeout=2000)
    frozen = w.clocks.timer_digits.text()
    qtbot.wait(1200)
    assert w.clocks.timer_digits.text() == frozen

    room.press(Qt.Key_N)  # next head of unit: a fresh 30 s, the segment clock untouched
    qtbot.waitUntil(lambda: (room.state.get("speaker") or {}).get("index") == 1, timeout=5000)
    qtbot.waitUntil(lambda: w.clocks.timer_label.text() == "李明华", timeout=2000)
    assert w.clocks.timer_digits.property("colour") == GREEN
    assert room.state["segment"]["index"] == 0 and room.state["segment"]["elapsed_s"] > 2
    room.press(Qt.Key_N, Qt.ShiftModifier)  # back to the first speaker (held modifier)
    qtbot.waitUntil(lambda: (room.state.get("speaker") or {}).get("index") == 0, timeout=5000)


def _voter(url: str, auth: dict) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(url, namespaces=["/audience"], transports=["websocket"], auth=auth, wait_timeout=10)
    return client


def test_poll_with_votes_from_real_clients(room, qtbot):
    w, v = room.window, room.window.votes
    v.preset.setCurrentIndex(1)  # satisfaction with 城管局
    assert "市城市管理局" in v.title.text()
    room.press(Qt.Key_F5)
    qtbot.waitUntil(lambda: v.poll is not None and v.poll["state"] == "draft", timeout=5000)
    assert v.poll["unit"] == "市城市管理局"
    room.press(Qt.Key_F6)
    qtbot.waitUntil(lambda: v.poll["state"] == "open", timeout=5000)
    poll_id = v.poll["id"]

    remote_choices = ["satisfied"] * 5 + ["basic"] * 3 + ["unsatisfied"] * 2
    _, seats = room.api("/api/seats", "POST", {"venue": "main", "count": 4})
    clients = []
    try:
        for choice in remote_choices:
            _, body = room.api("/api/voter", "POST", {}, token=None)
            c = _voter(room.url, {"token": body["token"]})
            clients.append(c)
            assert c.call("vote", {"poll": poll_id, "choice": choice}, namespace="/audience", timeout=10) == {"ok": True}
        for seat, choice in zip(seats["seats"], ["satisfied", "satisfied", "unsatisfied", "basic"]):
            c = _voter(room.url, {"seat": seat["seat"], "key": seat["key"]})
            clients.append(c)
            assert c.call("vote", {"poll": poll_id, "choice": choice}, namespace="/audience", timeout=10) == {"ok": True}
        qtbot.waitUntil(lambda: v.poll.get("ballots") == 14, timeout=5000)
        assert list(v.remote_bars.opts["height"]) == [5, 3, 2]
        assert list(v.studio_bars.opts["height"]) == [2, 1, 1]
        # combined: studio 50% satisfied, remote 50% satisfied, weights 0.5/0.5 → 50.0%
        assert v._combined_labels["satisfied"][1].text() == "50.0%"
        qtbot.waitUntil(lambda: "14" in v.figures.text(), timeout=2000)

        room.confirm_answers = [False]  # closing early asks first
        room.press(Qt.Key_F7)
        qtbot.wait(300)
        assert room.confirm_asked and v.poll["state"] == "open"
        room.confirm_answers = [True]
        room.press(Qt.Key_F7)
        qtbot.waitUntil(lambda: v.poll["state"] == "closed", timeout=5000)
        _, body = room.api("/api/voter", "POST", {}, token=None)
        late = _voter(room.url, {"token": body["token"]})
        clients.append(late)
        assert late.call("vote", {"poll": poll_id, "choice": "basic"}, namespace="/audience", timeout=10) == {
            "ok": False, "error": "not_open"}
    finally:
        for c in clients:
            c.disconnect()
    assert w.state["poll"]["ballots"] == 14


def test_hidden_poll_is_revealed_on_cue(room, qtbot):
    v = room.window.votes
    v.preset.setCurrentIndex(len(v.presets) - 1)  # yes / no
    v.revealed.setChecked(False)
    v.countdown.setValue(30)
    room.press(Qt.Key_F5)
    qtbot.waitUntil(lambda: v.poll is not None and v.poll["kind"] == "yesno", timeout=5000)
    assert v.poll["revealed"] is False
    room.press(Qt.Key_F6)
    qtbot.waitUntil(lambda: v.poll["state"] == "open" and bool(v.poll["closes_at"]), timeout=5000)
    qtbot.waitUntil(lambda: "自动截止 0:2" in v.status.text(), timeout=3000)
    _, public = room.api(f"/api/polls/{v.poll['id']}", token=None)
    assert "tally" not in public
    room.press(Qt.Key_F8)
    qtbot.waitUntil(lambda: v.poll["revealed"] is True, timeout=5000)
    _, public = room.api(f"/api/polls/{v.poll['id']}", token=None)
    assert "tally" in public


def test_question_approved_over_http_goes_on_air_from_the_panel(room, qtbot):
    q = room.window.questions
    text = "<b>路灯</b>坏了三个月 <script>alert(1)</script>"
    status, body = room.api("/api/questions", "POST", {"text": text, "name": "张三", "district": "城东区",
                                                       "unit": "市城市管理局"}, token=None)
    assert status == 201
    qid = body["id"]
    assert room.api(f"/api/questions/{qid}", "POST", {"action": "screen"})[0] == 200
    assert room.api(f"/api/questions/{qid}", "POST", {"action": "approve", "override": True})[0] == 200
    qtbot.waitUntil(lambda: q.list.count() == 1, timeout=5000)
    item_text = q.list.item(0).text()
    assert "<b>路灯</b>" in item_text and "张三" in item_text  # shown as typed, never as markup

    room.press(Qt.Key_F9)
    qtbot.waitUntil(lambda: (room.state.get("question") or {}).get("id") == qid, timeout=5000)
    qtbot.waitUntil(lambda: q.list.count() == 1 and q.list.item(0).text().startswith("播出中"), timeout=5000)
    room.press(Qt.Key_F10)  # answered by the head of 城管局
    qtbot.waitUntil(lambda: q.list.count() == 0, timeout=5000)
    _, listing = room.api("/api/questions")
    answered = next(x for x in listing["questions"] if x["id"] == qid)
    assert answered["state"] == "answered"
    assert answered["answered_role"] == "head" and answered["answered_by"] == "李明华"
    qtbot.waitUntil(lambda: q.head_rate.text().endswith("1/1"), timeout=3000)


def test_engine_restart_is_shown_and_resynced(room, qtbot):
    w = room.window
    room.press(Qt.Key_F12)
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)
    port = int(room.url.rsplit(":", 1)[1])
    room.engine.stop()
    qtbot.waitUntil(lambda: w.connection == "disconnected", timeout=10000)
    assert "重连" in w.banner.text()
    before = w.clocks.show_elapsed.text()
    qtbot.wait(1100)
    assert w.clocks.show_elapsed.text() != before  # the show goes on: clocks never freeze
    room.engine.port = port
    room.engine.start()
    assert room.engine.url.endswith(f":{port}")
    qtbot.waitUntil(lambda: w.connection == "connected", timeout=20000)
    assert w.banner.text() == "已连接"
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)


def test_english_interface_and_unreachable_engine(qtbot):
    bridge = EngineBridge("http://127.0.0.1:9", "x")
    w = ControlRoomWindow(bridge, "en")
    qtbot.addWidget(w)
    w.show()
    bridge.start()
    try:
        assert "TAKE next segment" in w.running_order.take.text()
        assert "Speaker timer" in w.clocks.timer_caption.text()
        assert w.speakers.next.text().startswith("Next")
        qtbot.waitUntil(lambda: w.connection == "disconnected", timeout=10000)
        assert "reconnecting" in w.banner.text()
    finally:
        bridge.stop()


def test_enter_while_typing_a_poll_title_does_not_take(room, qtbot):
    v = room.window.votes
    v.title.setFocus()
    qtbot.waitUntil(lambda: v.title.hasFocus(), timeout=2000)
    qtbot.keyClicks(v.title, "N H C")  # letters are typing, not shortcuts
    assert v.title.text().endswith("N H C")
    qtbot.keyClick(v.title, Qt.Key_Return)
    qtbot.wait(400)
    assert room.state["show"]["status"] == "standby"
    assert not v.title.hasFocus()
    qtbot.wait(int(TAKE_GUARD_S * 1000) + 50)
    room.press(Qt.Key_Return)  # the next Enter is a TAKE again
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)


def test_preview_shows_the_on_air_feed_and_seat_cards_are_printed(room, qtbot, tmp_path):
    w = room.window
    if w.preview is None or w.seat_cards is None:
        pytest.skip("ui/overlay or ui/seat_cards is not installed")
    room.press(Qt.Key_F12)
    room.press(Qt.Key_N)
    qtbot.waitUntil(lambda: (w.preview.canvas.model.state.get("speaker") or {}).get("name") == "王建国",
                    timeout=5000)
    w.seat_cards.count.setValue(6)
    path = tmp_path / "cards.pdf"
    w.seat_cards.issue_to(str(path))
    qtbot.waitUntil(lambda: path.exists() and path.stat().st_size > 1000, timeout=10000)
    assert path.read_bytes()[:4] == b"%PDF"
    assert "6" in w.seat_cards.result.text()


def test_a_burst_of_questions_is_a_few_reloads(room, qtbot):
    q = room.window.questions
    reloads = []
    original = q.refresh
    q.refresh = lambda: (reloads.append(1), original())[1]
    events = []
    room.bridge.questionsChanged.connect(events.append)
    for i in range(12):
        _, body = room.api("/api/questions", "POST", {"text": f"第{i}个问题", "source": "hotline"})
        room.api(f"/api/questions/{body['id']}", "POST", {"action": "screen"})
        room.api(f"/api/questions/{body['id']}", "POST", {"action": "approve", "override": True})
    qtbot.waitUntil(lambda: q.list.count() == 12, timeout=8000)
    assert len(events) >= 3
    print("questions events", len(events), "reloads", len(reloads))
    assert len(reloads) < len(events)


def test_ctrl_r_opens_the_review_desk_and_a_reviewed_question_reaches_the_queue(room, qtbot):
    """A web question, both reviews in the desk the director opens with Ctrl+R, then on air."""
    status, body = room.api("/api/questions", "POST", {"text": "公交站台没有遮雨棚", "source": "web"}, token=None)
    assert status == 201
    qid = body["id"]
    room.press(Qt.Key_R, Qt.ControlModifier)
    qtbot.waitUntil(lambda: room.window.review is not None and room.window.review.isVisible(), timeout=3000)
    desk = room.window.review
    assert desk.windowTitle() == "百姓问政 审核台 — 导演"
    for panel in (desk.first, desk.final):
        qtbot.waitUntil(lambda panel=panel: panel.list.count() == 1, timeout=5000)
        panel.list.setCurrentRow(0)
        panel.list.item(0).setSelected(True)
        panel.pass_button.click()
    # The director did 初审 himself: 终审 by the same person is refused (four eyes) and he may override.
    qtbot.waitUntil(lambda: desk.override_box is not None, timeout=5000)
    assert "初审和终审须由两人完成" in desk.message.text()
    desk.override_box.yes.click()
    qtbot.waitUntil(lambda: room.window.questions.list.count() == 1, timeout=5000)
    assert "公交站台" in room.window.questions.list.item(0).text()
    room.window.questions.on_air_btn.click()  # the desk window has the keyboard now: the director clicks
    qtbot.waitUntil(lambda: (room.state.get("question") or {}).get("id") == qid, timeout=5000)
    room.window.questions.review_btn.click()  # the button raises the same window, not a second one
    assert room.window.review is desk


# --- issue 12: one rule for buttons and keys, hold, resume, rehearsal, the director's screen ---------

QUESTIONS = [("城东区幸福路的路灯坏了三个月，晚上出行很不方便，什么时候能修好？", "市城市管理局", "hotline", "张先生"),
             ("小区门口的菜市场占道经营，早上上学的孩子只能走机动车道。", "市城市管理局", "web", "李女士"),
             ("公交站台没有遮雨棚，下雨天老人孩子只能淋雨等车。", "市交通运输局", "studio", "王大爷"),
             ("老旧小区加装电梯，补贴申请了半年还没有批下来，到底卡在哪个环节？", "市住房和城乡建设局", "hotline", "赵女士"),
             ("河道边上有人偷排污水，晚上味道很大，举报了多次没人管。", "市生态环境局", "web", ""),
             ("学校附近违章停车很多，接送孩子时交通非常拥堵。", "市交通运输局", "studio", "陈老师"),
             ("自来水一到夏天就发黄，烧开了还有沉淀，能不能查一查管网？", "市水务集团", "hotline", "周先生"),
             ("夜市噪音扰民到凌晨两点，投诉后只管了一个星期。", "市城市管理局", "web", "吴女士")]


def approved_questions(room, n=len(QUESTIONS)) -> list[int]:
    ids = []
    for text, unit, source, name in QUESTIONS[:n]:
        status, body = room.api("/api/questions", "POST", {"text": text, "unit": unit, "source": source,
                                                           "name": name, "district": "城东区", "screened": True})
        assert status == 201
        assert room.api(f"/api/questions/{body['id']}", "POST", {"action": "approve", "override": True})[0] == 200
        ids.append(body["id"])
    return ids


def record_controls(room) -> list[tuple]:
    """Every control action the window sends from now on (still sent to the engine)."""
    sent, original = [], room.bridge.control

    def control(action, callback=None, **fields):
        sent.append((action, fields))
        original(action, callback, **fields)

    room.bridge.control = control
    return sent


def test_off_air_button_and_key_follow_the_question_on_air(room, qtbot):
    q = room.window.questions
    sent = record_controls(room)
    ids = approved_questions(room, 2)
    qtbot.waitUntil(lambda: q.list.count() == 2, timeout=5000)
    assert not q.off_air.isEnabled() and not q.by_head.isEnabled()
    room.press(Qt.Key_F9, Qt.ShiftModifier)  # nothing on air: the key does nothing, and says why
    qtbot.waitUntil(lambda: "没有问题在播出" in room.window.alert.text(), timeout=2000)
    assert ("question.clear", {}) not in sent

    room.press(Qt.Key_F9)
    qtbot.waitUntil(lambda: (room.state.get("question") or {}).get("id") == ids[0], timeout=5000)
    assert q.off_air.isEnabled() and q.by_head.isEnabled() and q.by_deputy.isEnabled()
    room.press(Qt.Key_F9, Qt.ShiftModifier)
    qtbot.waitUntil(lambda: room.state.get("question") is None, timeout=5000)
    assert ("question.clear", {}) in sent
    assert not q.off_air.isEnabled() and not q.by_head.isEnabled()
    # answered takes the question off air too: F10 greys out with it
    room.press(Qt.Key_F9)
    qtbot.waitUntil(lambda: room.state.get("question") is not None, timeout=5000)
    room.press(Qt.Key_F10)
    qtbot.waitUntil(lambda: room.state.get("question") is None, timeout=5000)
    assert not q.by_head.isEnabled() and not q.off_air.isEnabled()


def test_hold_shows_a_banner_and_locks_take(room, qtbot):
    w = room.window
    sent = record_controls(room)
    room.press(Qt.Key_F12)
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)
    assert not w.hold_banner.isVisible()
    room.press(Qt.Key_H)
    qtbot.waitUntil(lambda: room.state["segment"]["hold"] is True, timeout=5000)
    assert ("segment.hold", {"on": True}) in sent
    qtbot.waitUntil(lambda: w.hold_banner.isVisible(), timeout=2000)
    assert "已锁定流程" in w.hold_banner.text()
    ro = w.running_order
    assert not ro.take.isEnabled() and not ro.goto.isEnabled() and not ro.prev.isEnabled()
    assert ro.hold.isEnabled() and "解除保持" in ro.hold.text()
    before = len(sent)
    qtbot.wait(int(TAKE_GUARD_S * 1000) + 50)
    room.press(Qt.Key_Return)
    room.press(Qt.Key_3, Qt.ControlModifier)
    qtbot.waitUntil(lambda: "保持本环节" in w.alert.text(), timeout=2000)
    assert len(sent) == before and seg_index(room) == 0  # nothing was sent
    # the engine refuses a move while held too, and the director reads it in Chinese
    room.bridge.control("segment.next")
    qtbot.waitUntil(lambda: w.alert.text().startswith("引擎拒绝"), timeout=5000)
    assert "held" not in w.alert.text() and "held" in w.alert.toolTip()
    room.press(Qt.Key_H)
    qtbot.waitUntil(lambda: room.state["segment"]["hold"] is False, timeout=5000)
    assert sent[-1] == ("segment.hold", {"on": False})
    qtbot.waitUntil(lambda: not w.hold_banner.isVisible() and ro.take.isEnabled(), timeout=2000)


def test_resume_after_an_accidental_end(room, qtbot):
    w, ro = room.window, room.window.running_order
    assert not ro.resume.isVisible()  # standby: nothing to resume
    room.press(Qt.Key_F12)
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)
    assert not ro.resume.isVisible()
    room.confirm_answers = [True]
    room.press(Qt.Key_E, Qt.ControlModifier)
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "ended", timeout=5000)
    qtbot.waitUntil(lambda: ro.resume.isVisible() and ro.resume.isEnabled(), timeout=2000)
    assert w.ended_banner.isVisible() and not ro.take.isEnabled()
    room.confirm_answers = [False]  # 否: still ended
    ro.resume.click()
    qtbot.wait(300)
    assert room.state["show"]["status"] == "ended" and "恢复直播" in room.confirm_asked[-1]
    room.confirm_answers = [True]
    ro.resume.click()
    qtbot.waitUntil(lambda: room.state["show"]["status"] == "live", timeout=5000)
    assert len(room.state["show"]["interruptions"]) == 1
    qtbot.waitUntil(lambda: not ro.resume.isVisible() and ro.take.isEnabled(), timeout=2000)


def test_rehearsal_is_marked_in_the_window(qtbot, tmp_path):
    r = Room(qtbot, tmp_path, rehearsal=True)
    try:
        qtbot.waitUntil(lambda: r.window.rehearsal_badge.isVisible(), timeout=5000)
        assert "彩排" in r.window.windowTitle() and "彩排" in r.window.rehearsal_badge.text()
    finally:
        r.close()


def test_a_live_show_is_not_a_rehearsal(room):
    assert not room.window.rehearsal_badge.isVisible() and "彩排" not in room.window.windowTitle()


def test_engine_refusal_is_a_chinese_sentence(room, qtbot):
    w = room.window
    room.bridge.control("segment.prev")  # standby: the engine refuses (the key would not even send it)
    qtbot.waitUntil(lambda: w.alert.text().startswith("引擎拒绝"), timeout=5000)
    assert "已是第一个环节" in w.alert.text() and "bad_transition" not in w.alert.text()
    assert "bad_transition" in w.alert.toolTip() and "first segment" in w.alert.toolTip()


def _fully_shown_rows(lst) -> int:
    view = lst.viewport().rect()
    return sum(1 for i in range(lst.count()) if view.contains(lst.visualItemRect(lst.item(i))))


def test_queue_shows_six_waiting_questions_at_1920x1080(room, qtbot):
    w, q = room.window, room.window.questions
    ids = approved_questions(room)
    room.api("/api/control", "POST", {"action": "segment.goto", "index": 3})  # 我要问政
    assert room.api(f"/api/questions/{ids[0]}", "POST", {"action": "on_air"})[0] == 200
    qtbot.waitUntil(lambda: q.list.count() == 8 and q.list.item(0).text().startswith("播出中"), timeout=5000)
    assert (w.width(), w.height()) == (1920, 1080)
    qtbot.wait(100)
    assert _fully_shown_rows(q.list) >= 7  # the one on air and six waiting
    assert w.scroll.verticalScrollBar().maximum() == 0  # nothing of the window scrolls away
    room.press(Qt.Key_H)  # held: the bar takes the title's place, not the queue's rows
    qtbot.waitUntil(lambda: w.hold_banner.isVisible(), timeout=5000)
    qtbot.wait(100)
    assert _fully_shown_rows(q.list) >= 7 and w.scroll.verticalScrollBar().maximum() == 0


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768)])
def test_key_help_is_fully_visible(qtbot, size):
    bridge = EngineBridge("http://127.0.0.1:9", "x")
    w = ControlRoomWindow(bridge)
    qtbot.addWidget(w)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    try:
        keys = w.keys_help
        assert (w.width(), w.height()) == size
        top_left = keys.mapTo(w, keys.rect().topLeft())
        bottom_right = keys.mapTo(w, keys.rect().bottomRight())
        assert w.rect().contains(top_left) and w.rect().contains(bottom_right)
        assert keys.height() >= keys.heightForWidth(keys.width())  # every wrapped line has room
        lines = keys.text().split("\n")
        assert len(lines) == 2 and "Ctrl+R 审核台" in lines[1] and "F10" in lines[1]
        assert "Ins/Del 插入/删除环节" in lines[1] and "Ctrl+Z 撤销" in lines[1] and "拖动排序" in lines[0]
        fm = keys.fontMetrics()
        if size == (1920, 1080):
            assert all(fm.horizontalAdvance(line) <= keys.width() for line in lines)  # two lines, unwrapped
    finally:
        w.close()


def test_confirmations_say_是_and_否(qtbot):
    w = ControlRoomWindow(EngineBridge("http://127.0.0.1:9", "x"))
    qtbot.addWidget(w)
    box = w.confirm_box("结束整场节目？")
    assert sorted(b.text() for b in box.buttons()) == sorted(["是", "否"])
    assert box.defaultButton() is box.no and box.escapeButton() is box.no  # Enter or Esc: 否
    box.close()


def test_graphics_controls_follow_and_set_the_overlay(room, qtbot):
    g = room.window.graphics
    assert g.mode_shown("question") == "auto"
    g.buttons[("question", "hide")].click()
    qtbot.waitUntil(lambda: room.state["overlay"]["question"] == "hide", timeout=5000)
    qtbot.waitUntil(lambda: g.mode_shown("question") == "hide", timeout=2000)
    room.api("/api/control", "POST", {"action": "overlay.set", "element": "qr", "mode": "show"})
    qtbot.waitUntil(lambda: g.mode_shown("qr") == "show", timeout=5000)


def test_an_unchecked_check_box_is_visible_on_the_dark_theme(room):
    box = room.window.clocks.sound
    assert not box.isChecked()
    image = box.grab().toImage()
    from PySide6.QtWidgets import QStyle, QStyleOptionButton

    option = QStyleOptionButton()
    box.initStyleOption(option)
    indicator = box.style().subElementRect(QStyle.SE_CheckBoxIndicator, option, box)
    light = sum(1 for x in range(indicator.left(), indicator.right() + 1)
                for y in range(indicator.top(), indicator.bottom() + 1)
                if image.pixelColor(x, y).lightness() > 140)
    assert light > 20  # the empty box's outline (not the label text beside it)


# --- 提示发言人: a key per preset, free text, clear (issue 16) ---------------------------------
def talent_line(room):
    return (room.state.get("message") or {}).get("text")


def test_each_preset_has_its_key_and_alt_0_clears(room, qtbot):
    panel = room.window.talent
    assert panel.current.text() == "提示：（无）" and panel.text == "" and not panel.clear.isEnabled()
    room.press(Qt.Key_0, Qt.AltModifier)  # nothing to clear: the reason, nothing sent
    qtbot.waitUntil(lambda: "发言人屏幕上没有提示" in room.window.alert.text(), timeout=3000)
    for n, text in enumerate(PRESETS, 1):
        room.press(getattr(Qt, f"Key_{n}"), Qt.AltModifier)
        qtbot.waitUntil(lambda: talent_line(room) == text, timeout=5000)
        qtbot.waitUntil(lambda: panel.text == text and panel.current.text() == text, timeout=2000)
        assert text in panel.current.toolTip()
    assert panel.current.property("colour") == AMBER and panel.clear.isEnabled()
    assert room.state["segment"]["index"] == 0  # Alt+n is not Ctrl+n: no segment jump
    room.press(Qt.Key_0, Qt.AltModifier)
    qtbot.waitUntil(lambda: talent_line(room) is None, timeout=5000)
    qtbot.waitUntil(lambda: panel.current.text() == "提示：（无）", timeout=2000)
    assert panel.current.property("colour") == DIM and not panel.clear.isEnabled()


def test_buttons_and_free_text_and_a_refusal_in_chinese(room, qtbot):
    panel = room.window.talent
    panel.presets[1].trigger()
    qtbot.waitUntil(lambda: talent_line(room) == PRESETS[1], timeout=5000)
    room.press(Qt.Key_M, Qt.AltModifier)
    qtbot.waitUntil(lambda: getattr(panel, "dialog", None) is not None and panel.dialog.isVisible(), timeout=3000)
    panel.dialog.setTextValue("  请回答第二个问题  ")
    panel.dialog.accept()
    qtbot.waitUntil(lambda: talent_line(room) == "请回答第二个问题", timeout=5000)
    panel.ask_custom()
    field = panel.dialog.findChild(QLineEdit)
    qtbot.keyClicks(field, "x" * 45)  # typing stops at the engine's limit: nothing typed is lost to a refusal
    assert field.text() == "x" * 40
    panel.dialog.reject()
    panel.ask_custom()
    panel.dialog.setTextValue("\u200b")  # only a zero-width space: refused, in Chinese
    panel.dialog.accept()
    qtbot.waitUntil(lambda: "提示里没有看得见的字" in room.window.alert.text(), timeout=5000)
    assert talent_line(room) == "请回答第二个问题"  # the refused line changed nothing
    panel.clear.click()
    qtbot.waitUntil(lambda: talent_line(room) is None, timeout=5000)


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 700)])
def test_a_long_refusal_never_moves_the_buttons(room, qtbot, size):
    """A refusal that wraps onto a second line must not push the room down under the
    director's mouse (TAKE and every panel stay where they were)."""
    w = room.window
    w.resize(*size)
    qtbot.wait(200)
    body = w.centralWidget()
    take = w.running_order.take

    def where():
        return take.mapTo(body, take.rect().topLeft()).y(), w.clocks.mapTo(body, w.clocks.rect().topLeft()).y()

    before = where()
    w.show_alert("invalid: text is longer than 40 characters")  # 引擎拒绝：给发言人的提示最多 40 个字
    qtbot.wait(200)
    assert where() == before
    w.show_alert("bad_transition: " + "a refusal the room has no Chinese for, long enough for three lines " * 3)
    qtbot.wait(200)
    assert where() == before
    assert w.alert.toolTip()  # the whole refusal is still there, in the tooltip
