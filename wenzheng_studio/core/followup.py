"""After the show: what is owed to whom, and by when (seed 003).

Questions that do not reach air are referred to a unit and must be closed within
7 working days, hard ones within one month; a callback asks the citizen whether they
are satisfied. The unit's head (一把手) should answer at least half of the on-air
questions. Pure functions over question dicts (Question.view() / GET /api/questions),
so the engine, the review console and the report all count the same way.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping
from zoneinfo import ZoneInfo

ORDINARY_WORKING_DAYS = 7
HEAD_RATE_TARGET = 0.5
HEAD, DEPUTY = "head", "deputy"
HEAD_WORDS = ("head", "一把手")  # what an operator may type as `by` to mean the head
SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}
RESULTS = {"A": "已解决", "B": "正在解决", "C": "暂不能解决"}


def local_date(epoch: float, timezone: str = "Asia/Shanghai") -> date:
    """The calendar date at `epoch` in the show's time zone (a referral on Friday 23:30 in
    Shanghai is a Friday referral whatever the server's own zone is)."""
    try:
        zone = ZoneInfo(timezone)
    except Exception:  # unknown zone name: the scene check is elsewhere; fall back safely
        zone = ZoneInfo("Asia/Shanghai")
    return datetime.fromtimestamp(epoch, zone).date()


def add_working_days(start: date, days: int, holidays: Iterable[date] = ()) -> date:
    """`days` working days after `start` (Monday–Friday, minus holidays); start itself
    does not count, so a Friday referral with 7 days is due the Tuesday of week+2."""
    off = set(holidays)
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5 and current not in off:
            left -= 1
    return current


def add_one_month(start: date) -> date:
    """The same day next month, clamped to the month's end (31 Jan → 28/29 Feb)."""
    year, month = (start.year + 1, 1) if start.month == 12 else (start.year, start.month + 1)
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def due_date(referred_on: date, hard: bool = False, holidays: Iterable[date] = ()) -> date:
    return add_one_month(referred_on) if hard else add_working_days(referred_on, ORDINARY_WORKING_DAYS, holidays)


def is_open_followup(q: Mapping[str, Any]) -> bool:
    """Referred and not yet closed with a result."""
    return q.get("state") == "referred"


def is_overdue(q: Mapping[str, Any], today: date) -> bool:
    due = q.get("due") or ""
    if not is_open_followup(q) or not due:
        return False
    try:
        return date.fromisoformat(due) < today
    except ValueError:
        return False


def days_left(q: Mapping[str, Any], today: date) -> int | None:
    try:
        return (date.fromisoformat(q.get("due") or "") - today).days
    except ValueError:
        return None


def followup_list(questions: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Every referred or closed question, open ones first, each group by due date."""
    items = [q for q in questions if q.get("state") in ("referred", "closed")]
    return sorted(items, key=lambda q: (q.get("state") != "referred", q.get("due") or "9999-99-99", q.get("id", 0)))


def answered_on_air(q: Mapping[str, Any]) -> bool:
    """Answered on air: answered now, or answered and then referred/closed."""
    return bool(q.get("answered_at")) or q.get("state") == "answered"


def answered_by_head(q: Mapping[str, Any], heads: Mapping[str, str] | None = None) -> bool:
    role = q.get("answered_role") or ""
    if role:
        return role == HEAD
    by = (q.get("answered_by") or "").strip()
    if by in HEAD_WORDS:
        return True
    head = (heads or {}).get(q.get("unit") or "")
    return bool(head) and by == head


def head_answer_rate(questions: Iterable[Mapping[str, Any]],
                     heads: Mapping[str, str] | None = None) -> tuple[int, int, float | None]:
    """(answered by the head, answered on air, rate or None when nothing was answered)."""
    answered = [q for q in questions if answered_on_air(q)]
    by_head = sum(1 for q in answered if answered_by_head(q, heads))
    return by_head, len(answered), (by_head / len(answered) if answered else None)


def heads_from_scene(scene: Mapping[str, Any]) -> dict[str, str]:
    """{unit name: head's name} from GET /api/scene (short names map too)."""
    heads: dict[str, str] = {}
    for unit in scene.get("units", []) or []:
        if unit.get("head"):
            heads[unit.get("name", "")] = unit["head"]
            if unit.get("short"):
                heads[unit["short"]] = unit["head"]
    return heads
