"""The review flow in the pure core: every source, both reviews, follow-up, refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.questions import Question, mask_phone
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import Show

SCENE = Path(__file__).resolve().parents[2] / "scenes" / "baixing-wenzheng.toml"

NOW = 1_790_000_000.0  # Monday 2026-09-21 22:13 in Shanghai


@pytest.fixture
def show():
    return Show(load_scene(SCENE), sensitive_words=("敏感",))


def act(show, qid, action, **fields):
    return show.question_action(qid, {"action": action, **fields}, NOW)[0]


@pytest.mark.parametrize("source,operator", [("web", False), ("hotline", True), ("studio", True)])
def test_each_source_goes_through_both_reviews_to_air(show, source, operator):
    q, change = show.add_question({"text": "小区电梯坏了", "source": source}, NOW, operator=operator)
    assert q.state == "new" and change.questions == [q.id]
    with pytest.raises(DomainError) as e:
        act(show, q.id, "on_air")
    assert e.value.status == 409
    act(show, q.id, "screen")
    with pytest.raises(DomainError):
        act(show, q.id, "on_air")  # the first review alone is not enough
    act(show, q.id, "approve")
    act(show, q.id, "on_air")
    assert show.state(NOW)["question"]["text"] == "小区电梯坏了"
    q = act(show, q.id, "answered", by="王建国", role="head")
    assert (q.state, q.answered_role, q.on_air_at) == ("answered", "head", NOW)


def test_web_cannot_claim_hotline_or_phone(show):
    with pytest.raises(DomainError) as e:
        show.add_question({"text": "x", "source": "hotline"}, NOW, operator=False)
    assert e.value.status == 401
    with pytest.raises(DomainError):
        show.add_question({"text": "x", "phone": "13812345678"}, NOW, operator=False)


@pytest.mark.parametrize("text", ["", "   ", "a" * 501, "bell\x07", "nul\x00", None, 12])
def test_bad_text_is_refused(show, text):
    with pytest.raises(DomainError) as e:
        show.add_question({"text": text}, NOW, operator=False)
    assert e.value.status == 400
    assert not show.questions


def test_markup_is_stored_verbatim_and_sensitive_words_flag(show):
    text = "<img src=x onerror=alert(1)><script>window.pwned=1</script> 敏感"
    q, _ = show.add_question({"text": text}, NOW, operator=False)
    assert q.text == text and q.flagged == ["敏感"]


def test_anonymous_drops_the_name(show):
    q, _ = show.add_question({"text": "意见箱", "name": "张三", "anonymous": True}, NOW, operator=False)
    assert q.name == "" and q.anonymous


def test_edit_keeps_original_and_air_uses_edit(show):
    q, _ = show.add_question({"text": "原文 很长很长", "source": "studio"}, NOW, operator=True)
    act(show, q.id, "edit", air_text="播出稿", unit="市城市管理局")
    act(show, q.id, "screen"); act(show, q.id, "approve"); act(show, q.id, "on_air")
    assert q.text == "原文 很长很长"
    assert show.state(NOW)["question"] == {"id": q.id, "text": "播出稿", "name": "", "district": "",
                                           "unit": "市城市管理局", "source": "studio"}


def test_merge_counts_duplicates_and_rejects_the_copy(show):
    a, _ = show.add_question({"text": "电梯"}, NOW, operator=False)
    b, _ = show.add_question({"text": "电梯坏了"}, NOW, operator=False)
    c, _ = show.add_question({"text": "还是电梯"}, NOW, operator=False)
    act(show, b.id, "merge", into=a.id)
    _, change = show.question_action(c.id, {"action": "merge", "into": a.id}, NOW)
    assert sorted(change.questions) == [a.id, c.id]
    assert a.count == 3 and b.state == c.state == "rejected" and b.merged_into == a.id
    with pytest.raises(DomainError):
        act(show, a.id, "merge", into=a.id)
    with pytest.raises(DomainError):
        act(show, a.id, "merge", into=b.id)  # into a rejected one
    with pytest.raises(DomainError) as e:
        act(show, a.id, "merge", into=999)
    assert e.value.status == 404


def test_reject_reason_and_no_way_back(show):
    q, _ = show.add_question({"text": "广告"}, NOW, operator=False)
    act(show, q.id, "reject", reason="与主题无关")
    assert q.reason == "与主题无关"
    for action in ("screen", "approve", "on_air", "edit"):
        with pytest.raises(DomainError) as e:
            act(show, q.id, action, air_text="x")
        assert e.value.status == 409


def test_next_on_air_sends_unanswered_one_back(show):
    ids = []
    for text in ("一", "二"):
        q, _ = show.add_question({"text": text}, NOW, operator=False)
        act(show, q.id, "screen"); act(show, q.id, "approve")
        ids.append(q.id)
    act(show, ids[0], "on_air")
    act(show, ids[1], "on_air")
    assert show.questions[ids[0]].state == "approved"
    assert show.state(NOW)["question"]["id"] == ids[1]


def test_refer_computes_due_in_working_days_or_a_month(show):
    a, _ = show.add_question({"text": "一般"}, NOW, operator=False)
    b, _ = show.add_question({"text": "疑难"}, NOW, operator=False)
    for q in (a, b):
        act(show, q.id, "screen"); act(show, q.id, "approve")
    act(show, a.id, "refer", unit="市交通运输局")
    act(show, b.id, "refer", unit="市交通运输局", hard=True)
    assert a.due == "2026-09-30"  # Mon 21 Sep + 7 working days
    assert b.due == "2026-10-21" and b.hard
    q = act(show, a.id, "reply", reply="已维修")
    assert q.reply == "已维修" and q.state == "referred"
    act(show, a.id, "close", result="A")
    q = act(show, a.id, "callback", satisfaction="satisfied", note="市民表示满意")
    assert (q.state, q.result, q.satisfaction) == ("closed", "A", "satisfied")
    with pytest.raises(DomainError):
        act(show, b.id, "close", result="D")
    with pytest.raises(DomainError):
        act(show, b.id, "callback", satisfaction="great")


def test_refused_refer_changes_nothing(show):
    q, _ = show.add_question({"text": "x", "unit": "原单位"}, NOW, operator=False)
    act(show, q.id, "screen"); act(show, q.id, "approve")
    with pytest.raises(DomainError):
        act(show, q.id, "refer", unit="新单位", due="2026-02-30")
    assert (q.state, q.refer_unit, q.due) == ("approved", "", "")


def test_reorder_and_priority_rank_the_queue(show):
    qs = [show.add_question({"text": t}, NOW, operator=False)[0] for t in "ABC"]
    act(show, qs[2].id, "reorder", rank=0.0)  # rank 0 is a real position, not "unset"
    assert [q.text for q in show.questions_sorted()] == ["C", "A", "B"]
    act(show, qs[1].id, "priority", priority=3)
    assert [q.text for q in show.questions_sorted()] == ["B", "C", "A"]
    with pytest.raises(DomainError):
        act(show, qs[0].id, "reorder", rank="first")


def test_questions_survive_a_restore(show):
    q, _ = show.add_question({"text": "保存", "source": "hotline", "phone": "13812345678"}, NOW, operator=True)
    act(show, q.id, "screen")
    again = Show(show.scene)
    again.restore(show.meta(), [], [x.to_dict() for x in show.questions.values()], [])
    restored = again.questions[q.id]
    assert restored.state == "screened" and restored.phone == "13812345678"
    assert restored.view()["phone"] == "138****5678"
    old = Question.from_dict({"id": 9, "source": "web", "text": "旧记录"})
    assert (old.count, old.rank) == (1, 9.0)


def test_mask_phone():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("138-1234-5678") == "138****5678"


def test_an_operator_can_create_a_question_already_screened_in_one_write():
    from wenzheng_studio.core.errors import DomainError
    from wenzheng_studio.core.questions import Question

    q = Question.create(1, {"text": "热线", "source": "hotline", "screened": True}, 5.0, operator=True)
    assert q.state == "screened" and [h["action"] for h in q.history] == ["created", "screen"]
    with pytest.raises(DomainError):  # web viewers cannot skip the first review
        Question.create(2, {"text": "网络", "screened": True}, 5.0, operator=False)
