"""The rules of what is on air (issue #12): one rule per test, on the Show alone."""

import pytest

from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import Show
from wenzheng_studio.paths import scenes_dir

SCENE = load_scene(scenes_dir() / "baixing-wenzheng.toml")
T0 = 1_800_000_000.0
QUESTIONS = next(i for i, s in enumerate(SCENE.segments) if s.key == "questions")


def approved(show: Show, text="路灯坏了三个月", unit="") -> int:
    q, _ = show.add_question({"text": text, **({"unit": unit} if unit else {})}, T0, operator=True)
    show.question_action(q.id, {"action": "screen"}, T0)
    show.question_action(q.id, {"action": "approve"}, T0)
    return q.id


def live_in_questions() -> Show:
    show = Show(SCENE)
    show.control({"action": "segment.goto", "index": QUESTIONS}, T0)
    return show


# --- 1. a question leaves the air when answered, and when the segment changes -----------
def test_answered_takes_the_question_off_air_and_the_speaker_stays():
    show = live_in_questions()
    qid = approved(show, unit="市城市管理局")
    show.question_action(qid, {"action": "on_air"}, T0 + 1)
    speaker = show.state(T0 + 2)["speaker"]
    assert show.state(T0 + 2)["question"]["id"] == qid
    _, change = show.question_action(qid, {"action": "answered", "role": "head"}, T0 + 60)
    state = show.state(T0 + 61)
    assert state["question"] is None
    assert state["speaker"] == speaker, "the lower third returns to the speaker"
    assert show.questions[qid].state == "answered" and change.show


@pytest.mark.parametrize("leave", [{"action": "segment.next"}, {"action": "segment.goto", "index": 0},
                                   {"action": "segment.prev"}])
def test_leaving_the_segment_takes_the_question_off_air_and_back_to_the_queue(leave):
    show = live_in_questions()
    qid = approved(show)
    show.question_action(qid, {"action": "on_air"}, T0 + 1)
    change = show.control(leave, T0 + 5)
    assert show.state(T0 + 6)["question"] is None
    assert show.questions[qid].state == "approved"
    assert qid in change.questions, "the question's record changed too: it must be written"
    assert show.questions[qid].history[-1]["action"] == "off_air"


def test_ending_the_show_takes_the_question_off_air():
    show = live_in_questions()
    qid = approved(show)
    show.question_action(qid, {"action": "on_air"}, T0 + 1)
    change = show.control({"action": "show.end"}, T0 + 2)
    assert show.state(T0 + 3)["question"] is None and change.questions == [qid]


def test_question_clear_writes_the_question_back_to_the_queue():
    show = live_in_questions()
    qid = approved(show)
    show.question_action(qid, {"action": "on_air"}, T0 + 1)
    change = show.control({"action": "question.clear"}, T0 + 2)
    assert change.questions == [qid] and show.questions[qid].state == "approved"


# --- 2. nothing on air in wording that was not approved ---------------------------------
@pytest.mark.parametrize("field, value", [("air_text", "改过的措辞"), ("unit", "市交通运输局")])
def test_rewording_an_approved_question_needs_final_review_again(field, value):
    show = live_in_questions()
    qid = approved(show)
    show.question_action(qid, {"action": "edit", field: value}, T0 + 1)
    q = show.questions[qid]
    assert q.state == "screened"
    assert q.history[-1]["action"] == "edit" and q.history[-1]["reapproval"] is True
    with pytest.raises(DomainError) as refused:
        show.question_action(qid, {"action": "on_air"}, T0 + 2)
    assert refused.value.status == 409
    show.question_action(qid, {"action": "approve"}, T0 + 3)
    show.question_action(qid, {"action": "on_air"}, T0 + 4)
    assert show.state(T0 + 5)["question"]["text"] == (value if field == "air_text" else q.text)
    assert [h["action"] for h in q.history][-3:] == ["edit", "approve", "on_air"]


def test_a_topic_edit_or_the_same_wording_keeps_the_approval():
    show = live_in_questions()
    qid = approved(show)
    show.question_action(qid, {"action": "edit", "topic": "路灯"}, T0 + 1)
    show.question_action(qid, {"action": "edit", "air_text": ""}, T0 + 1)  # unchanged (empty → empty)
    assert show.questions[qid].state == "approved"


def test_a_question_on_air_cannot_be_reworded():
    show = live_in_questions()
    qid = approved(show)
    show.question_action(qid, {"action": "on_air"}, T0 + 1)
    with pytest.raises(DomainError) as refused:
        show.question_action(qid, {"action": "edit", "air_text": "偷偷改"}, T0 + 2)
    assert refused.value.status == 409
    assert show.state(T0 + 3)["question"]["text"] == "路灯坏了三个月"


@pytest.mark.parametrize("state", ["new", "screened"])
def test_only_an_approved_question_goes_on_air(state):
    show = live_in_questions()
    q, _ = show.add_question({"text": "未审"}, T0, operator=True)
    if state == "screened":
        show.question_action(q.id, {"action": "screen"}, T0)
    with pytest.raises(DomainError) as refused:
        show.question_action(q.id, {"action": "on_air"}, T0 + 1)
    assert refused.value.status == 409 and show.state(T0 + 2)["question"] is None


# --- 3. the answer follows the question -------------------------------------------------
@pytest.mark.parametrize("unit", ["市城市管理局", "城管局"])
def test_on_air_makes_the_units_head_the_speaker_on_the_answer_clock(unit):
    show = live_in_questions()
    qid = approved(show, unit=unit)
    show.question_action(qid, {"action": "on_air"}, T0 + 10)
    state = show.state(T0 + 12)
    assert state["speaker"]["unit"] == "市城市管理局" and state["speaker"]["name"] == "李明华"
    assert state["timer"]["running"] and state["timer"]["duration_s"] == SCENE.segments[QUESTIONS].timer.seconds == 120
    assert state["timer"]["remaining_s"] == pytest.approx(118)


@pytest.mark.parametrize("unit", ["", "市教育局"])
def test_without_a_unit_head_the_text_goes_on_air_and_the_speaker_stays(unit):
    show = live_in_questions()
    show.control({"action": "speaker.goto", "index": 2}, T0 + 1)
    before = show.state(T0 + 2)
    qid = approved(show, unit=unit)
    show.question_action(qid, {"action": "on_air"}, T0 + 3)
    state = show.state(T0 + 3)
    assert state["question"]["id"] == qid
    assert state["speaker"] == before["speaker"] and show.timer.started_at == T0 + 1


# --- 4. hold means hold -----------------------------------------------------------------
@pytest.mark.parametrize("move", [{"action": "segment.next"}, {"action": "segment.prev"},
                                  {"action": "segment.goto", "index": 0}])
def test_hold_refuses_every_move_of_the_running_order(move):
    show = live_in_questions()
    show.control({"action": "segment.hold", "on": True}, T0 + 1)
    with pytest.raises(DomainError) as refused:
        show.control(move, T0 + 2)
    assert (refused.value.code, refused.value.status) == ("held", 409)
    state = show.state(T0 + 100)
    assert state["segment"]["index"] == QUESTIONS and state["segment"]["hold"] is True
    assert state["segment"]["elapsed_s"] == pytest.approx(100), "air time keeps running while held"
    show.control({"action": "segment.hold", "on": False}, T0 + 101)
    show.control(move, T0 + 102)
    assert show.state(T0 + 103)["segment"]["index"] != QUESTIONS


def test_hold_on_must_be_a_boolean():
    show = live_in_questions()
    with pytest.raises(DomainError):
        show.control({"action": "segment.hold", "on": "yes"}, T0)
    assert show.order.hold is False


# --- 5. an accidental end can be undone -------------------------------------------------
def test_resume_puts_the_show_back_live_in_the_segment_it_ended_in():
    show = live_in_questions()
    show.control({"action": "show.end"}, T0 + 30)
    assert show.state(T0 + 31)["show"]["status"] == "ended"
    with pytest.raises(DomainError):
        show.control({"action": "segment.next"}, T0 + 32)
    show.control({"action": "show.resume"}, T0 + 40)
    state = show.state(T0 + 50)
    assert state["show"]["status"] == "live" and state["segment"]["index"] == QUESTIONS
    assert state["show"]["interruptions"] == [{"ended_at": T0 + 30, "resumed_at": T0 + 40}]
    assert state["segment"]["elapsed_s"] == pytest.approx(50), "the broadcast never stopped"
    show.control({"action": "segment.next"}, T0 + 60)  # and the show goes on
    restored = Show(SCENE)
    restored.restore(show.meta(), [], [], [])
    assert restored.state(T0 + 61)["show"]["interruptions"] == state["show"]["interruptions"]


def test_resume_is_only_for_an_ended_show():
    show = live_in_questions()
    with pytest.raises(DomainError) as refused:
        show.control({"action": "show.resume"}, T0 + 1)
    assert refused.value.status == 409


def test_rehearsal_is_in_the_state_and_survives_a_restore():
    show = Show(SCENE)
    assert show.state(T0)["show"]["rehearsal"] is False
    show.rehearsal = True
    restored = Show(SCENE)
    restored.restore(show.meta(), [], [], [])
    assert restored.state(T0)["show"]["rehearsal"] is True
