"""The running order and the speakers edited live: what an edit touches and how to undo it.

Pure (no Qt). Every edit is a control action (docs/API.md, "The running order edited live");
for each one the window sends, `inverse` gives the control action that undoes it, made from
what the state (and the scene, for a removed segment) said just before. Undo sends that
action like any other, so the engine checks it like any other.

Templates are Chinese; `tr` translates them before the names are filled in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

SEGMENT_FIELDS_BACK = ("key", "title", "planned_s", "kind", "speakers", "timer", "note", "poll_kind",
                       "poll_title", "obs_scene", "obs_mute")
KINDS = (("plain", "其他"), ("speakers", "发言"), ("video", "视频"), ("questions", "问政提问"),
         ("remote", "连线"), ("vote", "投票"))
SPEAKER_FIELDS = (("name", "姓名"), ("title", "职务"), ("unit", "单位"))


def _ident(text: str) -> str:
    return text


@dataclass
class UndoStep:
    """The control action that undoes one edit, and how to tell it still fits the running order."""
    action: str
    fields: dict[str, Any]
    label: str  # what the edit did, for the 撤销 button ("环节「亮相表态」改名为「开场」")
    # The segment key the undo acts on must still be at this index (None: no check).
    expect: tuple[int, str] | None = None
    absent_key: str = ""  # a segment put back must not be in the running order already


def row(state: dict[str, Any], index: int) -> dict[str, Any]:
    order = state.get("running_order") or []
    return order[index] if 0 <= index < len(order) else {}


def is_live(state: dict[str, Any]) -> bool:
    return (state.get("show") or {}).get("status") == "live"


def on_air_title(action: str, fields: dict[str, Any], state: dict[str, Any]) -> str:
    """The title of the segment on air if this edit changes it (rename, retime or move of the
    segment on air, or any change to its speakers) while the show is live; else ""."""
    if not is_live(state):
        return ""
    current = int((state.get("segment") or {}).get("index", -1))
    if action in ("segment.update", "segment.move"):
        r = row(state, int(fields.get("index", -1)))
        return str(r.get("title", "")) if r.get("on_air") else ""
    if action.startswith("speaker."):
        target = fields.get("segment", current)
        return str(row(state, current).get("title", "")) if target == current else ""
    return ""


def fmt_planned(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"


def parse_planned(text: str) -> int | None:
    """"5:00" → 300, "90" → None (the engine decides what it accepts; this only spots "no change")."""
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        return None
    return int(parts[0]) * 60 + int(parts[1])


def segment_update(state: dict[str, Any], index: int, changes: dict[str, Any],
                   tr: Callable[[str], str] = _ident) -> UndoStep:
    """The undo of `segment.update` of `index` with `changes` (title, planned or kind)."""
    before = row(state, index)
    back: dict[str, Any] = {"index": index}
    if "title" in changes:
        back["title"] = before.get("title", "")
        label = tr("环节「{old}」改名为「{new}」").format(old=before.get("title", ""), new=changes["title"])
    elif "planned" in changes or "planned_s" in changes:
        back["planned_s"] = int(before.get("planned_s", 0))
        new = changes.get("planned", changes.get("planned_s"))
        label = tr("环节「{title}」计划时长 {old} 改为 {new}").format(
            title=before.get("title", ""), old=fmt_planned(before.get("planned_s", 0)),
            new=fmt_planned(new) if isinstance(new, (int, float)) else new)
    else:
        back.update({k: before.get(k) for k in changes if k in before})
        label = tr("修改环节「{title}」").format(title=before.get("title", ""))
    return UndoStep("segment.update", back, label, expect=(index, str(before.get("key", ""))))


def segment_move(state: dict[str, Any], index: int, to: int, tr: Callable[[str], str] = _ident) -> UndoStep:
    before = row(state, index)
    label = tr("环节「{title}」从第 {a} 位移到第 {b} 位").format(title=before.get("title", ""), a=index + 1, b=to + 1)
    return UndoStep("segment.move", {"index": to, "to": index}, label, expect=(to, str(before.get("key", ""))))


def segment_insert(at: int, segment: dict[str, Any], new_key: str, tr: Callable[[str], str] = _ident) -> UndoStep:
    """The undo of an insert: remove the new segment (`new_key`, from the engine's reply)."""
    label = tr("在第 {n} 位插入环节「{title}」").format(n=at + 1, title=segment.get("title", ""))
    return UndoStep("segment.remove", {"index": at}, label, expect=(at, new_key) if new_key else None)


def removed_segment(state_row: dict[str, Any], scene_segment: dict[str, Any] | None) -> dict[str, Any]:
    """The fields that put a removed segment back: all of them from GET /api/scene when it
    could be read (speakers, timer, note, poll, OBS scene), else the state's row (title,
    planned time, kind). Its actual time is not among them: a segment that ran cannot be removed."""
    src = scene_segment if scene_segment and scene_segment.get("key") == state_row.get("key") else state_row
    out = {k: src[k] for k in SEGMENT_FIELDS_BACK if k in src and src[k] is not None}
    if isinstance(out.get("timer"), dict):  # a table like the scene file's [timers] entry
        keep = ("seconds", "warning_s", "danger_s", "cut_at_zero")
        out["timer"] = {k: v for k, v in out["timer"].items() if k in keep}
    for name in ("obs_scene", "obs_mute"):
        if out.get(name) == "":
            out.pop(name)
    return out


def segment_remove(state: dict[str, Any], index: int, scene_segment: dict[str, Any] | None,
                   tr: Callable[[str], str] = _ident) -> UndoStep:
    before = row(state, index)
    label = tr("删除环节「{title}」").format(title=before.get("title", ""))
    segment = removed_segment(before, scene_segment)
    return UndoStep("segment.insert", {"at": index, "segment": segment}, label,
                    absent_key=str(segment.get("key", "")))


def _speaker(state: dict[str, Any], index: int) -> dict[str, Any]:
    speakers = state.get("speakers") or []
    return speakers[index] if 0 <= index < len(speakers) else {}


def speaker_update(state: dict[str, Any], segment: int, index: int, name: str, value: str,
                   tr: Callable[[str], str] = _ident) -> UndoStep:
    before = _speaker(state, index)
    what = tr(dict(SPEAKER_FIELDS).get(name, name))
    label = tr("发言人「{who}」的{what}改为「{new}」").format(who=before.get("name", ""), what=what, new=value)
    return UndoStep("speaker.update", {"segment": segment, "index": index, name: before.get(name, "")}, label)


def speaker_insert(segment: int, at: int, speaker: dict[str, Any], tr: Callable[[str], str] = _ident) -> UndoStep:
    label = tr("添加发言人「{who}」").format(who=speaker.get("name", ""))
    return UndoStep("speaker.remove", {"segment": segment, "index": at}, label)


def speaker_remove(state: dict[str, Any], segment: int, index: int, tr: Callable[[str], str] = _ident) -> UndoStep:
    before = _speaker(state, index)
    label = tr("删除发言人「{who}」").format(who=before.get("name", ""))
    back = {k: before.get(k, "") for k, _ in SPEAKER_FIELDS}
    return UndoStep("speaker.insert", {"segment": segment, "at": index, "speaker": back}, label)


def speaker_move(state: dict[str, Any], segment: int, index: int, to: int,
                 tr: Callable[[str], str] = _ident) -> UndoStep:
    before = _speaker(state, index)
    label = tr("发言人「{who}」从第 {a} 位移到第 {b} 位").format(who=before.get("name", ""), a=index + 1, b=to + 1)
    return UndoStep("speaker.move", {"segment": segment, "index": to, "to": index}, label)


def still_fits(step: UndoStep, state: dict[str, Any]) -> bool:
    """False when the running order changed under the undo (another console edited it):
    the segment it would act on is no longer where it was."""
    if step.expect is not None:
        index, key = step.expect
        if key and row(state, index).get("key") != key:
            return False
    if step.absent_key and any(r.get("key") == step.absent_key for r in state.get("running_order") or []):
        return False
    return True
