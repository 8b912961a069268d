"""Interface language: zh-CN is the source text; English is a lookup table.

Only the interface is translated. Scene content (segment titles, names) and viewer text
are shown as written.
"""

from __future__ import annotations

EN: dict[str, str] = {
    "百姓问政 导演台": "Wenzheng Studio control room",
    "已连接": "Connected",
    "正在连接…": "Connecting…",
    "连接中断，正在重连…": "Engine unreachable, reconnecting…",
    "当前时间": "Time of day",
    "节目已用": "Show elapsed",
    "节目剩余": "Show remaining",
    "超时/提前": "Over / under",
    "预计结束": "Projected end",
    "计划结束": "Scheduled end",
    "本环节剩余": "Segment remaining",
    "本环节已用": "Segment elapsed",
    "发言计时": "Speaker timer",
    "待播": "Standby",
    "直播中": "On air",
    "已结束": "Ended",
    "暂停": "Paused",
    "保持": "Hold",
    "节目流程": "Running order",
    "环节": "Segment",
    "计划": "Planned",
    "实际": "Actual",
    "播出": "On air",
    "下一个": "Next",
    "TAKE 下一环节": "TAKE next segment",
    "上一环节": "Back",
    "跳到所选": "Go to",
    "保持本环节": "Hold",
    "结束节目": "End show",
    "发言人": "Speakers",
    "下一位": "Next",
    "上一位": "Previous",
    "开始/暂停计时": "Start/pause",
    "加 10 秒": "+10 s",
    "减 10 秒": "−10 s",
    "重置计时": "Reset",
    "清除发言人": "No speaker",
    "本环节没有发言人": "No speakers in this segment",
    "提示音": "Sound cue",
    "投票": "Votes",
    "预设": "Preset",
    "标题": "Title",
    "倒计时(秒)": "Close in (s)",
    "无": "none",
    "即时公布": "Live tally",
    "新建投票": "Create poll",
    "开始投票": "Open poll",
    "结束投票": "Close poll",
    "公布结果": "Reveal",
    "撤下投票": "Clear poll",
    "满意度": "Satisfaction",
    "测评": "Rating",
    "赞成/反对": "Yes / no",
    "现场": "Studio",
    "场外": "Remote",
    "合计": "Combined",
    "票/秒": "ballots/s",
    "总票数": "Ballots",
    "草稿": "Draft",
    "投票中": "Open",
    "已截止": "Closed",
    "未公布": "Not revealed",
    "自动截止": "Closes in",
    "没有投票": "No poll",
    "得分": "Score",
    "问政提问": "Questions",
    "待播问题": "Queue",
    "上播": "Put on air",
    "一把手答复": "By head",
    "副职答复": "By deputy",
    "撤下问题": "Off air",
    "刷新": "Refresh",
    "审核台": "Review desk",
    "播出中": "ON AIR",
    "一把手答复率": "Head answers",
    "座位卡": "Seat cards",
    "生成座位卡": "Make seat cards",
    "座位数": "Seats",
    "预览": "Preview",
    "播出窗口": "Overlay window",
    "确认": "Confirm",
    "投票尚未自动截止，现在结束？": "The poll is still open. Close it now?",
    "直播中回到之前的环节？": "Go back to an earlier segment while on air?",
    "结束整场节目？": "End the whole show?",
    "引擎拒绝": "Engine refused",
    "热线": "Hotline",
    "网络": "Web",
    "现场提问": "Studio",
    "匿名": "anonymous",
    "已保存": "Saved",
    "快捷键": "Keys",
    # the key help line (window.KEYS_HELP)
    ("Enter/F12 TAKE · Ctrl+← 上一环节 · Ctrl+1…9/Ctrl+G 跳转 · H 保持 · Space 计时 · N 下一位 · "
     "Shift+N 上一位 · =/- ±10秒 · Shift+R 重置 · C 清除发言人 · F5 新建 · F6 开始 · F7 结束 · "
     "F8 公布 · F9 上播 · F10/Shift+F10 答复完毕 · Shift+F9 撤下问题"):
    ("Enter/F12 TAKE · Ctrl+← previous · Ctrl+1…9/Ctrl+G go to · H hold · Space timer · N next speaker · "
     "Shift+N previous speaker · =/- ±10 s · Shift+R reset · C clear speaker · F5 create · F6 open · F7 close · "
     "F8 reveal · F9 on air · F10/Shift+F10 answered · Shift+F9 question off air"),
}


class Translator:
    def __init__(self, lang: str | None = None):
        self.lang = "en" if (lang or "").lower().startswith("en") else "zh"

    def __call__(self, text: str) -> str:
        return EN.get(text, text) if self.lang == "en" else text
