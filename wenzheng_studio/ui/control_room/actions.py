"""Which of the director's actions can be taken now, and why not: the one place that decides.

Pure (no Qt): the buttons and the keyboard shortcuts both ask `action_reasons`, so a button
and its key never disagree. An action is enabled when its reason is "". The reasons are the
sentences the window flashes when a key of a disabled action is pressed.
"""

from __future__ import annotations

from typing import Any

from ..roles import allows, role_name

# Every action a button or key of the control room can trigger.
ACTIONS = (
    "take", "prev", "goto", "hold", "end", "resume",
    "speaker_next", "speaker_prev", "speaker_clear",
    "timer_toggle", "timer_add", "timer_reset",
    "poll_create", "poll_open", "poll_close", "poll_reveal", "poll_clear",
    "question_on_air", "question_answered", "question_clear",
    "overlay_set", "ranking_show", "ranking_hide", "venue_board", "operators", "draw", "message_set", "message_clear",
    "segment_edit", "segment_insert", "segment_remove", "speaker_edit", "speaker_insert", "speaker_remove", "undo",
)
# Editing the running order and the speakers live (issue 13): the director's alone.
EDITS = ("segment_edit", "segment_insert", "segment_remove", "speaker_edit", "speaker_insert", "speaker_remove",
         "undo")
# The engine's name for an action, where a role other than the director may take it (ui/roles.py).
ENGINE_ACTION = {"overlay_set": "overlay.set", "ranking_show": "ranking.show", "ranking_hide": "ranking.hide",
                 "venue_board": "overlay.set", "message_set": "message.set", "message_clear": "message.clear"}

NOT_CONNECTED = "未连接引擎，操作不会送达"
HELD = "保持本环节：流程已锁定，按 H 解除"
ENDED = "节目已结束（可按“恢复直播”继续）"


def _status(state: dict[str, Any]) -> str:
    return str((state.get("show") or {}).get("status") or "standby")


def action_reasons(state: dict[str, Any] | None, connection: str = "connected", *,
                   poll: dict[str, Any] | None = None, waiting_questions: int = 0,
                   has_presets: bool = True, goto_index: int | None = None,
                   role: str | None = None, speaker_index: int | None = None,
                   undo: str = "", ranking_group: str | None = None, venues: int = 1) -> dict[str, str]:
    """Every action → "" (enabled) or the reason it is not possible now (a Chinese sentence).

    `state` is the engine's latest state; `poll` the poll the votes panel shows (a draft just
    created is not the state's current poll yet); `waiting_questions` how many approved
    questions wait in the queue; `goto_index` the segment a go-to would go to (None: none chosen);
    `role` who is signed in (GET /api/whoami; None: not known yet — the engine decides, but the
    crew list 人员 waits for a director, and so does editing the running order);
    `speaker_index` the speaker chosen in the speakers list (None: none); `undo` what Ctrl+Z
    would undo ("" when there is nothing to undo); `ranking_group` the group picked for the
    ranking board (None: the scene has no groups); `venues` how many venues the scene has (the
    venue board, 分会场上屏, is for a scene with sub-venues).
    """
    state = state or {}
    reasons = {name: "" for name in ACTIONS}
    if connection != "connected" or not state:
        return {name: NOT_CONNECTED for name in ACTIONS}
    if role != "director":
        reasons["operators"] = "只有导演可以管理人员和登录码"
        reasons["draw"] = "只有导演可以抽选评议代表"
        for name in EDITS:
            reasons[name] = (f"您是{role_name(role)}：" if role else "") + "只有导演可以修改节目流程和发言人"
    if role not in (None, "director"):
        for name in ACTIONS:
            if not reasons[name] and not allows(role, ENGINE_ACTION.get(name, name)):
                reasons[name] = f"您是{role_name(role)}：只有导演可以这样做"

    status = _status(state)
    segment = state.get("segment") or {}
    held = bool(segment.get("hold"))
    index = int(segment.get("index") or 0)
    segments = len(state.get("running_order") or []) or index + 1
    speakers = state.get("speakers") or []
    speaker = state.get("speaker") if isinstance(state.get("speaker"), dict) else None
    question = state.get("question") if isinstance(state.get("question"), dict) else None
    current_poll = state.get("poll") if isinstance(state.get("poll"), dict) else None
    shown = poll if isinstance(poll, dict) else current_poll

    def refuse(names, reason: str) -> None:
        for name in names:
            if not reasons[name]:
                reasons[name] = reason

    moves = ("take", "prev", "goto")
    if status == "ended":
        refuse((*moves, "hold", "end", "speaker_next", "speaker_prev", "speaker_clear",
                "timer_toggle", "timer_add", "timer_reset"), ENDED)
    else:
        reasons["resume"] = "节目没有结束，无需恢复"
    if held:
        refuse(moves, HELD)
    if status == "live" and index + 1 >= segments:
        refuse(("take",), "已是最后一个环节（结束节目按 Ctrl+E）")
    if status != "live":
        refuse(("prev",), "节目尚未开始")
        refuse(("end",), "节目尚未开始，无需结束")
    elif index == 0:
        refuse(("prev",), "已是第一个环节")
    if goto_index is None or goto_index < 0:
        refuse(("goto",), "请先在节目流程中选择一个环节")
    elif goto_index >= segments:
        refuse(("goto",), "没有这个环节")
    elif goto_index == index and status == "live":
        refuse(("goto",), "这个环节正在播出")

    if not speakers:
        refuse(("speaker_next", "speaker_prev"), "本环节没有发言人")
    elif speaker is None or int(speaker.get("index", -1)) <= 0:
        refuse(("speaker_prev",), "没有上一位发言人")
    elif int(speaker.get("index", -1)) + 1 >= len(speakers):
        refuse(("speaker_next",), "已是最后一位发言人")
    if speaker is None:
        refuse(("speaker_clear",), "现在没有人发言")

    if not has_presets:
        refuse(("poll_create",), "场景尚未载入投票预设")
    poll_state = (shown or {}).get("state")
    refuse(("poll_open",), "" if poll_state == "draft" else "没有待开始的投票（先按 F5 新建）")
    refuse(("poll_close",), "" if poll_state == "open" else "没有正在进行的投票")
    refuse(("poll_reveal",), "" if shown and not shown.get("revealed") else
           ("投票结果已公布" if shown else "没有投票"))
    refuse(("poll_clear",), "" if current_poll else "屏幕上没有投票")
    # The board shows the current poll's tally (the state's): one that is on air, with its figures.
    board_on = (state.get("overlay") or {}).get("venues") == "show"
    if venues <= 1:
        refuse(("venue_board",), "本场只有一个会场，没有分会场结果")
    elif not board_on and not current_poll:
        refuse(("venue_board",), "没有可上屏的分会场结果（先开始投票）")
    elif not board_on and not current_poll.get("revealed"):
        refuse(("venue_board",), "投票结果尚未公布（F8 公布后才能上屏）")

    order = state.get("running_order") or []
    if goto_index is None or not 0 <= goto_index < len(order):
        refuse(("segment_remove",), "请先在节目流程中选择要删除的环节")
    elif order[goto_index].get("on_air"):
        refuse(("segment_remove",), "正在播出的环节不能删除（先切到下一个环节）")
    elif float(order[goto_index].get("actual_s") or 0) > 0:
        refuse(("segment_remove",), "这个环节已经播过，不能删除（它的时长留在记录里）")
    elif len(order) <= 1:
        refuse(("segment_remove",), "节目流程至少要保留一个环节")
    if speaker_index is None or not 0 <= speaker_index < len(speakers):
        refuse(("speaker_remove",), "请先在发言人列表中选择要删除的人")
    elif speaker is not None and int(speaker.get("index", -1)) == speaker_index:
        refuse(("speaker_remove",), "这位正在发言，不能删除（先按 N 换下一位）")
    if not undo:
        refuse(("undo",), "没有可撤销的修改")

    board = state.get("ranking_board") if isinstance(state.get("ranking_board"), dict) else None
    if ranking_group is None:
        refuse(("ranking_show",), "场景没有参评单位组别")
    elif board is not None and board.get("group") == ranking_group:
        refuse(("ranking_show",), "这个组的排名榜已在屏幕上")
    if board is None:
        refuse(("ranking_hide",), "屏幕上没有排名榜")

    if question is None:
        refuse(("question_answered", "question_clear"), "现在没有问题在播出")
    if waiting_questions <= 0:
        refuse(("question_on_air",), "待播问题队列是空的")
    if not (isinstance(state.get("message"), dict) and state["message"].get("text")):
        refuse(("message_clear",), "发言人屏幕上没有提示")
    return reasons


def actions_enabled(state: dict[str, Any] | None, connection: str = "connected", **context: Any) -> dict[str, bool]:
    """Every action → whether it can be taken now (see `action_reasons`)."""
    return {name: not reason for name, reason in action_reasons(state, connection, **context).items()}


# 评议代表抽选 (the draw dialog): its buttons, from what the engine holds and the role.
DRAW_ACTIONS = ("draw_import", "draw_run", "draw_cards", "draw_list")


def draw_reasons(pool: dict[str, Any] | None, draw: dict[str, Any] | None, role: str | None,
                 connection: str = "connected", quota_total: int = 0, replace: bool = False) -> dict[str, str]:
    """Each of the draw dialog's actions → "" (enabled) or why not. `pool` is GET
    /api/representatives, `draw` the current draw, `quota_total` the quotas entered."""
    if connection != "connected":
        return {name: NOT_CONNECTED for name in DRAW_ACTIONS}
    if role not in (None, "director"):
        return {name: "只有导演可以抽选评议代表" for name in DRAW_ACTIONS}
    reasons = {name: "" for name in DRAW_ACTIONS}
    issued = bool(draw and draw.get("seats"))
    if issued:
        reasons["draw_import"] = "本次抽选的座位卡已发放，代表库不能再更换"
        reasons["draw_run"] = "本次抽选的座位卡已发放，不能重新抽选"
    elif not pool or not pool.get("size"):
        reasons["draw_run"] = "请先导入代表库"
    elif quota_total <= 0:
        reasons["draw_run"] = "请先填写各界别名额"
    elif draw and not replace:
        reasons["draw_run"] = "已经抽选过：勾选“替换上一次抽选”才能重抽（原抽选留档）"
    if not draw:
        reasons["draw_cards"] = reasons["draw_list"] = "还没有抽选"
    return reasons
