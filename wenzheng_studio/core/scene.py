"""Scenes: a show's running order and settings, read from TOML and validated.

Every mistake is reported as a SceneError naming the file, the field and what is wrong,
so a director who edits a scene by hand is told exactly where to look.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .venues import VenueNameError, check_venue_names, default_venue_name

SEGMENT_KINDS = ("speakers", "video", "questions", "remote", "vote", "plain")
SPEAKER_SOURCES = ("units", "experts", "citizens", "none")
_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
_DURATION_RE = re.compile(r"^(\d{1,3}):([0-5]\d)$")
_CLOCK_RE = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class SceneError(ValueError):
    def __init__(self, source: str, where: str, message: str):
        self.source, self.where, self.detail = source, where, message
        super().__init__(f"{source}: {where}: {message}" if where else f"{source}: {message}")


@dataclass(frozen=True)
class TimerPreset:
    seconds: int
    warning_s: int = 0
    danger_s: int = 0
    cut_at_zero: bool = False


@dataclass(frozen=True)
class Speaker:
    name: str
    title: str = ""
    unit: str = ""


@dataclass(frozen=True)
class Unit:
    name: str
    head: str = ""
    title: str = ""
    short: str = ""
    group: str = ""


@dataclass(frozen=True)
class Segment:
    key: str
    title: str
    planned_s: int
    kind: str = "plain"
    speakers: tuple[Speaker, ...] = ()
    timer: TimerPreset | None = None
    poll_kind: str | None = None
    poll_title: str = ""
    note: str = ""
    obs_scene: str = ""  # the OBS scene the engine switches to on TAKE (optional; server/obs_link.py)
    obs_mute: str = ""  # an OBS input (e.g. the podium microphone) muted when a timer is cut at zero


@dataclass(frozen=True)
class Scene:
    title: str
    subtitle: str
    start: str | None  # "HH:MM" local time, or None
    weekday: str | None
    timezone: str
    segments: tuple[Segment, ...]
    units: tuple[Unit, ...] = ()
    experts: tuple[Speaker, ...] = ()
    studio_weight: float = 0.5
    remote_weight: float = 0.5
    venues: tuple[str, ...] = ("main",)
    poll_countdown_s: int = 0
    source: str = "<scene>"
    extra: dict[str, Any] = field(default_factory=dict)
    # Kept for live edits (core/rundown.py): a new segment may name a preset or take citizens.
    timers: dict[str, TimerPreset] = field(default_factory=dict, compare=False)
    citizens: tuple[Speaker, ...] = ()
    # The names a scene gives its venues (vote.venue_names); the rest are named by venue_name.
    venue_names: dict[str, str] = field(default_factory=dict)

    def venue_name(self, key: str) -> str:
        return self.venue_names.get(key) or default_venue_name(key)

    @property
    def planned_s(self) -> int:
        return sum(s.planned_s for s in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "start": self.start,
            "weekday": self.weekday,
            "timezone": self.timezone,
            "planned_s": self.planned_s,
            "studio_weight": self.studio_weight,
            "remote_weight": self.remote_weight,
            "venues": list(self.venues),
            "venue_names": {v: self.venue_name(v) for v in self.venues},
            "poll_countdown_s": self.poll_countdown_s,
            "units": [vars(u) for u in self.units],
            "experts": [vars(p) for p in self.experts],
            "citizens": [vars(p) for p in self.citizens],
            "segments": [
                {
                    "key": s.key,
                    "title": s.title,
                    "planned_s": s.planned_s,
                    "kind": s.kind,
                    "speakers": [vars(p) for p in s.speakers],
                    "timer": vars(s.timer) if s.timer else None,
                    "poll_kind": s.poll_kind,
                    "poll_title": s.poll_title,
                    "note": s.note,
                    "obs_scene": s.obs_scene,
                    "obs_mute": s.obs_mute,
                }
                for s in self.segments
            ],
        }


class _Reader:
    """Typed access to a TOML table that reports errors with their field path."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, where: str, message: str) -> SceneError:
        return SceneError(self.source, where, message)

    def table(self, data: Any, where: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(where, "must be a table")
        return data

    def get(self, data: dict, key: str, where: str, kind: type | tuple, default: Any = ..., required=False):
        path = f"{where}.{key}" if where else key
        if key not in data:
            if required or default is ...:
                raise self.fail(path, "is missing")
            return default
        value = data[key]
        if kind is int and isinstance(value, bool):
            raise self.fail(path, f"must be a whole number, not {value!r}")
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind):
            want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(path, f"must be {want}, not {type(value).__name__} {value!r}")
        return value

    def text(self, data, key, where, default: Any = ...) -> str:
        value = self.get(data, key, where, str, default)
        if value is not None and default is ... and not value.strip():
            raise self.fail(f"{where}.{key}" if where else key, "must not be empty")
        return value

    def duration(self, data, key, where) -> int:
        """Accepts "MM:SS" or a number of seconds."""
        path = f"{where}.{key}"
        value = self.get(data, key, where, (str, int))
        if isinstance(value, bool):
            raise self.fail(path, "must be a duration like \"5:00\" or seconds")
        if isinstance(value, int):
            seconds = value
        else:
            m = _DURATION_RE.match(value.strip())
            if not m:
                raise self.fail(path, f"must be a duration like \"5:00\" (minutes:seconds), not {value!r}")
            seconds = int(m.group(1)) * 60 + int(m.group(2))
        if seconds <= 0 or seconds > 24 * 3600:
            raise self.fail(path, f"must be between 1 second and 24 hours, not {seconds} s")
        return seconds


def _timer_preset(r: _Reader, data: dict, where: str) -> TimerPreset:
    r.table(data, where)
    seconds = r.duration(data, "seconds", where)
    warning = r.get(data, "warning_s", where, int, 0)
    danger = r.get(data, "danger_s", where, int, 0)
    cut = r.get(data, "cut_at_zero", where, bool, False)
    if not 0 <= warning < seconds:
        raise r.fail(f"{where}.warning_s", f"must be from 0 to less than seconds ({seconds}), not {warning}")
    if not 0 <= danger <= max(warning, 0) or (warning == 0 and danger):
        raise r.fail(f"{where}.danger_s", f"must be from 0 up to warning_s ({warning}), not {danger}")
    return TimerPreset(seconds, warning, danger, cut)


def parse_scene(text: str, source: str = "<scene>") -> Scene:
    r = _Reader(source)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SceneError(source, "", f"not valid TOML: {exc}") from None

    show = r.table(r.get(data, "show", "", dict, required=True), "show")
    title = r.text(show, "title", "show")
    subtitle = r.get(show, "subtitle", "show", str, "")
    start = r.get(show, "start", "show", str, None)
    if start is not None and not _CLOCK_RE.match(start):
        raise r.fail("show.start", f"must be a time of day like \"20:10\", not {start!r}")
    weekday = r.get(show, "weekday", "show", str, None)
    if weekday is not None and weekday.lower() not in WEEKDAYS:
        raise r.fail("show.weekday", f"must be one of {', '.join(WEEKDAYS)}, not {weekday!r}")
    timezone = r.get(show, "timezone", "show", str, "Asia/Shanghai")

    vote = r.table(r.get(data, "vote", "", dict, {}), "vote")
    studio_w = r.get(vote, "studio_weight", "vote", float, 0.5)
    remote_w = r.get(vote, "remote_weight", "vote", float, 0.5)
    if studio_w < 0 or remote_w < 0 or studio_w + remote_w <= 0:
        raise r.fail("vote", "studio_weight and remote_weight must be ≥ 0 and not both 0")
    venues = r.get(vote, "venues", "vote", list, ["main"])
    if not venues or not all(isinstance(v, str) and _KEY_RE.match(v) for v in venues):
        raise r.fail("vote.venues", "must be a non-empty list of keys like \"main\", \"sub1\"")
    if len(set(venues)) != len(venues):
        raise r.fail("vote.venues", "lists a venue twice")
    raw_names = r.get(vote, "venue_names", "vote", dict, {})
    try:
        venue_names = check_venue_names(raw_names, venues)
    except VenueNameError as exc:
        where, why = exc.args
        raise r.fail(f"vote.venue_names.{where}" if where else "vote.venue_names", why) from None
    countdown = r.get(vote, "countdown_s", "vote", int, 0)
    if not 0 <= countdown <= 3600:
        raise r.fail("vote.countdown_s", "must be from 0 to 3600")

    units = []
    for i, u in enumerate(r.get(data, "units", "", list, [])):
        where = f"units[{i}]"
        r.table(u, where)
        units.append(Unit(
            name=r.text(u, "name", where),
            head=r.get(u, "head", where, str, ""),
            title=r.get(u, "title", where, str, ""),
            short=r.get(u, "short", where, str, ""),
            group=r.get(u, "group", where, str, ""),
        ))
    experts = []
    for i, e in enumerate(r.get(data, "experts", "", list, [])):
        where = f"experts[{i}]"
        r.table(e, where)
        experts.append(Speaker(r.text(e, "name", where), r.get(e, "title", where, str, ""),
                               r.get(e, "unit", where, str, "")))
    citizens = []
    for i, e in enumerate(r.get(data, "citizens", "", list, [])):
        where = f"citizens[{i}]"
        r.table(e, where)
        citizens.append(Speaker(r.text(e, "name", where), r.get(e, "title", where, str, ""),
                                r.get(e, "unit", where, str, "")))

    presets: dict[str, TimerPreset] = {}
    for name, p in r.table(r.get(data, "timers", "", dict, {}), "timers").items():
        presets[name] = _timer_preset(r, p, f"timers.{name}")

    speaker_lists = {
        "units": tuple(Speaker(u.head or u.name, u.title, u.name) for u in units),
        "experts": tuple(experts),
        "citizens": tuple(citizens),
        "none": (),
    }

    raw_segments = r.get(data, "segments", "", list, required=True)
    if not raw_segments:
        raise r.fail("segments", "must list at least one segment")
    segments: list[Segment] = []
    for i, s in enumerate(raw_segments):
        where = f"segments[{i}]"
        r.table(s, where)
        for_each = r.get(s, "for_each", where, str, None)
        if for_each is not None:
            segments.extend(_expand_for_each(r, s, where, for_each, units, presets))
            continue
        segments.append(_segment(r, s, where, presets, speaker_lists))

    seen: set[str] = set()
    for i, seg in enumerate(segments):
        if seg.key in seen:
            raise r.fail(f"segments[{i}].key", f"{seg.key!r} is used by two segments")
        seen.add(seg.key)

    total = r.get(show, "planned_total", "show", (str, int), None)
    if total is not None:
        want = r.duration(show, "planned_total", "show")
        have = sum(s.planned_s for s in segments)
        if want != have:
            raise r.fail("show.planned_total",
                         f"says {want // 60}:{want % 60:02d} but the segments add up to {have // 60}:{have % 60:02d}")

    return Scene(title, subtitle, start, weekday.lower() if weekday else None, timezone, tuple(segments),
                 tuple(units), tuple(experts), studio_w, remote_w, tuple(venues), countdown, source,
                 timers=presets, citizens=tuple(citizens), venue_names=venue_names)


def _resolve_timer(r: _Reader, s: dict, where: str, presets: dict[str, TimerPreset]) -> TimerPreset | None:
    timer = s.get("timer")
    if timer is None:
        return None
    if isinstance(timer, str):
        if timer not in presets:
            known = ", ".join(sorted(presets)) or "none defined"
            raise r.fail(f"{where}.timer", f"names preset {timer!r}, which is not in [timers] ({known})")
        return presets[timer]
    return _timer_preset(r, timer, f"{where}.timer")


def _segment(r, s, where, presets, speaker_lists) -> Segment:
    key = r.text(s, "key", where)
    if not _KEY_RE.match(key):
        raise r.fail(f"{where}.key", f"must be lower-case letters, digits, - or _ (like \"pledge\"), not {key!r}")
    kind = r.get(s, "kind", where, str, "plain")
    if kind not in SEGMENT_KINDS:
        raise r.fail(f"{where}.kind", f"must be one of {', '.join(SEGMENT_KINDS)}, not {kind!r}")
    speakers_src = r.get(s, "speakers", where, (str, list), "none")
    if isinstance(speakers_src, str):
        if speakers_src not in SPEAKER_SOURCES:
            raise r.fail(f"{where}.speakers", f"must be one of {', '.join(SPEAKER_SOURCES)} or a list, not {speakers_src!r}")
        speakers = speaker_lists[speakers_src]
    else:
        speakers = []
        for j, p in enumerate(speakers_src):
            pw = f"{where}.speakers[{j}]"
            r.table(p, pw)
            speakers.append(Speaker(r.text(p, "name", pw), r.get(p, "title", pw, str, ""), r.get(p, "unit", pw, str, "")))
        speakers = tuple(speakers)
    poll_kind = r.get(s, "poll_kind", where, str, None)
    if poll_kind is not None and poll_kind not in ("satisfaction", "rating4", "yesno"):
        raise r.fail(f"{where}.poll_kind", f"must be satisfaction, rating4 or yesno, not {poll_kind!r}")
    return Segment(
        key=key,
        title=r.text(s, "title", where),
        planned_s=r.duration(s, "planned", where),
        kind=kind,
        speakers=speakers,
        timer=_resolve_timer(r, s, where, presets),
        poll_kind=poll_kind,
        poll_title=r.get(s, "poll_title", where, str, ""),
        note=r.get(s, "note", where, str, ""),
        obs_scene=_obs_name(r, s, where, "obs_scene"),
        obs_mute=_obs_name(r, s, where, "obs_mute"),
    )


def _obs_name(r: _Reader, s: dict, where: str, field: str) -> str:
    """Optional: an OBS scene (obs_scene) or input (obs_mute) name, plain text of at most 100 characters."""
    value = r.get(s, field, where, str, "")
    if len(value) > 100 or any(ord(c) < 32 for c in value):
        raise r.fail(f"{where}.{field}", "must be plain text of at most 100 characters")
    return value.strip()


def _expand_for_each(r, s, where, for_each, units, presets) -> list[Segment]:
    """One segment per unit (optionally one group): the report meeting's identical slots."""
    if for_each != "units":
        raise r.fail(f"{where}.for_each", f"can only be \"units\", not {for_each!r}")
    group = r.get(s, "group", where, str, None)
    chosen = [u for u in units if group is None or u.group == group]
    if not chosen:
        raise r.fail(f"{where}.group", f"no unit is in group {group!r}")
    prefix = r.text(s, "key_prefix", where)
    title_fmt = r.get(s, "title", where, str, "{unit}")
    planned = r.duration(s, "planned", where)
    timer = _resolve_timer(r, s, where, presets)
    kind = r.get(s, "kind", where, str, "speakers")
    poll_kind = r.get(s, "poll_kind", where, str, None)
    obs_scene, obs_mute = _obs_name(r, s, where, "obs_scene"), _obs_name(r, s, where, "obs_mute")
    out = []
    for n, u in enumerate(chosen, 1):
        out.append(Segment(
            key=f"{prefix}-{n}", title=title_fmt.replace("{unit}", u.name), planned_s=planned, kind=kind,
            speakers=(Speaker(u.head or u.name, u.title, u.name),), timer=timer, poll_kind=poll_kind,
            poll_title=r.get(s, "poll_title", where, str, "").replace("{unit}", u.name), obs_scene=obs_scene,
            obs_mute=obs_mute,
        ))
    return out


def read_scene_text(path: str | Path) -> str:
    """A scene file's text; SceneError (naming the file) when it is missing or not UTF-8."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SceneError(str(p), "", "file not found") from None
    except UnicodeDecodeError as exc:
        raise SceneError(str(p), "", f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def load_scene(path: str | Path) -> Scene:
    return parse_scene(read_scene_text(path), str(Path(path)))
