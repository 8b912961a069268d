"""The running order edited live: segments and speakers inserted, changed, moved, removed.

An edit builds a new Scene (scenes are immutable) and moves the running order's bookkeeping
with it: the segment on air stays on air wherever it moves, keeps its elapsed time, and
every segment keeps its actual time. New or changed segments and speakers are checked by
the scene loader's own rules, so a refusal reads exactly like the loader's message.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .errors import DomainError, invalid
from .scene import Scene, SceneError, Segment, Speaker, TimerPreset, _Reader, _segment

SEGMENT_EDITS = ("segment.update", "segment.insert", "segment.remove", "segment.move")
SPEAKER_EDITS = ("speaker.insert", "speaker.update", "speaker.remove", "speaker.move")
EDIT_ACTIONS = SEGMENT_EDITS + SPEAKER_EDITS
SEGMENT_FIELDS = ("key", "title", "planned_s", "planned", "kind", "timer", "note", "poll_kind", "poll_title",
                  "speakers", "obs_scene", "obs_mute")
UPDATABLE = ("title", "planned_s", "planned", "kind", "timer", "note", "poll_kind", "poll_title", "obs_scene",
             "obs_mute")
SPEAKER_FIELDS = ("name", "title", "unit")
MAX_SEGMENTS = 200
MAX_SPEAKERS = 100


# --- records (how an edited running order is stored in the show's meta) -----------------
def segment_record(seg: Segment) -> dict[str, Any]:
    data = dataclasses.asdict(seg)
    data["speakers"] = [dataclasses.asdict(p) for p in seg.speakers]
    return data


def segment_from_record(data: dict[str, Any]) -> Segment:
    fields = {f.name for f in dataclasses.fields(Segment)}
    values = {k: v for k, v in data.items() if k in fields}
    values["speakers"] = tuple(Speaker(**p) for p in data.get("speakers", []))
    values["timer"] = TimerPreset(**data["timer"]) if data.get("timer") else None
    return Segment(**values)


def with_segments(scene: Scene, segments: list[Segment]) -> Scene:
    return dataclasses.replace(scene, segments=tuple(segments))


# --- checking new and changed parts with the loader's rules -------------------------------
def _check(where: str, build):
    try:
        return build(_Reader(where.split(".")[0]))
    except SceneError as exc:
        raise invalid(f"{exc.where}: {exc.detail}") from None


def _as_toml_segment(seg: dict[str, Any], scene: Scene) -> dict[str, Any]:
    """A segment body in the scene file's own shape (planned "mm:ss" or seconds)."""
    data = {k: v for k, v in seg.items() if k != "planned_s"}
    if "planned_s" in seg:
        data["planned"] = seg["planned_s"]
    return data


def build_segment(body: Any, scene: Scene, where: str, key: str) -> Segment:
    if not isinstance(body, dict) or set(body) - set(SEGMENT_FIELDS):
        raise invalid(f"{where} must be an object with {', '.join(SEGMENT_FIELDS)}")
    data = _as_toml_segment({"key": key, "kind": "plain", **body}, scene)
    speaker_lists = {"units": tuple(Speaker(u.head or u.name, u.title, u.name) for u in scene.units),
                     "experts": scene.experts, "citizens": scene.citizens, "none": ()}
    return _check(where, lambda r: _segment(r, data, where, dict(scene.timers), speaker_lists))


def build_speaker(body: Any, where: str) -> Speaker:
    if not isinstance(body, dict) or set(body) - set(SPEAKER_FIELDS):
        raise invalid(f"{where} must be an object with name, title?, unit?")

    def read(r: _Reader) -> Speaker:
        return Speaker(r.text(body, "name", where), r.get(body, "title", where, str, ""),
                       r.get(body, "unit", where, str, ""))
    speaker = _check(where, read)
    for value in (speaker.name, speaker.title, speaker.unit):
        if len(value) > 100 or any(ord(c) < 32 for c in value):
            raise invalid(f"{where}: names, titles and units are at most 100 characters of plain text")
    return speaker


def _index(body: dict, key: str, size: int, *, end_ok: bool = False) -> int:
    value = body.get(key)
    top = size if end_ok else size - 1
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        raise invalid(f"{key} must be a whole number from 0 to {top}")
    return value


def _new_key(segments: list[Segment]) -> str:
    taken = {s.key for s in segments}
    n = len(segments) + 1
    while f"seg-{n}" in taken:
        n += 1
    return f"seg-{n}"


# --- the edits --------------------------------------------------------------------------
def edit(order, body: dict[str, Any], on_air: bool) -> Scene:
    """Applies one edit to `order` (a RunningOrder) and returns its new Scene.

    Everything is checked before anything changes: a refused edit leaves the order as it was.
    `on_air`: whether order.index is on air now (a live show).
    """
    action = body["action"]
    scene: Scene = order.scene
    segments = list(scene.segments)
    actual = list(order.actual_s)
    current = order.index
    if action in SPEAKER_EDITS:
        return _speaker_edit(order, body, segments)
    if action == "segment.update":
        i = _index(body, "index", len(segments))
        changes = {k: v for k, v in body.items() if k in UPDATABLE}
        unknown = set(body) - set(UPDATABLE) - {"action", "index"}
        if unknown or not changes:
            raise invalid(f"segment.update changes {', '.join(UPDATABLE)}; got {', '.join(sorted(unknown)) or 'nothing'}")
        seg = segments[i]
        record = segment_record(seg)
        base = {"title": seg.title, "planned_s": seg.planned_s, "kind": seg.kind, "note": seg.note,
                "poll_title": seg.poll_title, "speakers": record["speakers"], "obs_scene": seg.obs_scene,
                "obs_mute": seg.obs_mute,
                **({"poll_kind": seg.poll_kind} if seg.poll_kind else {})}
        if seg.timer is not None and "timer" not in changes:
            base["timer"] = dataclasses.asdict(seg.timer)
        if "planned" in changes:
            base.pop("planned_s")
        segments[i] = build_segment({**base, **changes}, scene, f"segments[{i}]", seg.key)
    elif action == "segment.insert":
        if len(segments) >= MAX_SEGMENTS:
            raise invalid(f"a running order holds at most {MAX_SEGMENTS} segments")
        at = _index(body, "at", len(segments), end_ok=True)
        given = body.get("segment")
        key = given.get("key") if isinstance(given, dict) and given.get("key") else _new_key(segments)
        if key in {s.key for s in segments}:
            raise invalid(f"segment.key {key!r} is used by another segment")
        segments.insert(at, build_segment({k: v for k, v in (given or {}).items() if k != "key"}
                                          if isinstance(given, dict) else given, scene, f"segments[{at}]", key))
        actual.insert(at, 0.0)
        if at <= current and (on_air or at < current):
            current += 1  # the segment on air (or marked next) stays the same segment
    elif action == "segment.remove":
        i = _index(body, "index", len(segments))
        if i == current and on_air:
            raise DomainError("on_air", "this segment is on air: take the next one first", 409)
        if len(segments) == 1:
            raise invalid("a running order keeps at least one segment")
        if actual[i] > 0:
            raise DomainError("bad_transition", "this segment has already run: its time stays in the record", 409)
        del segments[i], actual[i]
        if i < current:
            current -= 1
        current = min(current, len(segments) - 1)
    elif action == "segment.move":
        i = _index(body, "index", len(segments))
        to = _index(body, "to", len(segments))
        seg, spent = segments.pop(i), actual.pop(i)
        segments.insert(to, seg)
        actual.insert(to, spent)
        keys = [s.key for s in scene.segments]
        current = [s.key for s in segments].index(keys[current])
    new_scene = with_segments(scene, segments)
    order.scene, order.actual_s, order.index = new_scene, actual, current
    return new_scene


def _speaker_edit(order, body: dict[str, Any], segments: list[Segment]) -> Scene:
    action = body["action"]
    target = order.index if body.get("segment") is None else _index(body, "segment", len(segments))
    seg = segments[target]
    speakers = list(seg.speakers)
    marked = order.speaker_index if target == order.index else None
    if action == "speaker.insert":
        if len(speakers) >= MAX_SPEAKERS:
            raise invalid(f"a segment holds at most {MAX_SPEAKERS} speakers")
        at = len(speakers) if body.get("at") is None else _index(body, "at", len(speakers), end_ok=True)
        speakers.insert(at, build_speaker(body.get("speaker"), "speaker"))
        if marked is not None and marked >= at and marked >= 0:
            marked += 1
    elif action == "speaker.update":
        i = _index(body, "index", len(speakers))
        fields = {k: body[k] for k in SPEAKER_FIELDS if k in body}
        if not fields:
            raise invalid("speaker.update changes name, title or unit")
        speakers[i] = build_speaker({**dataclasses.asdict(speakers[i]), **fields}, "speaker")
    elif action == "speaker.remove":
        i = _index(body, "index", len(speakers))
        if marked == i:
            raise DomainError("on_air", "this speaker is speaking: mark the next one first", 409)
        del speakers[i]
        if marked is not None and marked > i:
            marked -= 1
    elif action == "speaker.move":
        i = _index(body, "index", len(speakers))
        to = _index(body, "to", len(speakers))
        before = speakers[marked] if marked is not None and marked >= 0 else None
        speakers.insert(to, speakers.pop(i))
        if before is not None:  # the one speaking stays marked (by identity: two may share a name)
            marked = next(n for n, sp in enumerate(speakers) if sp is before)
    segments[target] = dataclasses.replace(seg, speakers=tuple(speakers))
    new_scene = with_segments(order.scene, segments)
    order.scene = new_scene
    if marked is not None:
        order.speaker_index = marked
    return new_scene
