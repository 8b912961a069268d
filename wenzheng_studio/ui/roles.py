"""Who may press what: the crew's roles as the windows show them, in one place (no Qt).

The engine decides (it answers 403 `forbidden` to anything a role may not do); the windows
only grey out what the signed-in person's role cannot use, so nobody presses a button that
is bound to be refused. `GET /api/whoami` gives the role; until it is known (or from an
engine without roles) nothing is greyed out here — the engine still refuses.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

ROLE_NAMES = {"director": "导演", "screener": "热线导播", "reviewer": "审核", "graphics": "图文",
              "observer": "观察员"}
ROLES = tuple(ROLE_NAMES)

# What each role may do besides reading. Names: question actions (POST /api/questions/ID),
# control actions (POST /api/control), and a few of the windows' own.
REVIEW_ACTIONS = frozenset({"screen", "approve", "reject", "edit", "merge", "refer", "reply", "callback", "close"})
DIRECTOR_ONLY = frozenset({"on_air", "answered", "priority", "reorder", "question.clear", "operators",
                           "message.set", "message.clear"})
ALLOWED: dict[str, frozenset[str]] = {
    "screener": frozenset({"question.create", "caller_history"}),
    "reviewer": REVIEW_ACTIONS,
    "graphics": frozenset({"overlay.set", "ranking.hide"}),  # takes the ranking board off, never reveals it
    "observer": frozenset(),
}

ROLE_DUTIES = {
    "director": "一切操作：流程、计时、投票、上播问题、人员与登录码",
    "screener": "录入热线来电（电话、话题、备注、优先级），查来电历史，查看队列",
    "reviewer": "初审、终审、不采用、改稿、合并、转办、单位回复、回访、办结",
    "graphics": "图文开关（自动/显示/隐藏），查看节目状态；播出窗口无需登录",
    "observer": "只看，不能操作",
}


def role_name(role: str | None) -> str:
    return ROLE_NAMES.get(role or "", role or "")


def allows(role: str | None, action: str) -> bool:
    """True if `role` may take `action`. None (not known yet): True — the engine decides."""
    if role is None or role == "director":
        return True
    return action in ALLOWED.get(role, frozenset())


def refusal(role: str | None, action: str) -> str:
    """"" when allowed, else the sentence a greyed-out button's tooltip says."""
    if allows(role, action):
        return ""
    if action in DIRECTOR_ONLY:
        return f"只有导演可以这样做（您是{role_name(role)}）"
    return f"{role_name(role)}不能这样做"


def identity_text(identity: Mapping[str, Any] | None, tr: Callable[[str], str] = str) -> str:
    """"张三 · 审核" — the name alone when it is the role's own name (the director: "导演").
    `tr` translates the role's name (the control room's --lang); a person's name stays as given."""
    if not identity or not identity.get("role"):
        return ""
    name, role = str(identity.get("name") or ""), role_name(identity.get("role"))
    if name and name != role:
        return f"{name} · {tr(role)}"
    return tr(role)
