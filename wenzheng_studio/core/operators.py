"""The crew: operators, their roles, and what each role may do.

Each crew member signs in with a token of their own; the engine resolves it to an Actor
and checks the action against the role here, so the rule is the same on every route, on
Socket.IO and for requests forwarded by a secondary. The admin token is the director
(id 0), so clients written against ../shared/PROTOCOL.md keep working.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import DomainError, invalid
from .text import unencodable

DIRECTOR, SCREENER, REVIEWER, GRAPHICS, OBSERVER = "director", "screener", "reviewer", "graphics", "observer"
ROLES = (DIRECTOR, SCREENER, REVIEWER, GRAPHICS, OBSERVER)
ROLE_NAMES = {DIRECTOR: "导演", SCREENER: "热线导播", REVIEWER: "审核", GRAPHICS: "图文", OBSERVER: "观察员"}
MAX_NAME = 40

# Permissions. "read": every operator view (state with operator fields, drafts, the queue,
# exports). The director holds every permission; the others only what is listed.
# Messages to the talent (control:message.set, control:message.clear) are the director's
# alone, deliberately: the speaker at the podium must hear one voice from the gallery, and
# the floor manager reads /timer, he does not write on it. A control surface (OSC) acts as
# the director it is configured for.
READ, CALLERS = "read", "callers"
QUESTION_CREATE, QUESTION_REVIEW, QUESTION_DIRECT = "question.create", "question.review", "question.direct"
POLLS, SEATS, OPERATORS = "polls", "seats", "operators"
SCORES = "scores"  # import the year's other scores (POST /api/scores): the director's alone
# 评议代表库: import the pool, draw, issue the drawn seat cards. The director's alone: the pool
# holds phone numbers, and a draw must have one accountable hand (the notary watches, reads).
REPRESENTATIVES = "representatives"
REVIEW_ACTIONS = ("screen", "approve", "reject", "edit", "merge", "refer", "reply", "callback", "close")
PERMISSIONS: dict[str, frozenset[str]] = {
    SCREENER: frozenset({READ, CALLERS, QUESTION_CREATE}),
    REVIEWER: frozenset({READ, QUESTION_REVIEW}),
    # The graphics operator may take the ranking board off air (always safe), never reveal it:
    # announcing the results is the director's call.
    GRAPHICS: frozenset({READ, "control:overlay.set", "control:ranking.hide"}),
    OBSERVER: frozenset({READ}),
}


@dataclass(frozen=True)
class Actor:
    """Who is acting: recorded with every change ("actor" in history entries and events)."""

    id: int
    name: str
    role: str

    def record(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role}

    @classmethod
    def from_record(cls, data: Any) -> "Actor | None":
        if not isinstance(data, dict) or data.get("role") not in ROLES:
            return None
        return cls(int(data.get("id", -1)), str(data.get("name", "")), data["role"])


ADMIN = Actor(0, ROLE_NAMES[DIRECTOR], DIRECTOR)
# The control surface (OSC from Companion / a Stream Deck, server/osc_surface.py): built in, not
# an operator with a token (OSC carries no credential), with the director's rights because its
# buttons are the director's keys. Its own id and name, so the history says a button did it.
CONTROL_SURFACE = Actor(-10, "控制台 OSC", DIRECTOR)


def question_permission(action: Any) -> str:
    return QUESTION_REVIEW if action in REVIEW_ACTIONS else QUESTION_DIRECT


def control_permission(action: Any) -> str:
    return f"control:{action}"


def may(actor: Actor | None, permission: str) -> bool:
    if actor is None:
        return False
    return actor.role == DIRECTOR or permission in PERMISSIONS.get(actor.role, frozenset())


def require(actor: Actor | None, permission: str) -> None:
    """401 without a valid operator; 403 when the role may not do this."""
    if actor is None:
        raise DomainError("unauthorized", "this needs an operator token (Authorization: Bearer …)", 401)
    if not may(actor, permission):
        raise DomainError("forbidden", f"the {actor.role} role ({ROLE_NAMES[actor.role]}) may not do this "
                          f"({permission})", 403)


def token_hash(token: str) -> str:
    """Tokens are kept only as hashes: a copy of the database signs no one in."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class Operator:
    id: int
    name: str
    role: str
    created_at: float
    revoked_at: float | None = None
    token_hashes: list[str] = field(default_factory=list)  # one per signed-in PC

    @classmethod
    def create(cls, oid: int, body: Any, now: float) -> "Operator":
        if not isinstance(body, dict) or set(body) - {"name", "role"}:
            raise invalid('body must be {"name", "role"}')
        name = body.get("name")
        if not isinstance(name, str) or not name.strip():
            raise invalid("name must be text")
        name = name.strip()
        if len(name) > MAX_NAME or any(ord(c) < 32 for c in name) or unencodable(name):
            raise invalid(f"name must be at most {MAX_NAME} characters of plain text")
        role = body.get("role")
        if role not in ROLES:
            raise invalid(f"role must be one of {', '.join(ROLES)}")
        return cls(oid, name, role, now)

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def actor(self) -> Actor:
        return Actor(self.id, self.name, self.role)

    def view(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "role": self.role, "role_name": ROLE_NAMES[self.role],
                "created_at": self.created_at, "revoked_at": self.revoked_at}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Operator":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


class Crew:
    """The operators of one show, and the look-up of a token to its operator."""

    def __init__(self) -> None:
        self.operators: dict[int, Operator] = {}
        self._by_hash: dict[str, int] = {}

    def add(self, op: Operator) -> None:
        self.operators[op.id] = op
        for h in op.token_hashes:
            self._by_hash[h] = op.id

    def next_id(self) -> int:
        return max(self.operators, default=0) + 1

    def actor(self, token: str | None) -> Actor | None:
        if not token:
            return None
        oid = self._by_hash.get(token_hash(token))
        op = self.operators.get(oid) if oid is not None else None
        return op.actor() if op is not None and op.active else None

    def get(self, oid: Any) -> Operator:
        if isinstance(oid, str) and oid.isascii() and oid.isdigit() and len(oid) < 12:
            oid = int(oid)
        if isinstance(oid, bool) or not isinstance(oid, int) or oid not in self.operators:
            raise DomainError("not_found", f"no operator {oid!r}", 404)
        return self.operators[oid]

    def restore(self, records: list[dict]) -> None:
        self.operators, self._by_hash = {}, {}
        for data in records:
            self.add(Operator.from_dict(data))

    # --- commands (validated first; the Show wraps each in a Change) ----------------------
    def create(self, body: Any, now: float, token_digest: str) -> Operator:
        op = Operator.create(self.next_id(), body, now)
        op.token_hashes.append(token_digest)
        self.add(op)
        return op

    def add_token(self, oid: Any, token_digest: str) -> Operator:
        op = self.get(oid)
        if not op.active:
            raise DomainError("bad_transition", f"operator {op.id} was revoked", 409)
        op.token_hashes.append(token_digest)
        self._by_hash[token_digest] = op.id
        return op

    def revoke(self, oid: Any, now: float) -> Operator:
        op = self.get(oid)
        if not op.active:
            raise DomainError("bad_transition", f"operator {op.id} is already revoked", 409)
        op.revoked_at = now
        return op


# --- four eyes and the record of who acted ---------------------------------------------
def stamp(entries: list[dict[str, Any]], actor: Actor | None) -> None:
    """Records who did it on history entries a command appended."""
    if actor is not None:
        for entry in entries:
            entry.setdefault("actor", actor.record())


def check_four_eyes(history: list[dict[str, Any]], actor: Actor | None, body: dict[str, Any]) -> bool:
    """终审 (approve) is someone else than the 初审 (screen) and than the last one who reworded
    the air text. Returns True when the director overrides it ("override": true); raises
    409 same_reviewer otherwise. Entries recorded before actors were kept are not checked."""
    if actor is None:
        return False
    involved = set()
    for entry in reversed(history):
        who = (entry.get("actor") or {}).get("id")
        if entry.get("action") == "screen":
            involved.add(who)
            break  # the 初审 of this round
        if entry.get("action") == "edit" and "air_text" in (entry.get("changed") or []) and not involved:
            involved.add(who)  # the last rewording
    if actor.id not in involved:
        return False
    override = body.get("override")
    if override is True and actor.role == DIRECTOR:
        return True
    if override not in (None, False, True):
        raise invalid("override must be true or false")
    raise DomainError("same_reviewer", "初审 and 终审 must be two different people: you screened this question "
                      "or reworded it" + ("; the director may send override: true" if actor.role == DIRECTOR else ""),
                      409)
