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


# --- the running order edited live (issue 13) ---------------------------------------------
EDITS = ("segment_edit", "segment_insert", "segment_remove", "speaker_edit", "speaker_insert", "speaker_remove",
         "undo")


def edit_state(**over):
    st = state(**over)
    st["running_order"] = [{"index": i, "key": f"s{i}", "title": f"环节{i}", "planned_s": 300,
                            "actual_s": 60.0 if i < 3 else 0.0, "on_air": i == 3} for i in range(9)]
    return st


def test_only_a_director_edits_the_running_order():
    for role in (None, "observer", "reviewer", "graphics", "screener"):
        reasons = action_reasons(edit_state(), role=role, goto_index=5, speaker_index=1, undo="x")
        assert all("只有导演可以修改节目流程和发言人" in reasons[n] for n in EDITS), role
    assert "观察员" in action_reasons(edit_state(), role="observer")["segment_edit"]
    ok = actions_enabled(edit_state(), role="director", goto_index=5, speaker_index=1, undo="改名")
    assert all(ok[n] for n in EDITS)


def test_what_cannot_be_deleted_or_undone():
    r = action_reasons(edit_state(speaker={"index": 1, "name": "李明华"}), role="director", goto_index=3,
                       speaker_index=1)
    assert "正在播出的环节不能删除" in r["segment_remove"] and "正在发言" in r["speaker_remove"]
    assert "没有可撤销" in r["undo"] and r["segment_edit"] == "" and r["segment_insert"] == ""
    assert "已经播过" in action_reasons(edit_state(), role="director", goto_index=1)["segment_remove"]
    assert "选择" in action_reasons(edit_state(), role="director")["segment_remove"]
    assert "选择" in action_reasons(edit_state(), role="director")["speaker_remove"]


def test_edit_refusals_in_chinese():
    cases = {
        'invalid: segments[2].planned: must be a duration like "5:00" (minutes:seconds), not \'7:75\'': "分:秒",
        "invalid: segments[2].planned: must be between 1 second and 24 hours, not 0 s": "1 秒到 24 小时",
        "invalid: segments[4].title: must not be empty": "标题不能为空",
        "invalid: speaker.name: must not be empty": "姓名不能为空",
        "on_air: this segment is on air: take the next one first": "正在播出的环节不能删除",
        "on_air: this speaker is speaking: mark the next one first": "正在发言",
        "bad_transition: this segment has already run: its time stays in the record": "已经播过",
        "invalid: a running order keeps at least one segment": "至少要保留一个环节",
        "forbidden: observer may not segment.update": "没有权限",
    }
    for raw, words in cases.items():
        assert words in refusal_text(raw), (raw, refusal_text(raw))


def test_each_edit_has_its_inverse():
    from wenzheng_studio.ui.control_room import edits

    st = edit_state(speakers=[{"index": 0, "name": "王建国", "title": "局长", "unit": "市住建局"}])
    assert edits.segment_update(st, 4, {"title": "新"}).fields == {"index": 4, "title": "环节4"}
    assert edits.segment_update(st, 4, {"planned": "6:00"}).fields == {"index": 4, "planned_s": 300}
    step = edits.segment_move(st, 4, 7)
    assert (step.action, step.fields, step.expect) == ("segment.move", {"index": 7, "to": 4}, (7, "s4"))
    assert edits.segment_insert(2, {"title": "插播"}, "seg-10").fields == {"index": 2}
    scene_seg = {"key": "s5", "title": "环节5", "planned_s": 300, "kind": "speakers", "speakers": [{"name": "甲"}],
                 "timer": {"seconds": 60, "warning_s": 10, "danger_s": 5, "cut_at_zero": False},
                 "poll_kind": None, "poll_title": "", "note": "", "obs_scene": ""}
    back = edits.segment_remove(st, 5, scene_seg)
    assert back.action == "segment.insert" and back.fields["at"] == 5
    assert back.fields["segment"]["speakers"] == [{"name": "甲"}] and "poll_kind" not in back.fields["segment"]
    assert edits.segment_remove(st, 5, None).fields["segment"] == {"key": "s5", "title": "环节5", "planned_s": 300}
    assert edits.speaker_remove(st, 3, 0).fields == {"segment": 3, "at": 0, "speaker": {
        "name": "王建国", "title": "局长", "unit": "市住建局"}}
    assert edits.speaker_update(st, 3, 0, "unit", "x").fields == {"segment": 3, "index": 0, "unit": "市住建局"}
    assert edits.speaker_move(st, 3, 0, 2).fields == {"segment": 3, "index": 2, "to": 0}
    assert edits.on_air_title("segment.update", {"index": 3}, st) == "环节3"
    assert edits.on_air_title("segment.update", {"index": 4}, st) == ""
    assert edits.on_air_title("speaker.move", {"segment": 3}, st) == "环节3"
    assert edits.on_air_title("segment.update", {"index": 3}, edit_state(status="standby")) == ""
    assert not edits.still_fits(step, st)  # s4 is not at 7: the running order changed under the undo


def test_messages_to_the_talent_are_the_directors_and_clear_needs_a_message():
    shown = {**state(), "message": {"text": "请抓紧时间", "at": 1.0}}
    ok = actions_enabled(shown, role="director")
    assert ok["message_set"] and ok["message_clear"]
    none = action_reasons(state(), role="director")
    assert none["message_set"] == "" and none["message_clear"] == "发言人屏幕上没有提示"
    for role in ("graphics", "reviewer", "screener", "observer"):
        reasons = action_reasons(shown, role=role)
        assert "只有导演" in reasons["message_set"] and "只有导演" in reasons["message_clear"], role
    assert action_reasons(shown, "disconnected")["message_set"] == NOT_CONNECTED


def test_message_refusals_in_chinese():
    assert refusal_text("invalid: text is longer than 40 characters") == "给发言人的提示最多 40 个字"
    assert refusal_text("invalid: text must not be empty") == "提示内容不能为空"
    assert refusal_text("invalid: text must be one line") == "提示只能是一行字"
    assert refusal_text("invalid: text contains text that is not valid Unicode (a lone surrogate)") == \
        "提示里有不能显示的字符"
    assert refusal_text("invalid: text contains a text-direction control character (U+202A–202E, U+2066–2069)") == \
        "提示里有不能显示的字符"
    assert refusal_text("invalid: text has no visible character") == "提示里没有看得见的字"


def test_a_pool_row_with_control_characters_reads_in_chinese_whatever_their_kind():
    from wenzheng_studio.core.errors import DomainError
    from wenzheng_studio.core.representatives import parse_pool
    from wenzheng_studio.ui.control_room.refusals import pool_refusal_lines

    for bad in ("张\x07三", "张\u202e三"):
        try:
            parse_pool(f"姓名,界别\n{bad},市民代表\n".encode())
        except DomainError as refused:
            lines = pool_refusal_lines(refused.message)
        else:
            raise AssertionError(f"{bad!r} was imported")
        assert any("第 2 行" in line and "含有控制字符" in line for line in lines), lines
