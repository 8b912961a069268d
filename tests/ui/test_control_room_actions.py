"""What the director can do now (actions.py) and the engine's refusals in Chinese (refusals.py): no Qt."""

from wenzheng_studio.ui.control_room.actions import ACTIONS, HELD, NOT_CONNECTED, action_reasons, actions_enabled
from wenzheng_studio.ui.control_room.refusals import refusal_text

ORDER = [{"index": i, "title": f"环节{i}"} for i in range(9)]
SPEAKERS = [{"index": i, "name": n} for i, n in enumerate(("王建国", "李明华", "张志强"))]


def state(status="live", index=3, hold=False, question=None, poll=None, speaker=None, speakers=SPEAKERS):
    return {"show": {"status": status}, "segment": {"index": index, "hold": hold},
            "running_order": ORDER, "question": question, "poll": poll,
            "speaker": speaker, "speakers": speakers}


def test_question_off_air_and_answered_follow_the_question_on_air():
    off = actions_enabled(state(question=None), waiting_questions=3)
    assert not off["question_clear"] and not off["question_answered"] and off["question_on_air"]
    on = actions_enabled(state(question={"id": 7, "text": "路灯"}), waiting_questions=0)
    assert on["question_clear"] and on["question_answered"] and not on["question_on_air"]


def test_hold_locks_the_running_order_but_not_the_rest():
    reasons = action_reasons(state(hold=True, question={"id": 1}), goto_index=5)
    for name in ("take", "prev", "goto"):
        assert reasons[name] == HELD
    for name in ("hold", "end", "speaker_next", "timer_toggle", "question_clear"):
        assert reasons[name] == ""


def test_after_the_end_only_resume_moves_the_show():
    ended = actions_enabled(state(status="ended"), goto_index=4)
    assert ended["resume"]
    assert not any(ended[n] for n in ("take", "prev", "goto", "hold", "end", "speaker_next", "timer_toggle"))
    for status in ("standby", "live"):
        assert not actions_enabled(state(status=status))["resume"]


def test_standby_and_the_ends_of_the_running_order():
    standby = actions_enabled(state(status="standby", index=0), goto_index=0)
    assert standby["take"] and standby["goto"] and not standby["prev"] and not standby["end"]
    last = action_reasons(state(index=8))
    assert "最后一个环节" in last["take"] and last["prev"] == ""
    assert "第一个环节" in action_reasons(state(index=0))["prev"]
    assert "正在播出" in action_reasons(state(index=3), goto_index=3)["goto"]
    assert actions_enabled(state(index=3), goto_index=1)["goto"]
    assert not actions_enabled(state(index=3))["goto"]  # nothing chosen


def test_polls_by_poll_state():
    draft = {"id": 1, "state": "draft", "revealed": True}
    e = actions_enabled(state(), poll=draft)
    assert e["poll_open"] and not e["poll_close"] and not e["poll_reveal"] and not e["poll_clear"]
    hidden_open = {"id": 1, "state": "open", "revealed": False}
    e = actions_enabled(state(poll=hidden_open), poll=hidden_open)
    assert not e["poll_open"] and e["poll_close"] and e["poll_reveal"] and e["poll_clear"]
    assert not actions_enabled(state(), has_presets=False)["poll_create"]


def test_speakers():
    e = actions_enabled(state(speaker=None))
    assert e["speaker_next"] and not e["speaker_prev"] and not e["speaker_clear"]
    e = actions_enabled(state(speaker={"index": 2, "name": "张志强"}))
    assert not e["speaker_next"] and e["speaker_prev"] and e["speaker_clear"]
    assert not actions_enabled(state(speakers=[]))["speaker_next"]


def test_nothing_without_the_engine():
    for connection, st in (("disconnected", state()), ("connecting", state()), ("connected", {})):
        reasons = action_reasons(st, connection)
        assert set(reasons) == set(ACTIONS) and all(r == NOT_CONNECTED for r in reasons.values())


def test_refusals_are_chinese_sentences():
    cases = {
        "bad_transition: already on the last segment": "已是最后一个环节",
        "held: the running order is held (保持本环节); release the hold first": "保持本环节",
        "invalid: index must be a whole number": "内容不对",
        "unavailable: primary unreachable": "暂时无法处理",
        "not_found: no question 99": "找不到",
        "unauthorized: bad token": "没有操作权限",
        "rate_limited: slow down": "太频繁",
        "bad_transition: poll 3 is closed; only a draft can open": "已经开始过",
        "bad_transition: something new": "不允许",
        "HTTP 502": "引擎内部错误",
    }
    for raw, words in cases.items():
        text = refusal_text(raw)
        assert words in text, (raw, text)
        assert not any(c.isascii() and c.isalpha() for c in text.replace("H", "")), text  # no English on screen
