"""The engine's refusals in words a director reads at a glance (pure, no Qt).

The engine answers `{"error": CODE, "message": ENGLISH}`; the bridge reports "CODE: message".
The director's screen shows a Chinese sentence; the English original goes in a tooltip.
"""

from __future__ import annotations

import re

CODES: dict[str, str] = {
    "bad_transition": "当前流程不允许这个操作",
    "held": "保持本环节中，流程已锁定：先按 H 解除保持",
    "invalid": "请求的内容不对（缺少或填错了一项）",
    "bad_json": "请求格式错误",
    "bad_kind": "没有这种投票类型",
    "bad_action": "引擎不认识这个操作（版本不一致？）",
    "unavailable": "引擎暂时无法处理（主引擎连不上或存储失败），请重试",
    "not_found": "找不到这一项（可能已被删除或合并）",
    "unauthorized": "没有操作权限（口令不对）",
    "rate_limited": "操作太频繁，请稍等再试",
    "too_large": "内容太长",
    "method_not_allowed": "引擎不接受这种请求",
    "primary_only": "只有主引擎能导出",
    "unreachable": "连不上引擎，操作没有送达",
}

# bad_transition comes with a sentence naming the rule; the common ones have their own words.
MESSAGES: tuple[tuple[str, str], ...] = (
    ("already on the last segment", "已是最后一个环节"),
    ("already on the first segment", "已是第一个环节"),
    ("has ended", "节目已结束（可按“恢复直播”继续）"),
    ("has not ended", "节目没有结束，无需恢复"),
    ("not live", "节目不在直播中"),
    ("has no speakers", "本环节没有发言人"),
    ("no more speakers", "已是最后一位发言人"),
    ("only a draft can open", "这个投票已经开始过了"),
    ("only an open poll can close", "投票没有在进行"),
    ("cannot be reworded", "问题在播出中，不能改写：先撤下"),
)

_CODE = re.compile(r"^([a-z_]+):\s*(.*)$", re.S)


def split_error(text: str) -> tuple[str, str]:
    """"bad_transition: already on the last segment" → ("bad_transition", "already on …")."""
    m = _CODE.match(text.strip())
    return (m.group(1), m.group(2).strip()) if m else ("", text.strip())


def refusal_text(text: str) -> str:
    """The Chinese sentence for an engine error as the bridge reports it."""
    code, message = split_error(text)
    if code == "bad_transition":
        low = message.lower()
        for needle, words in MESSAGES:
            if needle in low:
                return words
    if code in CODES:
        return CODES[code]
    status = re.match(r"^HTTP (\d+)$", text.strip())
    if status:
        n = int(status.group(1))
        return "引擎内部错误，请重试" if n >= 500 else f"引擎拒绝了这个操作（{n}）"
    return "引擎拒绝了这个操作"
