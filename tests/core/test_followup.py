from datetime import date

from wenzheng_studio.core.followup import (add_one_month, add_working_days, due_date, followup_list,
                                           head_answer_rate, is_overdue, local_date)


def test_working_days_skip_weekends_and_holidays():
    friday = date(2026, 9, 25)
    assert add_working_days(friday, 1) == date(2026, 9, 28)
    assert add_working_days(friday, 7) == date(2026, 10, 6)
    golden_week = [date(2026, 10, d) for d in range(1, 8)]
    assert add_working_days(friday, 7, golden_week) == date(2026, 10, 13)
    assert due_date(friday) == date(2026, 10, 6)


def test_one_month_clamps_to_month_end():
    assert add_one_month(date(2026, 1, 31)) == date(2026, 2, 28)
    assert add_one_month(date(2028, 1, 31)) == date(2028, 2, 29)
    assert add_one_month(date(2026, 12, 15)) == date(2027, 1, 15)
    assert due_date(date(2026, 3, 10), hard=True) == date(2026, 4, 10)


def test_local_date_uses_show_time_zone():
    # 2026-09-25 16:30 UTC is already Saturday 00:30 in Shanghai
    assert local_date(1790353800.0, "Asia/Shanghai") == date(2026, 9, 26)
    assert local_date(1790353800.0, "UTC") == date(2026, 9, 25)


def test_overdue_only_for_open_referrals():
    today = date(2026, 10, 10)
    assert is_overdue({"state": "referred", "due": "2026-10-09"}, today)
    assert not is_overdue({"state": "referred", "due": "2026-10-10"}, today)
    assert not is_overdue({"state": "closed", "due": "2026-10-01"}, today)
    assert not is_overdue({"state": "referred", "due": ""}, today)


def test_followup_list_open_first_by_due():
    qs = [{"id": 1, "state": "closed", "due": "2026-01-01"}, {"id": 2, "state": "referred", "due": "2026-03-01"},
          {"id": 3, "state": "referred", "due": "2026-02-01"}, {"id": 4, "state": "approved"}]
    assert [q["id"] for q in followup_list(qs)] == [3, 2, 1]


def test_head_rate_counts_role_name_and_words():
    heads = {"市住房和城乡建设局": "王建国"}
    qs = [
        {"state": "answered", "answered_at": 1, "answered_role": "head"},
        {"state": "referred", "answered_at": 1, "answered_by": "王建国", "unit": "市住房和城乡建设局"},
        {"state": "answered", "answered_at": 1, "answered_by": "副局长", "answered_role": "deputy"},
        {"state": "answered", "answered_at": 1, "answered_by": "一把手"},
        {"state": "approved"},
    ]
    assert head_answer_rate(qs, heads) == (3, 4, 0.75)
    assert head_answer_rate([], heads) == (0, 0, None)
