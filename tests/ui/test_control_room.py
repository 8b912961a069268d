"""The control room driven through a show against a real engine (a child process)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
import socketio
from PySide6.QtCore import Qt

from wenzheng_studio.client import EmbeddedEngine
from wenzheng_studio.ui.bridge import EngineBridge
from wenzheng_studio.ui.control_room import ControlRoomWindow
from wenzheng_studio.ui.control_room.style import AMBER, GREEN, RED
from wenzheng_studio.ui.control_room.window import TAKE_GUARD_S

TOKEN = "control-room-test-token"


def http(url: str, method: str = "GET", body=None, token: str | None = TOKEN):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"content-type": "application/json"})
    if token:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


class Room:
    """engine + bridge + window; `press` sends a key to the window like the director would."""

    def __init__(self, qtbot, tmp_path, lang=None):
        self.qtbot = qtbot
        self.engine = EmbeddedEngine(port=0, host="127.0.0.1", db=str(tmp_path / "show.db"), admin_token=TOKEN,
                                     extra_args=["--voter-token-rate", "0"])
        self.url = self.engine.start()
        self.bridge = EngineBridge(self.url, TOKEN)
        self.window = ControlRoomWindow(self.bridge, lang)
        self.confirm_answers: list[bool] = []
        self.confirm_asked: list[str] = []
        self.window.confirm = self._confirm
        qtbot.addWidget(self.window)
        self.window.resize(1920, 1080)
        self.window.show()
        self.window.activateWindow()
        qtbot.waitExposed(self.window)
        self.bridge.start()
        qtbot.waitUntil(lambda: self.window.connection == "connected" and bool(self.window.state)
                        and bool(self.window.scene), timeout=15000)

    def _confirm(self, text: str) -> bool:
        self.confirm_asked.append(text)
        return self.confirm_answers.pop(0) if self.confirm_answers else False

    def press(self, key, modifier=Qt.NoModifier) -> None:
        self.window.activateWindow()
        self.qtbot.keyClick(self.window, key, modifier)

    def api(self, path: str, method: str = "GET", body=None, token: str | None = TOKEN):
        return http(self.url + path, method, body, token)

    @property
    def state(self) -> dict:
        return self.window.state

    def close(self) -> None:
        self.window.close()
        self.bridge.stop()
        self.engine.stop()

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
    # A double press of TAKE is one TAKE; here the second would also be refused (last segment).
    qtbot.wait(int(TAKE_GUARD_S * 1000) + 50)
    room.press(Qt.Key_Return)
    qtbot.waitUntil(lambda: "bad_transition" in room.window.alert.text(), timeout=5000)
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
    assert w.speakers.list.item(0).text().startswith("▶")
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
    assert w.clocks.cues_played[-2:] == ["warning", "over"]
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
    assert room.api(f"/api/questions/{qid}", "POST", {"action": "approve"})[0] == 200
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
        room.api(f"/api/questions/{body['id']}", "POST", {"action": "approve"})
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
    assert desk.windowTitle() == "百姓问政 审核台"
    for panel in (desk.first, desk.final):
        qtbot.waitUntil(lambda panel=panel: panel.list.count() == 1, timeout=5000)
        panel.list.setCurrentRow(0)
        panel.list.item(0).setSelected(True)
        panel.pass_button.click()
    qtbot.waitUntil(lambda: room.window.questions.list.count() == 1, timeout=5000)
    assert "公交站台" in room.window.questions.list.item(0).text()
    room.window.questions.on_air_btn.click()  # the desk window has the keyboard now: the director clicks
    qtbot.waitUntil(lambda: (room.state.get("question") or {}).get("id") == qid, timeout=5000)
    room.window.questions.review_btn.click()  # the button raises the same window, not a second one
    assert room.window.review is desk
