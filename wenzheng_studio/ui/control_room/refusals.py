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
    "forbidden": "没有权限：您的角色不能这样做",
    "on_air": "正在播出，不能这样改",
    "already_scored": "这个单位已有测评投票：重新测评须确认",
    "no_ranking": "这个组还没有总成绩：先导入成绩并完成听证评分",
    "bad_import": "文件有误，未导入任何内容",
    "bad_quota": "名额有误，未抽选",
    "no_pool": "请先导入代表库",
    "no_draw": "还没有抽选",
    "already_drawn": "已经抽选过：勾选“替换上一次抽选”才能重抽",
    "seats_issued": "座位卡已发放，不能再更换代表库或重新抽选",
    "stale_draw": "抽选之后代表库已更换：请勾选“替换上一次抽选”重新抽选，再发座位卡",
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
    ("has already run", "这个环节已经播过，不能删除（它的时长留在记录里）"),
)

# The running order edited live (issue 13): `invalid` and `on_air` come with the scene
# loader's own words; the director reads what was wrong with the value just typed.
EDIT_MESSAGES: tuple[tuple[str, str], ...] = (
    ("this segment is on air", "正在播出的环节不能删除（先切到下一个环节）"),
    ("this speaker is speaking", "这位正在发言，不能删除（先按 N 换下一位）"),
    ("planned: must be a duration", "计划时长要写成 分:秒，例如 5:00"),
    ("planned: must be between", "计划时长须在 1 秒到 24 小时之间"),
    ("planned: is missing", "请填写计划时长（分:秒）"),
    ("title: must not be empty", "标题不能为空"),
    ("title: is missing", "标题不能为空"),
    ("name: must not be empty", "姓名不能为空"),
    ("name: is missing", "姓名不能为空"),
    ("at most 100 characters", "姓名、职务、单位最多 100 个字，且只能是普通文字"),
    ("is used by another segment", "这个环节代号已被别的环节占用"),
    ("holds at most", "数量已到上限，不能再添加"),
    ("keeps at least one segment", "节目流程至少要保留一个环节"),
    ("must be a whole number from 0 to", "没有这个位置（流程可能刚被别处改动，请再试）"),
    (".kind: must be one of", "没有这种环节类型"),
    # Messages to the talent (message.set): operator text, cleaned like every text.
    ("text is longer than", "给发言人的提示最多 40 个字"),
    ("text must not be empty", "提示内容不能为空"),
    ("text is required", "提示内容不能为空"),
    ("text must be one line", "提示只能是一行字"),
    ("text contains", "提示里有不能显示的字符"),
    ("text has no visible character", "提示里没有看得见的字"),
)

_CODE = re.compile(r"^([a-z_]+):\s*(.*)$", re.S)


def split_error(text: str) -> tuple[str, str]:
    """"bad_transition: already on the last segment" → ("bad_transition", "already on …")."""
    m = _CODE.match(text.strip())
    return (m.group(1), m.group(2).strip()) if m else ("", text.strip())


def refusal_text(text: str) -> str:
    """The Chinese sentence for an engine error as the bridge reports it."""
    code, message = split_error(text)
    if code in ("invalid", "on_air"):
        low = message.lower()
        for needle, words in EDIT_MESSAGES:
            if needle in low:
                return words
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


# 评议代表库: the engine names each bad row or quota; the draw dialog lists them in Chinese.
POOL_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"^row (\d+): (.*)$", "第 {0} 行：{1}"),
    (r"^the name is empty$", "姓名为空"),
    (r"^the sector \(界别\) is empty$", "界别为空"),
    (r"^'(.*)' is not a sector \(the sectors are (.*)\)$", "“{0}”不是界别（可用：{1}）"),
    (r"^(.*) appears twice \(first in row (\d+)\).*$", "{0} 重复（第 {1} 行已有；同名者请填手机号区分）"),
    (r"^is not UTF-8 text.*$", "不是 UTF-8 文本：请在 Excel 中另存为“CSV UTF-8”"),
    (r"^the (name|sector|phone|note) contains (control characters|a text-direction control character.*)$",
     "含有控制字符"),
    (r"^the (name|sector|phone|note) contains text that is not valid Unicode.*$", "含有无效字符"),
    (r"^the (name|sector|phone|note) is longer than (\d+) characters$", "内容超过 {1} 个字"),
    (r"^the phone must have 5 to 20 digits$", "手机号应为 5 到 20 位数字"),
    (r"^the header needs .*$", "表头需要“姓名”和“界别”两列"),
    (r"^the file is empty$", "文件是空的"),
    (r"^the file has a header but no people$", "文件只有表头，没有人员"),
    (r"^the XLSX file cannot be read.*$", "XLSX 文件无法读取"),
    (r"^(.*): the quota is (\d+) but the pool has only (\d+)$", "{0}：名额 {1} 人，代表库中只有 {2} 人"),
    (r"^(.*): the pool has no one of this sector.*$", "{0}：代表库中没有这个界别的人"),
    (r"^(.*): the quota must be a whole number.*$", "{0}：名额须为至少 1 的整数"),
)


def pool_refusal_lines(message: str) -> list[str]:
    """The engine's "row 3: the name is empty; row 7: …; nothing was imported" as Chinese lines
    (a part without Chinese words stays as the engine wrote it)."""
    lines = []
    for part in message.split("; "):
        part = part.strip()
        if not part or part.startswith("nothing was"):
            continue
        lines.append(_pool_part(part))
    return lines


def _pool_part(part: str) -> str:
    for pattern, words in POOL_MESSAGES:
        m = re.match(pattern, part, re.S)
        if m:
            groups = list(m.groups())
            if pattern.startswith("^row"):
                groups[1] = _pool_part(groups[1])
            return words.format(*groups)
    return part
