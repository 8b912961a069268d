"""Questions and their review flow: nothing reaches air without both reviews."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from .errors import DomainError, bad_transition, invalid
from .text import control_characters, unencodable

NEW, SCREENED, APPROVED, REJECTED, ON_AIR, ANSWERED, REFERRED, CLOSED = (
    "new", "screened", "approved", "rejected", "on_air", "answered", "referred", "closed")
SOURCES = ("web", "hotline", "studio")
MAX_TEXT = 500
MAX_FIELD = 100
_DUE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# action -> (states it may start from, state it leads to)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "screen": ((NEW,), SCREENED),
    "approve": ((SCREENED,), APPROVED),
    "reject": ((NEW, SCREENED, APPROVED), REJECTED),
    "on_air": ((APPROVED,), ON_AIR),
    "answered": ((ON_AIR,), ANSWERED),
    "refer": ((APPROVED, ON_AIR, ANSWERED), REFERRED),
    "close": ((REFERRED,), CLOSED),
}
# Actions that change details, not the state, and the states they are allowed in.
_LIVE = (NEW, SCREENED, APPROVED, ON_AIR, ANSWERED, REFERRED)
EDITS: dict[str, tuple[str, ...]] = {
    "edit": _LIVE,  # air_text (the original text is kept), unit, topic
    "priority": _LIVE,
    "reorder": _LIVE,  # rank: the director's drag-and-drop order within a priority
    "reply": (REFERRED, CLOSED),  # the unit's written reply
    "callback": (REFERRED, CLOSED),  # the call back to the citizen, with satisfaction
}
# merge is handled by the Show (it touches two questions): see merge_into().
ACTIONS = (*TRANSITIONS, *EDITS, "merge")
ROLES = ("head", "deputy")
SATISFACTIONS = ("satisfied", "basic", "unsatisfied")


def clean_text(value: Any, name: str, limit: int, required: bool = False) -> str:
    """Viewer text is data: must be a string, trimmed, no control characters, bounded."""
    if value is None:
        if required:
            raise invalid(f"{name} is required")
        return ""
    if not isinstance(value, str):
        raise invalid(f"{name} must be text")
    value = value.replace("\r\n", "\n").strip()
    if required and not value:
        raise invalid(f"{name} must not be empty")
    if len(value) > limit:
        raise invalid(f"{name} is longer than {limit} characters")
    if problem := control_characters(value, newline_ok=True):
        raise invalid(f"{name} {problem}")
    if unencodable(value):
        raise invalid(f"{name} contains text that is not valid Unicode (a lone surrogate)")
    return value


def phone_digits(phone: str) -> str:
    """A phone number as its digits only: how numbers are compared and masked."""
    return re.sub(r"\D", "", phone)


def mask_phone(phone: str) -> str:
    """138****5678: the first three and last four digits stay, the rest are masked."""
    digits = phone_digits(phone)
    if len(digits) >= 8:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


@dataclass
class Question:
    id: int
    source: str
    text: str
    name: str = ""
    district: str = ""
    unit: str = ""
    state: str = NEW
    created_at: float = 0.0
    air_text: str = ""  # reviewers' wording for air; the original text is kept
    phone: str = ""  # hotline only; never leaves the engine unmasked except to operators
    topic: str = ""
    notes: str = ""
    priority: int = 0
    anonymous: bool = False
    flagged: list[str] = field(default_factory=list)
    answered_by: str = ""
    refer_unit: str = ""
    due: str = ""
    result: str = ""
    reply: str = ""
    reason: str = ""
    history: list[dict[str, Any]] = field(default_factory=list)
    count: int = 1  # how many people asked this (merged duplicates included)
    merged_into: int = 0  # set on a duplicate: the question it was merged into
    rank: float = 0.0  # queue order within a priority; smaller comes first
    on_air_at: float = 0.0
    answered_at: float = 0.0
    answered_role: str = ""  # head | deputy | "" (unknown)
    hard: bool = False  # a hard referral: one month instead of 7 working days
    referred_at: float = 0.0
    replied_at: float = 0.0
    satisfaction: str = ""  # satisfied | basic | unsatisfied, from the callback
    callback_note: str = ""
    callback_at: float = 0.0

    @classmethod
    def create(cls, qid: int, body: Any, now: float, *, operator: bool, sensitive_words=()) -> "Question":
        if not isinstance(body, dict):
            raise invalid("body must be a JSON object")
        allowed = {"text", "name", "district", "unit", "source", "anonymous"}
        if operator:
            allowed |= {"phone", "topic", "notes", "priority", "screened"}
        unknown = set(body) - allowed
        if unknown:
            raise invalid(f"unknown field(s): {', '.join(sorted(unknown))}")
        source = body.get("source", "web")
        if source not in SOURCES:
            raise invalid(f"source must be one of {', '.join(SOURCES)}")
        if source != "web" and not operator:
            raise DomainError("unauthorized", f"source {source!r} is for operators only", 401)
        anonymous = body.get("anonymous", False)
        if not isinstance(anonymous, bool):
            raise invalid("anonymous must be true or false")
        priority = body.get("priority", 0)
        if isinstance(priority, bool) or not isinstance(priority, int) or not -10 <= priority <= 10:
            raise invalid("priority must be a whole number from -10 to 10")
        screened = body.get("screened", False)
        if not isinstance(screened, bool):
            raise invalid("screened must be true or false")
        q = cls(
            id=qid, source=source, text=clean_text(body.get("text"), "text", MAX_TEXT, required=True),
            name="" if anonymous else clean_text(body.get("name"), "name", MAX_FIELD),
            district=clean_text(body.get("district"), "district", MAX_FIELD),
            unit=clean_text(body.get("unit"), "unit", MAX_FIELD),
            created_at=now, anonymous=anonymous, priority=priority, rank=float(qid),
            phone=clean_text(body.get("phone"), "phone", 32),
            topic=clean_text(body.get("topic"), "topic", MAX_FIELD),
            notes=clean_text(body.get("notes"), "notes", MAX_TEXT),
        )
        q.flagged = [w for w in sensitive_words if w and w in q.text]
        q.history.append({"t": now, "action": "created", "state": NEW})
        if screened:  # the hotline screener is the first review: accepted and screened in one write
            q.apply("screen", {}, now)
        return q

    def apply(self, action: str, body: dict[str, Any], now: float) -> None:
        """Validates everything first, then changes: a refused action changes nothing."""
        if action in EDITS:
            self._edit(action, body, now)
            return
        if action not in TRANSITIONS:
            raise invalid(f"action must be one of {', '.join(ACTIONS)}, not {action!r}")
        sources, target = TRANSITIONS[action]
        if self.state not in sources:
            raise bad_transition(f"cannot {action} a question that is {self.state}")
        entry: dict[str, Any] = {"t": now, "action": action, "state": target}
        updates: dict[str, Any] = {}
        if action == "on_air":
            updates["on_air_at"] = now
        elif action == "answered":
            by = clean_text(body.get("by"), "by", MAX_FIELD)
            role = body.get("role", "")
            if role not in ("", *ROLES):
                raise invalid("role must be head (一把手) or deputy")
            updates.update(answered_by=by, answered_role=role, answered_at=now)
            entry.update(by=by, role=role)
        elif action == "refer":
            unit = clean_text(body.get("unit") or self.unit, "unit", MAX_FIELD, required=True)
            due = _check_due(body.get("due"))
            hard = body.get("hard", False)
            if not isinstance(hard, bool):
                raise invalid("hard must be true or false")
            updates.update(refer_unit=unit, due=due, hard=hard, referred_at=now)
            entry.update(unit=unit, due=due, hard=hard)
        elif action == "close":
            result = body.get("result")
            if result not in ("A", "B", "C"):
                raise invalid("result must be A (solved), B (being solved) or C (cannot be solved now)")
            updates["result"] = result
            if "reply" in body:
                updates.update(reply=clean_text(body.get("reply"), "reply", MAX_TEXT), replied_at=now)
            entry["result"] = result
        elif action == "reject":
            updates["reason"] = clean_text(body.get("reason"), "reason", MAX_FIELD)
            entry["reason"] = updates["reason"]
        for key, value in updates.items():
            setattr(self, key, value)
        self.state = target
        self.history.append(entry)

    def _edit(self, action: str, body: dict[str, Any], now: float) -> None:
        if self.state not in EDITS[action]:
            raise bad_transition(f"cannot {action} a question that is {self.state}")
        entry: dict[str, Any] = {"t": now, "action": action, "state": self.state}
        updates: dict[str, Any] = {}
        if action == "edit":
            for key, limit in (("air_text", MAX_TEXT), ("unit", MAX_FIELD), ("topic", MAX_FIELD)):
                if key in body:
                    updates[key] = clean_text(body.get(key), key, limit)
            if not updates:
                raise invalid("edit needs air_text, unit or topic")
            reworded = [k for k in ("air_text", "unit") if k in updates and updates[k] != getattr(self, k)]
            if reworded and self.state == ON_AIR:
                raise bad_transition("a question on air cannot be reworded; take it off air first")
            if reworded and self.state == APPROVED:
                # Nothing reaches air in wording the final reviewer did not see: 终审 again.
                entry.update(state=SCREENED, reapproval=True)
                updates["state"] = SCREENED
            entry.update(changed=reworded + [k for k in ("topic",) if k in updates])
        elif action == "priority":
            updates["priority"] = _check_priority(body.get("priority"))
        elif action == "reorder":
            rank = body.get("rank")
            if isinstance(rank, bool) or not isinstance(rank, (int, float)) or rank != rank or abs(rank) > 1e12:
                raise invalid("rank must be a number")
            updates["rank"] = float(rank)
            if "priority" in body:
                updates["priority"] = _check_priority(body.get("priority"))
        elif action == "reply":
            updates.update(reply=clean_text(body.get("reply"), "reply", MAX_TEXT, required=True), replied_at=now)
        elif action == "callback":
            satisfaction = body.get("satisfaction")
            if satisfaction not in SATISFACTIONS:
                raise invalid("satisfaction must be satisfied (满意), basic (基本满意) or unsatisfied (不满意)")
            updates.update(satisfaction=satisfaction, callback_at=now,
                           callback_note=clean_text(body.get("note"), "note", MAX_TEXT))
        for key, value in updates.items():
            setattr(self, key, value)
        entry.update({k: v for k, v in updates.items() if k in ("unit", "priority", "satisfaction")})
        self.history.append(entry)

    def on_air_view(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.air_text or self.text, "name": self.name,
                "district": self.district, "unit": self.unit, "source": self.source}

    def view(self, *, full_phone: bool = False) -> dict[str, Any]:
        out = asdict(self)
        if not full_phone:
            out["phone"] = mask_phone(self.phone) if self.phone else ""
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Question":
        q = cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        if "rank" not in data:  # stored before ranks existed: queue order was arrival order
            q.rank = float(q.id)
        return q


def merge_into(duplicate: Question, target: Question, now: float) -> None:
    """Folds a duplicate into `target`: the target counts its askers, the duplicate is
    rejected with a reason pointing at the target (kept, never deleted)."""
    if duplicate.id == target.id:
        raise invalid("a question cannot be merged into itself")
    if duplicate.state not in (NEW, SCREENED, APPROVED):
        raise bad_transition(f"cannot merge a question that is {duplicate.state}")
    if target.state in (REJECTED, CLOSED):
        raise bad_transition(f"cannot merge into a question that is {target.state}")
    target.count += duplicate.count
    target.history.append({"t": now, "action": "merge", "state": target.state, "from": duplicate.id,
                           "count": target.count})
    duplicate.merged_into = target.id
    duplicate.reason = f"重复，已合并到 #{target.id}"
    duplicate.state = REJECTED
    duplicate.history.append({"t": now, "action": "merge", "state": REJECTED, "into": target.id})


def _check_priority(priority: Any) -> int:
    if isinstance(priority, bool) or not isinstance(priority, int) or not -10 <= priority <= 10:
        raise invalid("priority must be a whole number from -10 to 10")
    return priority


def _check_due(due: Any) -> str:
    if not isinstance(due, str) or not _DUE_RE.match(due):
        raise invalid("due must be a date like 2026-12-01")
    try:
        date.fromisoformat(due)
    except ValueError:
        raise invalid(f"due {due!r} is not a real date") from None
    return due
