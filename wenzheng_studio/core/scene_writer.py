"""Scenes back to TOML: the rundown editor's save, and the export of what was actually run.

A scene is checked by the loader itself before anything is written: the document is
serialised to TOML text and that text goes through `scene.parse_scene`, so the editor and
the engine refuse exactly the same mistakes with exactly the same SceneError. Only text the
loader accepted reaches the disk, and it replaces the file in one step (a temporary file
beside it, then os.replace): a refused or interrupted save leaves the old file as it was.

tomli-w writes no comments. A scene file's comments are lost when it is saved from the
editor; the editor says so when the file it opened had any (`has_comments`).
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomli_w

from .scene import Scene, Segment, Speaker, TimerPreset, Unit, parse_scene
from .venues import default_venue_name

_MAX_MINUTES = 999  # "MM:SS" allows at most three digits of minutes


def format_duration(seconds: int) -> str | int:
    """"5:00" for 300 s, the way the scenes are written; plain seconds beyond 999:59."""
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}:{rest:02d}" if minutes <= _MAX_MINUTES else int(seconds)


def _drop_empty(data: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in keep or v not in ("", None, [], {})}


def _person(p: Speaker | Unit) -> dict[str, Any]:
    return _drop_empty(dict(vars(p)), keep=("name",))


# --- a Scene object → a TOML document ------------------------------------------------------
def document_from_scene(scene: Scene) -> dict[str, Any]:
    """The scene as a TOML document the loader reads back as an equal Scene.

    `for_each` slots are written out one segment each (they were expanded when loaded);
    a segment's speakers are written as the list they came from (units / experts /
    citizens) when they are exactly that list, else inline; a timer by the name of its
    preset in [timers] (a nameless one gets its segment's key)."""
    show = _drop_empty({"title": scene.title, "subtitle": scene.subtitle, "start": scene.start,
                        "weekday": scene.weekday, "timezone": scene.timezone}, keep=("title",))
    show["planned_total"] = format_duration(scene.planned_s)
    doc: dict[str, Any] = {
        "show": show,
        "vote": {"studio_weight": float(scene.studio_weight), "remote_weight": float(scene.remote_weight),
                 "venues": list(scene.venues), "countdown_s": int(scene.poll_countdown_s)},
    }
    names = dict(getattr(scene, "venue_names", {}) or {})
    if names:  # only the names the scene gave (the defaults are derived again on load)
        doc["vote"]["venue_names"] = {v: names[v] for v in scene.venues if v in names}
    timers: dict[str, TimerPreset] = dict(getattr(scene, "timers", {}) or {})
    citizens = tuple(getattr(scene, "citizens", ()) or ())
    from_units = tuple(Speaker(u.head or u.name, u.title, u.name) for u in scene.units)
    sources = [("units", from_units), ("experts", tuple(scene.experts)), ("citizens", citizens)]

    segments = []
    for seg in scene.segments:
        out: dict[str, Any] = {"key": seg.key, "title": seg.title, "planned": format_duration(seg.planned_s),
                               "kind": seg.kind}
        if seg.speakers:
            named = next((name for name, people in sources if people and tuple(seg.speakers) == people), None)
            out["speakers"] = named or [_person(p) for p in seg.speakers]
        if seg.timer is not None:
            name = next((n for n, p in timers.items() if p == seg.timer), None)
            if name is None:
                name = seg.key
                while name in timers:
                    name += "_"
                timers[name] = seg.timer
            out["timer"] = name
        if seg.poll_kind:
            out["poll_kind"] = seg.poll_kind
        for extra in ("poll_title", "note", "obs_scene", "obs_mute"):
            if getattr(seg, extra, ""):
                out[extra] = getattr(seg, extra)
        segments.append(out)

    if timers:
        doc["timers"] = {name: _drop_empty({"seconds": p.seconds, "warning_s": p.warning_s, "danger_s": p.danger_s,
                                            "cut_at_zero": p.cut_at_zero or None}, keep=("seconds",))
                         for name, p in timers.items()}
    for name, people in (("units", scene.units), ("experts", scene.experts), ("citizens", citizens)):
        if people:
            doc[name] = [_person(p) for p in people]
    doc["segments"] = segments
    return doc


# --- the engine's GET /api/scene → a Scene ---------------------------------------------------
def scene_from_api(data: dict[str, Any], source: str = "<engine>") -> Scene:
    """A Scene from the JSON of GET /api/scene (Scene.to_dict plus the engine's extras).

    Not validated here: the document made from it is checked by the loader on save."""
    def people(items, cls):
        return tuple(cls(**{k: str(v) for k, v in item.items() if k in cls.__dataclass_fields__})
                     for item in items or ())

    segments = []
    for s in data.get("segments") or ():
        timer = s.get("timer")
        segments.append(Segment(
            key=str(s.get("key", "")), title=str(s.get("title", "")), planned_s=int(s.get("planned_s", 0)),
            kind=str(s.get("kind") or "plain"), speakers=people(s.get("speakers"), Speaker),
            timer=TimerPreset(int(timer["seconds"]), int(timer.get("warning_s", 0)), int(timer.get("danger_s", 0)),
                              bool(timer.get("cut_at_zero", False))) if timer else None,
            poll_kind=s.get("poll_kind") or None, poll_title=str(s.get("poll_title") or ""),
            note=str(s.get("note") or ""), obs_scene=str(s.get("obs_scene") or ""),
            obs_mute=str(s.get("obs_mute") or "")))
    return Scene(
        title=str(data.get("title", "")), subtitle=str(data.get("subtitle") or ""), start=data.get("start"),
        weekday=data.get("weekday"), timezone=str(data.get("timezone") or "Asia/Shanghai"),
        segments=tuple(segments), units=people(data.get("units"), Unit), experts=people(data.get("experts"), Speaker),
        studio_weight=float(data.get("studio_weight", 0.5)), remote_weight=float(data.get("remote_weight", 0.5)),
        venues=tuple(data.get("venues") or ("main",)), poll_countdown_s=int(data.get("poll_countdown_s", 0)),
        source=source, citizens=people(data.get("citizens"), Speaker),
        venue_names=_named_venues(data))


def _named_venues(data: dict[str, Any]) -> dict[str, str]:
    """The API lists every venue's name; keep only those that differ from the derived default."""
    names = data.get("venue_names") or {}
    return {str(v): str(n) for v, n in names.items() if isinstance(n, str) and n != default_venue_name(str(v))}


def document_from_api(data: dict[str, Any]) -> dict[str, Any]:
    return document_from_scene(scene_from_api(data))


# --- TOML text, checked by the loader -------------------------------------------------------
def _clean(value: Any) -> Any:
    """TOML has no null: None values (and keys holding them) are left out."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value if v is not None]
    return value


_ORDER = ("show", "vote", "timers", "units", "experts", "citizens", "segments")
_HEADER = re.compile(r"^(\[\[?)", re.MULTILINE)


def _is_aot(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dumps(doc: dict[str, Any]) -> str:
    """TOML text in the order a director reads a scene: [show], [vote], [timers], then one
    [[units]] / [[segments]] table per entry (tomli-w alone would put short ones inline at
    the top, above [show])."""
    doc = _clean(doc)
    plain = tomli_w.dumps(doc)
    keys = sorted(doc, key=lambda k: (_ORDER.index(k) if k in _ORDER else len(_ORDER)))
    literals = {k: doc[k] for k in keys if not isinstance(doc[k], dict) and not _is_aot(doc[k])}
    chunks = [tomli_w.dumps(literals)] if literals else []
    for k in keys:
        value = doc[k]
        if isinstance(value, dict):
            chunks.append(tomli_w.dumps({k: value}))
        elif _is_aot(value):
            name = tomli_w.dumps({k: 0}).split(" = ")[0]  # the key as TOML writes it (quoted if need be)
            for item in value:
                body = _HEADER.sub(lambda m: m.group(1) + name + ".", tomli_w.dumps(item))
                chunks.append(f"[[{name}]]\n{body}")
    text = "\n".join(c if c.endswith("\n") else c + "\n" for c in chunks)
    try:
        if tomllib.loads(text) == tomllib.loads(plain):
            return text
    except tomllib.TOMLDecodeError:
        pass
    return plain  # never expected; tomli-w's own layout is always right


def check(doc: dict[str, Any], source: str = "<scene>") -> tuple[str, Scene]:
    """(TOML text, Scene) — or the loader's SceneError, exactly as the engine would raise it."""
    text = dumps(doc)
    return text, parse_scene(text, source)


def write_scene(path: str | Path, doc: dict[str, Any]) -> Scene:
    """Checks the document with the loader and only then replaces the file atomically."""
    path = Path(path)
    text, scene = check(doc, str(path))
    atomic_write_text(path, text)
    return scene


def atomic_write_text(path: Path, text: str) -> None:
    """Temporary file in the same folder, flushed to disk, then os.replace: a reader (or a
    crash) sees the old file or the new one, never half of one."""
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def has_comments(text: str) -> bool:
    """Whether TOML text has a comment (a # outside any string), which a save would drop."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            return True
        if c in "\"'":
            triple = text.startswith(c * 3, i)
            end_mark = c * 3 if triple else c
            j = i + len(end_mark)
            while j < n:
                if c == '"' and text[j] == "\\":
                    j += 2
                    continue
                if text.startswith(end_mark, j):
                    break
                if not triple and text[j] == "\n":
                    break
                j += 1
            i = j + len(end_mark)
            continue
        i += 1
    return False


def segments_total(doc: dict[str, Any]) -> tuple[int, int | None]:
    """(sum of the segments' planned seconds, planned_total in seconds or None), read leniently
    for the editor's live total (a for_each segment counts once per unit of its group).
    Durations that do not parse count as 0: the loader names them on save."""
    units = [u for u in doc.get("units") or [] if isinstance(u, dict)]
    total = 0
    for s in doc.get("segments") or []:
        if not isinstance(s, dict):
            continue
        seconds = parse_duration(s.get("planned")) or 0
        if s.get("for_each") is not None:
            group = s.get("group")
            seconds *= sum(1 for u in units if group is None or u.get("group") == group)
        total += seconds
    show = doc.get("show") if isinstance(doc.get("show"), dict) else {}
    return total, parse_duration(show.get("planned_total"))


def parse_duration(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        parts = value.strip().split(":")
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            return int(parts[0]) * 60 + int(parts[1])
    return None
