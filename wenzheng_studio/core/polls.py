"""Polls, ballots and tallies: one ballot per voter per poll, studio and remote groups."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import DomainError, invalid
from .text import control_characters, unencodable

DRAFT, OPEN, CLOSED = "draft", "open", "closed"
STUDIO, REMOTE = "studio", "remote"
GROUPS = (STUDIO, REMOTE)

PRESET_CHOICES: dict[str, list[tuple[str, str]]] = {
    "satisfaction": [("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")],
    "rating4": [("good", "好"), ("fair", "较好"), ("average", "一般"), ("poor", "差")],
    "yesno": [("yes", "赞成"), ("no", "反对")],
}
KINDS = (*PRESET_CHOICES, "choice")
RATING4_POINTS = {"good": 20, "fair": 15, "average": 10, "poor": 5}
RATING4_BLANK = "blank"  # a blank rating4 ballot counts as 一般 (average)
_CHOICE_KEY = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
MAX_TITLE = 200
MAX_ATTENDING = 100000

# Vote refusal codes, exactly as PROTOCOL.md names them.
NO_POLL, NOT_OPEN, BAD_CHOICE, DUPLICATE, RATE_LIMITED, INVALID = (
    "no_poll", "not_open", "bad_choice", "duplicate", "rate_limited", "invalid")


def _text(value: Any, name: str, limit: int, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise invalid(f"{name} must be text")
    value = value.strip()
    if required and not value:
        raise invalid(f"{name} must not be empty")
    if len(value) > limit:
        raise invalid(f"{name} is longer than {limit} characters")
    if problem := control_characters(value):
        raise invalid(f"{name} {problem}")
    if unencodable(value):
        raise invalid(f"{name} contains text that is not valid Unicode (a lone surrogate)")
    return value


@dataclass
class Poll:
    id: int
    title: str
    kind: str
    choices: list[dict[str, str]]
    unit: str = ""
    revealed: bool = True
    state: str = DRAFT
    created_at: float = 0.0
    opened_at: float | None = None
    closed_at: float | None = None
    closes_at: float | None = None  # countdown: closes by itself at this time
    venues: list[str] = field(default_factory=lambda: ["main"])
    # rating4 (听证评议): the representatives attending as the director set it; None = the seats
    # signed in to the show (see Show.signed_in_for). The score divides by this number.
    attending: int | None = None
    # Derived from the ballot log, never stored: rebuilt by recount on recovery.
    tally: dict[str, dict[str, int]] = field(default_factory=dict)
    venue_tally: dict[str, dict[str, int]] = field(default_factory=dict)
    voters: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        keys = [c["key"] for c in self.choices]
        if not self.tally:
            self.tally = {g: {k: 0 for k in keys} for g in GROUPS}

    @classmethod
    def create(cls, poll_id: int, body: Any, now: float, venues: list[str]) -> "Poll":
        if not isinstance(body, dict):
            raise invalid("body must be a JSON object")
        unknown = set(body) - {"title", "kind", "choices", "unit", "revealed", "countdown_s", "attending"}
        if unknown:
            raise invalid(f"unknown field(s): {', '.join(sorted(unknown))}")
        title = _text(body.get("title"), "title", MAX_TITLE)
        kind = body.get("kind")
        if kind not in KINDS:
            raise DomainError("bad_kind", f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if kind == "choice":
            raw = body.get("choices")
            if not isinstance(raw, list) or not 2 <= len(raw) <= 12:
                raise invalid("a choice poll needs choices: a list of 2 to 12 {key, label}")
            choices = []
            for i, c in enumerate(raw):
                if not isinstance(c, dict) or set(c) - {"key", "label"}:
                    raise invalid(f"choices[{i}] must be an object with key and label")
                key = c.get("key")
                if not isinstance(key, str) or not _CHOICE_KEY.match(key):
                    raise invalid(f"choices[{i}].key must be 1-32 letters, digits, - or _")
                choices.append({"key": key, "label": _text(c.get("label"), f"choices[{i}].label", 60)})
            if len({c["key"] for c in choices}) != len(choices):
                raise invalid("choice keys must be different")
        else:
            if body.get("choices") is not None:
                raise invalid(f"a {kind} poll has fixed choices; leave choices out")
            choices = [{"key": k, "label": label} for k, label in PRESET_CHOICES[kind]]
        unit = _text(body.get("unit"), "unit", 100, required=False)
        revealed = body.get("revealed", True)
        if not isinstance(revealed, bool):
            raise invalid("revealed must be true or false")
        poll = cls(poll_id, title, kind, choices, unit, revealed, DRAFT, now, venues=list(venues))
        if body.get("attending") is not None:
            poll.set_attending(body.get("attending"))
        return poll

    def set_attending(self, value: Any) -> None:
        """The director's count of representatives attending (None: back to the signed-in seats)."""
        if self.kind != "rating4":
            raise invalid("attending is for rating4 polls (the hearing's score) only")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ATTENDING):
            raise invalid(f"attending must be a whole number from 1 to {MAX_ATTENDING}, or null")
        self.attending = value

    # --- flow ----------------------------------------------------------------------
    def open(self, now: float, countdown_s: Any = None) -> None:
        if self.state != DRAFT:
            raise DomainError("bad_transition", f"poll {self.id} is {self.state}; only a draft can open", 409)
        if countdown_s is not None:
            if isinstance(countdown_s, bool) or not isinstance(countdown_s, (int, float)) or not 0 < countdown_s <= 3600:
                raise invalid("countdown_s must be a number of seconds from 1 to 3600")
            self.closes_at = now + float(countdown_s)
        self.state = OPEN
        self.opened_at = now

    def close(self, now: float) -> None:
        if self.state != OPEN:
            raise DomainError("bad_transition", f"poll {self.id} is {self.state}; only an open poll can close", 409)
        self.state = CLOSED
        self.closed_at = min(now, self.closes_at) if self.closes_at else now

    def reveal(self) -> None:
        self.revealed = True

    def is_open(self, now: float) -> bool:
        return self.state == OPEN and (self.closes_at is None or now < self.closes_at)

    def close_due(self, now: float) -> bool:
        return self.state == OPEN and self.closes_at is not None and now >= self.closes_at

    # --- ballots -------------------------------------------------------------------
    def normalise_choice(self, choice: Any) -> str:
        """The tally key a ballot counts under, or raise with a vote error code."""
        if self.kind == "rating4" and choice in (RATING4_BLANK, "", None):
            return "average"
        if not isinstance(choice, str) or choice not in self.tally[STUDIO]:
            raise DomainError(BAD_CHOICE, f"{choice!r} is not a choice of poll {self.id}")
        return choice

    def check_ballot(self, voter: str, choice: Any, now: float) -> str:
        """Validate a ballot; returns the tally key. Raises DomainError with the vote code."""
        if not self.is_open(now):
            raise DomainError(NOT_OPEN, f"poll {self.id} is not open")
        key = self.normalise_choice(choice)
        if voter in self.voters:
            raise DomainError(DUPLICATE, "this voter has already voted in this poll")
        return key

    def count(self, voter: str, group: str, venue: str, key: str) -> None:
        self.voters.add(voter)
        self.tally[group][key] += 1
        if group == STUDIO:
            per = self.venue_tally.setdefault(venue, {c["key"]: 0 for c in self.choices})
            per[key] += 1

    @property
    def ballots(self) -> int:
        return sum(sum(g.values()) for g in self.tally.values())

    def attendance(self, signed_in: int = 0) -> tuple[int, str]:
        """(representatives, where the number comes from): the director's `attending`, else the
        seats signed in, else the ballots; never fewer than the representatives' ballots cast."""
        cast = self.representative_ballots
        if self.attending is not None:
            n, source = self.attending, "director"
        elif signed_in:
            n, source = signed_in, "signed_in"
        else:
            n, source = cast, "ballots"
        return max(n, cast), source

    @property
    def representative_ballots(self) -> int:
        """The hearing is scored by the representatives in the room (the studio group: their
        seat links); a phone in the audience at home is not a 评议代表 and never moves the score."""
        return sum(self.tally[STUDIO].values())

    def score(self, signed_in: int = 0) -> float | None:
        """rating4, 听证评议分数 = total points ÷ representatives attending. A blank ballot counts as
        一般 (10), and so does a representative who attended and cast nothing."""
        if self.kind != "rating4":
            return None
        n, _ = self.attendance(signed_in)
        if not n:
            return None
        points = sum(RATING4_POINTS[k] * self.tally[STUDIO][k] for k in RATING4_POINTS)
        points += RATING4_POINTS["average"] * (n - self.representative_ballots)
        return round(points / n, 2)

    def combined(self, studio_weight: float, remote_weight: float) -> dict[str, float]:
        """Per-choice share in percent, each group weighted; a group with no ballots drops out."""
        parts = []
        for group, weight in ((STUDIO, studio_weight), (REMOTE, remote_weight)):
            n = sum(self.tally[group].values())
            if n and weight > 0:
                parts.append((weight, {k: v / n for k, v in self.tally[group].items()}))
        total_w = sum(w for w, _ in parts)
        keys = [c["key"] for c in self.choices]
        if not total_w:
            return {k: 0.0 for k in keys}
        return {k: round(100 * sum(w * share[k] for w, share in parts) / total_w, 2) for k in keys}

    def view(self, *, operator: bool, with_tally: bool = True, weights=(0.5, 0.5),
             signed_in: int = 0) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id, "title": self.title, "kind": self.kind, "state": self.state,
            "choices": [dict(c) for c in self.choices], "revealed": self.revealed, "unit": self.unit,
            "opened_at": self.opened_at, "closed_at": self.closed_at, "closes_at": self.closes_at,
        }
        if with_tally and (operator or self.revealed):
            out["tally"] = {g: dict(v) for g, v in self.tally.items()}
            out["ballots"] = self.ballots
            out["venues"] = {v: dict(t) for v, t in self.venue_tally.items()}
            out["combined"] = self.combined(*weights)
            if self.kind == "rating4":
                out["score"] = self.score(signed_in)
                out["attending"], out["attending_source"] = self.attendance(signed_in)
        return out

    # What is stored of a poll (the rest is derived from the ballot log).
    RECORD_FIELDS = ("id", "title", "kind", "choices", "unit", "revealed", "state", "created_at",
                     "opened_at", "closed_at", "closes_at", "venues", "attending")

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.RECORD_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Poll":
        return cls(**{k: data[k] for k in cls.RECORD_FIELDS if k in data})
