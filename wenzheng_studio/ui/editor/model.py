"""The editor's document: the scene file's own TOML data, edited in place.

The editor keeps what the file says (preset names, `speakers = "units"`, `for_each` slots,
keys it does not know, such as show.channels) rather than the loaded Scene, so saving an
unchanged file writes the same running order. Validation is the loader's: the document is
serialised and parsed by core/scene.py (scene_writer.check), nothing else.
"""

from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path
from typing import Any

from ...core import scene_writer
from ...core.scene import Scene, SceneError, parse_scene, read_scene_text

KIND_LABELS = {"speakers": "发言", "video": "短片", "questions": "问政", "remote": "连线", "vote": "表决", "plain": "普通"}
SPEAKER_LABELS = {"units": "各单位负责人", "experts": "嘉宾", "citizens": "市民代表", "none": "无"}
POLL_LABELS = {"satisfaction": "满意度", "rating4": "好/较好/一般/差", "yesno": "是/否"}
_INDEX = re.compile(r"^(segments|units|experts|citizens)\[(\d+)\](?:\.(\w+))?")


def fmt(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    sign = "-" if seconds < 0 else ""
    seconds = abs(int(seconds))
    return f"{sign}{seconds // 60}:{seconds % 60:02d}"


def new_document() -> dict[str, Any]:
    return {"show": {"title": "新节目", "timezone": "Asia/Shanghai", "planned_total": "5:00"},
            "vote": {"studio_weight": 0.5, "remote_weight": 0.5, "venues": ["main"], "countdown_s": 0},
            "segments": [{"key": "open", "title": "开场", "planned": "5:00", "kind": "plain"}]}


class EditorDocument:
    """The data, where it came from, and whether it changed since it was opened or saved."""

    def __init__(self, data: dict[str, Any], path: Path | None = None, had_comments: bool = False,
                 origin: str = ""):
        self.data = data
        self.path = path
        self.had_comments = had_comments
        self.origin = origin  # e.g. the engine's URL for a running order loaded from an engine
        self.dirty = False
        self.data.setdefault("show", {})
        self.data.setdefault("vote", {})
        self.data.setdefault("segments", [])

    # --- opening ------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path) -> "EditorDocument":
        """Any scene that is TOML opens (so a refused one can be fixed here); raises
        SceneError (the loader's words) for a file that is not TOML or not UTF-8, and for
        a shape the editor cannot show (e.g. segments that are not tables)."""
        path = Path(path)
        text = read_scene_text(path)  # the loader's own words for a missing or non-UTF-8 file
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SceneError(str(path), "", f"not valid TOML: {exc}") from None
        _check_shape(data, str(path), text)
        return cls(data, path, scene_writer.has_comments(text))

    @classmethod
    def from_scene(cls, scene: Scene, origin: str = "") -> "EditorDocument":
        doc = cls(scene_writer.document_from_scene(scene), None, False, origin)
        doc.dirty = True
        return doc

    @classmethod
    def from_api(cls, data: dict[str, Any], origin: str) -> "EditorDocument":
        return cls.from_scene(scene_writer.scene_from_api(data, origin), origin)

    # --- parts ----------------------------------------------------------------------------
    @property
    def show(self) -> dict[str, Any]:
        return self.data["show"]

    @property
    def vote(self) -> dict[str, Any]:
        return self.data["vote"]

    @property
    def segments(self) -> list[dict[str, Any]]:
        return self.data["segments"]

    def people(self, name: str) -> list[dict[str, Any]]:
        return self.data.setdefault(name, [])

    @property
    def timers(self) -> dict[str, Any]:
        return self.data.setdefault("timers", {})

    def groups(self) -> list[str]:
        seen: list[str] = []
        for u in self.people("units"):
            g = u.get("group") or ""
            if g and g not in seen:
                seen.append(g)
        return seen

    def expansion(self, s: dict[str, Any]) -> int:
        """How many segments a raw segment becomes (a for_each one: one per unit of its group)."""
        if s.get("for_each") is None:
            return 1
        group = s.get("group")
        return sum(1 for u in self.people("units") if group is None or u.get("group") == group)

    def raw_index(self, expanded: int) -> int:
        """The raw segment (as in the file) that expanded segment number `expanded` comes from."""
        n = 0
        for i, s in enumerate(self.segments):
            n += self.expansion(s)
            if expanded < n:
                return i
        return max(len(self.segments) - 1, 0)

    def totals(self) -> tuple[int, int | None]:
        return scene_writer.segments_total(self.data)

    # --- checking and saving --------------------------------------------------------------
    def source(self) -> str:
        return str(self.path) if self.path else (self.origin or "<未保存>")

    def check(self) -> Scene:
        """The engine's own loader on the text a save would write; raises its SceneError."""
        return scene_writer.check(self.clean(), self.source())[1]

    def clean(self) -> dict[str, Any]:
        data = copy.deepcopy(self.data)
        if not data.get("timers"):
            data.pop("timers", None)
        for name in ("units", "experts", "citizens"):
            if name in data and not data[name]:
                data.pop(name)
        return data

    def save(self, path: str | Path | None = None) -> Scene:
        """Validates with the loader, then replaces the file atomically. A refused save
        raises SceneError and writes nothing."""
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ValueError("no file to save to")
        text, scene = scene_writer.check(self.clean(), str(target))
        scene_writer.atomic_write_text(target, text)
        self.path, self.dirty, self.origin = target, False, ""
        return scene


def _check_shape(data: dict[str, Any], source: str, text: str) -> None:
    """The editor shows tables of tables; anything else is named by the loader itself."""
    def table_list(key):
        value = data.get(key, [])
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)

    ok = (isinstance(data.get("show", {}), dict) and isinstance(data.get("vote", {}), dict)
          and isinstance(data.get("timers", {}), dict)
          and all(isinstance(v, dict) for v in data.get("timers", {}).values())
          and all(table_list(k) for k in ("segments", "units", "experts", "citizens")))
    if not ok:
        parse_scene(text, source)  # raises the loader's message for the part that is wrong
        raise SceneError(source, "", "has a shape the editor cannot show (tables expected)")


def locate(doc: EditorDocument, error: SceneError) -> tuple[str, Any, str]:
    """A SceneError's field path → (tab, row or name, field) for the editor to point at.

    tab is one of show, vote, timers, units, experts, citizens, segments ("" if none). The
    loader's duplicate-key check counts expanded segments (for_each slots one by one); that
    index is mapped back to the segment as the file has it."""
    where = error.where
    m = _INDEX.match(where)
    if m:
        part, index, field = m.group(1), int(m.group(2)), m.group(3) or ""
        if part == "segments" and "used by two segments" in error.detail:
            index = doc.raw_index(index)
        return part, index, field
    head, _, rest = where.partition(".")
    if head == "timers":
        name, _, field = rest.partition(".")
        return "timers", name, field
    if head in ("show", "vote", "segments"):
        return head, None, rest
    return "", None, where
