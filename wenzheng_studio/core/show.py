"""The Show: one aggregate of running order, speaker timer, polls and questions.

Commands go in with the current time; each returns a Change saying what to persist and
broadcast. The engine around it (server/) owns I/O; this module owns the rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .errors import DomainError, invalid, not_found
from .polls import CLOSED, OPEN, Poll
from .followup import due_date, local_date
from .message import talent_message
from .operators import Actor, Crew, Operator, check_four_eyes, stamp
from .questions import APPROVED, ON_AIR, Question, clean_text, merge_into
from .running_order import LIVE, RunningOrder
from . import rundown
from .rundown import EDIT_ACTIONS
from .ranking_board import BOARD_ACTIONS, board_group, board_view
from .scene import Scene
from .show_records import ShowRecords
from .timers import SpeakerTimer

CONTROL_ACTIONS = (
    "segment.next", "segment.prev", "segment.goto", "segment.hold",
    "show.start", "show.end", "show.resume",
    "timer.start", "timer.pause", "timer.resume", "timer.reset", "timer.add", "timer.toggle",
    "speaker.next", "speaker.goto", "speaker.clear",
    "overlay.set", "poll.clear", "question.clear", *EDIT_ACTIONS, *BOARD_ACTIONS,
    "message.set", "message.clear",
)
# Ids in paths: ASCII digits only ("²".isdigit() is True, and int() refuses it).
_ID_TEXT = re.compile(r"^[0-9]{1,11}$")
# "venues": the per-venue result board (三民); its "auto" is off air: only the director's cue
# ("show") puts it up, and "hide" (or "auto") takes it down.
OVERLAY_ELEMENTS = ("tally", "qr", "timer", "lower_third", "question", "bug", "venues")
OVERLAY_MODES = ("auto", "show", "hide")


@dataclass
class Change:
    """What a command changed: an audit event plus which records to write."""

    event: dict[str, Any]
    show: bool = False
    polls: list[int] = field(default_factory=list)
    questions: list[int] = field(default_factory=list)
    operators: list[int] = field(default_factory=list)
    ops: list[tuple] = field(default_factory=list)  # further store operations (a seat's sign-in)


def _number(body: dict, key: str, *, required: bool, lo: float, hi: float) -> float | None:
    value = body.get(key)
    if value is None:
        if required:
            raise invalid(f"{key} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        raise invalid(f"{key} must be a number")
    if not lo <= value <= hi:
        raise invalid(f"{key} must be from {lo:g} to {hi:g}")
    return float(value)


class Show(ShowRecords):
    def __init__(self, scene: Scene, sensitive_words: tuple[str, ...] = ()):
        self.base_scene = scene  # as loaded from the file; self.scene is the running order as edited
        self.order = RunningOrder(scene)
        self.timer = SpeakerTimer()
        self.polls: dict[int, Poll] = {}
        self.questions: dict[int, Question] = {}
        self.current_poll_id: int | None = None
        self.on_air_question_id: int | None = None
        self.overlay = {e: "auto" for e in OVERLAY_ELEMENTS}
        self.message: dict[str, Any] | None = None  # the director's line to the talent (/timer)
        self.sensitive_words = sensitive_words
        self.crew = Crew()  # the operators and their tokens (hashed)
        self.rehearsal = False  # 彩排: set by the engine from --rehearsal; mirrors learn it from meta
        self._next_poll_id = 1
        self._next_question_id = 1
        # 听证评议: seat → (venue, first sign-in time), kept in the seats table (the engine restores it).
        self.signed_in: dict[str, tuple[str, float]] = {}
        # The year's other parts of each unit's result (POST /api/scores), kept in the show's meta.
        self.scores: dict[str, Any] | None = None
        self.ranking_group: str | None = None  # the group whose ranking board is on air (ranking.show)

    @property
    def scene(self) -> Scene:
        """The running order as it stands (edited live or as loaded)."""
        return self.order.scene

    # --- control ---------------------------------------------------------------------
    def control(self, body: Any, now: float, actor: Actor | None = None) -> Change:
        if not isinstance(body, dict):
            raise invalid("body must be a JSON object")
        action = body.get("action")
        if action not in CONTROL_ACTIONS:
            raise DomainError("bad_action", f"action must be one of {', '.join(CONTROL_ACTIONS)}, not {action!r}")
        o, t = self.order, self.timer
        off: int | None = None  # a question this command took off air (its record changes too)
        if action in ("segment.next", "segment.prev", "segment.goto"):
            if o.hold:
                raise DomainError("held", "the running order is held (保持本环节); release the hold first", 409)
            before = o.index
            if action == "segment.next":
                o.next(now)
            elif action == "segment.prev":
                o.prev(now)
            else:
                o.goto(now, body.get("index"))
            if o.index != before:
                # A new segment starts with no one speaking: a pledge timer must not run on into a video,
                # and a question must not stay on air over the next segment's guests.
                self.timer = SpeakerTimer()
                self.message = None  # a line for the last segment's speaker is not for the next
                off = self._take_question_off_air(now)
        elif action == "segment.hold":
            on = body.get("on")
            if on is not None and not isinstance(on, bool):
                raise invalid("on must be true or false")
            o.hold = not o.hold if on is None else on
        elif action == "show.start":
            o.start_show(now)
        elif action == "show.end":
            o.end_show(now)
            t.pause(now)
            off = self._take_question_off_air(now)  # nothing of the show stays on air after it
        elif action == "show.resume":
            o.resume_show(now)
        elif action == "timer.start":
            seconds = _number(body, "seconds", required=False, lo=1, hi=6 * 3600)
            label = body.get("label")
            if label is not None and not isinstance(label, str):
                raise invalid("label must be text")
            label = clean_text((label or "").strip()[:80], "label", 80)
            self._start_timer(now, seconds, label or None, body)
        elif action == "timer.pause":
            t.pause(now)
        elif action == "timer.resume":
            t.resume(now)
        elif action == "timer.toggle":
            t.pause(now) if t.running else t.resume(now)
        elif action == "timer.reset":
            t.reset()
        elif action == "timer.add":
            t.add(_number(body, "seconds", required=True, lo=-6 * 3600, hi=6 * 3600))
        elif action == "speaker.next":
            self._goto_speaker(now, o.speaker_index + 1)
        elif action == "speaker.goto":
            index = body.get("index")
            if isinstance(index, bool) or not isinstance(index, int):
                raise invalid("index must be a whole number")
            self._goto_speaker(now, index)
        elif action == "speaker.clear":
            o.speaker_index = -1
        elif action == "overlay.set":
            element, mode = body.get("element"), body.get("mode")
            if element not in OVERLAY_ELEMENTS:
                raise invalid(f"element must be one of {', '.join(OVERLAY_ELEMENTS)}")
            if mode not in OVERLAY_MODES:
                raise invalid(f"mode must be one of {', '.join(OVERLAY_MODES)}")
            self.overlay[element] = mode
        elif action == "poll.clear":
            self.current_poll_id = None
        elif action == "question.clear":
            off = self._take_question_off_air(now)
        elif action == "ranking.show":
            self.ranking_group = board_group(body, self.ranking(public=True))  # checks the group first
        elif action == "ranking.hide":
            self.ranking_group = None
        elif action == "message.set":
            self.message = talent_message(body, now)
        elif action == "message.clear":
            self.message = None
        elif action in EDIT_ACTIONS:
            rundown.edit(o, body, on_air=o.status == LIVE)  # checks everything first, then changes
            o.edited = True
        event = {k: v for k, v in body.items() if k != "action" and isinstance(v, (str, int, float, bool))}
        if off is not None:
            stamp(self.questions[off].history[-1:], actor)
        return Change({"kind": "control", "action": action, **event, **_by(actor)}, show=True,
                      questions=[off] if off is not None else [])

    def _start_timer(self, now: float, seconds: float | None, label: str | None, body: dict) -> None:
        seg = self.order.segment
        preset = seg.timer
        if seconds is None:
            seconds = float(preset.seconds if preset else seg.planned_s)
        if preset and seconds == preset.seconds:
            warning, danger, cut = preset.warning_s, preset.danger_s, preset.cut_at_zero
        else:  # proportional defaults: 20% and 10% of the time, at most 60 s and 30 s
            warning, danger, cut = min(60.0, round(seconds * 0.2)), min(30.0, round(seconds * 0.1)), False
        warning = _number(body, "warning_s", required=False, lo=0, hi=seconds) or warning
        danger = _number(body, "danger_s", required=False, lo=0, hi=seconds) or danger
        self.timer.start(now, seconds, label or self._speaker_label() or seg.title, warning, min(danger, warning), cut)

    def _speaker_label(self) -> str:
        sp = self.current_speaker()
        return sp["name"] if sp else ""

    def _goto_speaker(self, now: float, index: int) -> None:
        speakers = self.order.segment.speakers
        if not speakers:
            raise DomainError("bad_transition", f"segment {self.order.segment.title} has no speakers", 409)
        if not 0 <= index < len(speakers):
            raise DomainError("bad_transition", "no more speakers in this segment" if index >= len(speakers)
                              else f"speaker index must be from 0 to {len(speakers) - 1}", 409)
        if self.order.status != LIVE:
            self.order.start_show(now)
        self.order.speaker_index = index
        self._start_timer(now, None, None, {})
        self.message = None  # "请结束发言" was meant for the one before

    def _answering_speaker(self, q: Question) -> int | None:
        """In a live segment whose speakers are the units (我要问政), the speaker index of the
        question's unit's head; None when the question has no unit or the unit no head here
        (then the text goes on air and the speaker stays as it was)."""
        seg = self.order.segment
        if self.order.status != LIVE or not q.unit or not seg.speakers:
            return None
        names = {q.unit}
        for unit in self.scene.units:
            if q.unit in (unit.name, unit.short):
                names |= {unit.name, unit.short}
        for i, sp in enumerate(seg.speakers):
            if sp.unit and sp.unit in names:
                return i
        return None

    def current_speaker(self) -> dict[str, Any] | None:
        speakers, i = self.order.segment.speakers, self.order.speaker_index
        if 0 <= i < len(speakers):
            sp = speakers[i]
            return {"index": i, "name": sp.name, "title": sp.title, "unit": sp.unit}
        return None

    # --- polls -----------------------------------------------------------------------
    def create_poll(self, body: Any, now: float, actor: Actor | None = None) -> tuple[Poll, Change]:
        replace = isinstance(body, dict) and body.get("replace") is True
        if isinstance(body, dict) and "replace" in body:
            if not isinstance(body["replace"], bool):
                raise invalid("replace must be true or false")
            body = {k: v for k, v in body.items() if k != "replace"}
        poll = Poll.create(self._next_poll_id, body, now, list(self.scene.venues))
        if poll.kind == "rating4" and poll.unit and not replace:
            # The ranking counts a unit's latest scored 测评: a second one made by accident (F5 on
            # the wrong segment) and opened would silently replace the real score.
            earlier = [p for p in self.polls.values() if p.kind == "rating4" and p.unit == poll.unit
                       and p.state != "draft"]
            if earlier:
                last = max(earlier, key=lambda p: p.id)
                raise DomainError("already_scored", f"{poll.unit} already has 测评 poll #{last.id} "
                                  f"({last.state}, {last.ballots} ballots); a new one would replace its "
                                  "score in the ranking: send \"replace\": true to mean it", 409)
        self.polls[poll.id] = poll
        self._next_poll_id += 1
        event = {"kind": "poll.create", "poll": poll.id, **({"replace": True} if replace else {}), **_by(actor)}
        return poll, Change(event, polls=[poll.id])

    def poll(self, poll_id: Any) -> Poll:
        key = self.poll_key(poll_id)
        if key is None:
            raise not_found(f"no poll {poll_id!r}")
        return self.polls[key]

    def poll_key(self, poll_id: Any) -> int | None:
        if isinstance(poll_id, str) and _ID_TEXT.match(poll_id):
            poll_id = int(poll_id)
        if isinstance(poll_id, bool) or not isinstance(poll_id, int) or poll_id not in self.polls:
            return None
        return poll_id

    def poll_action(self, poll_id: Any, action: str, body: Any, now: float,
                    actor: Actor | None = None) -> tuple[Poll, Change]:
        poll = self.poll(poll_id)
        body = body if isinstance(body, dict) else {}
        if action == "open":
            countdown = body.get("countdown_s", None)
            if countdown is None and self.scene.poll_countdown_s:
                countdown = self.scene.poll_countdown_s
            poll.open(now, countdown)
            self.current_poll_id = poll.id
        elif action == "close":
            poll.close(now)
        elif action == "reveal":
            poll.reveal()
        elif action == "attending":
            if "attending" not in body:
                raise invalid("attending is required (a whole number, or null for the seats signed in)")
            poll.set_attending(body.get("attending"))
        else:
            raise not_found(f"no poll action {action!r}")
        return poll, Change({"kind": f"poll.{action}", "poll": poll.id, **_by(actor)}, show=True, polls=[poll.id])

    # --- questions -------------------------------------------------------------------
    def add_question(self, body: Any, now: float, *, operator: bool,
                     actor: Actor | None = None) -> tuple[Question, Change]:
        q = Question.create(self._next_question_id, body, now, operator=operator,
                            sensitive_words=self.sensitive_words)
        stamp(q.history, actor if operator else None)  # a viewer's question has no crew member behind it
        self.questions[q.id] = q
        self._next_question_id += 1
        return q, Change({"kind": "question.create", "question": q.id, "source": q.source,
                          **_by(actor if operator else None)}, questions=[q.id])

    def question(self, qid: Any) -> Question:
        if isinstance(qid, str) and _ID_TEXT.match(qid):
            qid = int(qid)
        if isinstance(qid, bool) or not isinstance(qid, int) or qid not in self.questions:
            raise not_found(f"no question {qid!r}")
        return self.questions[qid]

    def question_action(self, qid: Any, body: Any, now: float,
                        actor: Actor | None = None) -> tuple[Question, Change]:
        q = self.question(qid)
        if not isinstance(body, dict):
            raise invalid("body must be a JSON object")
        action = body.get("action")
        if not isinstance(action, str):
            raise invalid("action is required")
        changed = [q.id]
        previous = self.on_air_question_id
        marks = {qid_: len(self.questions[qid_].history) for qid_ in (q.id, previous) if qid_ in self.questions}
        if action == "merge":  # two questions change: the duplicate and the one it joins
            target = self.question(body.get("into"))
            marks[target.id] = len(target.history)
            merge_into(q, target, now)
            self._stamp_since(marks, actor)
            return q, Change({"kind": "question.merge", "question": q.id, "into": target.id, **_by(actor)},
                             questions=[q.id, target.id])
        override = check_four_eyes(q.history, actor, body) if action == "approve" and q.state == "screened" else False
        if action == "refer" and not body.get("due"):  # 7 working days, a month when hard
            referred_on = local_date(now, self.scene.timezone)
            body = {**body, "due": due_date(referred_on, body.get("hard") is True).isoformat()}
        answering = self._answering_speaker(q) if action == "on_air" else None
        q.apply(action, body, now)
        if action == "on_air":
            if previous is not None and previous != q.id and previous in self.questions:
                prev = self.questions[previous]
                if prev.state == ON_AIR:  # not answered: back to the queue
                    prev.state = APPROVED
                    prev.history.append({"t": now, "action": "off_air", "state": APPROVED})
                changed.append(previous)
            self.on_air_question_id = q.id
            if answering is not None:  # the answer follows the question: its unit's head, on the clock
                self._goto_speaker(now, answering)
        elif self.on_air_question_id == q.id and q.state != ON_AIR:
            self.on_air_question_id = None  # answered, referred, rejected: off air at once
        if override:
            q.history[-1]["override"] = True  # the director approved his own 初审: on record
        self._stamp_since(marks, actor)
        return q, Change({"kind": f"question.{action}", "question": q.id, **_by(actor)}, show=True,
                         questions=changed)

    def _stamp_since(self, marks: dict[int, int], actor: Actor | None) -> None:
        for qid, mark in marks.items():
            stamp(self.questions[qid].history[mark:], actor)

    # --- the crew ----------------------------------------------------------------------
    def create_operator(self, body: Any, now: float, token_digest: str,
                        actor: Actor | None = None) -> tuple[Operator, Change]:
        op = self.crew.create(body, now, token_digest)
        return op, Change({"kind": "operator.create", "operator": op.id, "role": op.role, **_by(actor)},
                          operators=[op.id])

    def sign_in_operator(self, oid: Any, token_digest: str, actor: Actor | None = None) -> tuple[Operator, Change]:
        op = self.crew.add_token(oid, token_digest)
        return op, Change({"kind": "operator.signin", "operator": op.id, **_by(actor)}, operators=[op.id])

    def revoke_operator(self, oid: Any, now: float, actor: Actor | None = None) -> tuple[Operator, Change]:
        op = self.crew.revoke(oid, now)
        return op, Change({"kind": "operator.revoke", "operator": op.id, **_by(actor)}, operators=[op.id])

    def _take_question_off_air(self, now: float) -> int | None:
        """Nothing on air; an unanswered question goes back to the queue. Returns its id if changed."""
        qid = self.on_air_question_id
        self.on_air_question_id = None
        q = self.questions.get(qid) if qid is not None else None
        if q is None or q.state != ON_AIR:
            return None
        q.state = APPROVED
        q.history.append({"t": now, "action": "off_air", "state": APPROVED})
        return q.id

    # --- time-driven -----------------------------------------------------------------
    def tick(self, now: float) -> list[Change]:
        """Closes polls whose countdown ran out and stops timers cut at zero."""
        changes = []
        for poll in self.polls.values():
            if poll.close_due(now):
                poll.close(now)
                changes.append(Change({"kind": "poll.close", "poll": poll.id, "auto": True}, show=True, polls=[poll.id]))
        if self.timer.cut_due(now):
            self.timer.pause(self.timer.started_at + (self.timer.duration_s - self.timer.banked_s))
            changes.append(Change({"kind": "timer.cut", "label": self.timer.label}, show=True))
        return changes

    # --- read-outs -------------------------------------------------------------------
    @property
    def weights(self) -> tuple[float, float]:
        return self.scene.studio_weight, self.scene.remote_weight

    def current_poll(self) -> Poll | None:
        return self.polls.get(self.current_poll_id) if self.current_poll_id is not None else None

    def open_poll(self, now: float) -> Poll | None:
        poll = self.current_poll()
        return poll if poll and poll.state == OPEN else None

    def poll_view(self, poll: Poll, *, operator: bool, with_tally: bool = True) -> dict[str, Any]:
        signed_in = self.signed_in_for(poll) if poll.kind == "rating4" else 0
        return poll.view(operator=operator, with_tally=with_tally, weights=self.weights, signed_in=signed_in)

    def signed_in_for(self, poll: Poll) -> int:
        """The representatives signed in for this poll: seats of its venues that opened their link
        before it closed (one who signs in later did not attend that unit's hearing)."""
        until = poll.closed_at if poll.closed_at is not None else float("inf")
        venues = set(poll.venues)
        return sum(1 for venue, t in self.signed_in.values() if venue in venues and t <= until)

    # --- 听证评议: the seats signed in, the year's scores, the ranking ------------------------
    def sign_in_seat(self, seat: str, venue: str, now: float) -> Change | None:
        """A seat's link opened for the first time: it attends from now (None if it already had)."""
        if seat in self.signed_in:
            return None
        self.signed_in[seat] = (venue, now)
        current = self.current_poll()
        return Change({"kind": "seat.signin", "seat": seat}, ops=[("seat_signin", seat, now)],
                      polls=[current.id] if current is not None and current.kind == "rating4" else [])

    def import_scores(self, rows: Any, now: float, actor: Actor | None = None) -> tuple[dict, Change]:
        """Replace the year's imported parts (checked whole by core/ranking.parse_scores first)."""
        self.scores = {"imported_at": now, "units": rows}
        return self.scores, Change({"kind": "scores.import", "units": len(rows), **_by(actor)}, show=True)

    def hearing_scores(self, public: bool = False) -> dict[str, float]:
        """Each unit's hearing score: its latest rating4 poll that has one. `public`: only polls whose
        result may be seen (revealed), for what goes on air — a hidden score stays hidden."""
        out: dict[str, float] = {}
        for poll in sorted(self.polls.values(), key=lambda p: p.id):
            if poll.kind == "rating4" and poll.unit and (poll.revealed or not public):
                score = poll.score(self.signed_in_for(poll))
                if score is not None:
                    out[poll.unit] = score
        return out

    def ranking(self, public: bool = False) -> dict[str, Any]:
        """GET /api/ranking; `public`: the ranking board's (hearing scores of revealed polls only)."""
        from .ranking import rank
        units = [{"name": u.name, "short": u.short, "group": u.group} for u in self.scene.units]
        return rank(units, (self.scores or {}).get("units", {}), self.hearing_scores(public))

    def state(self, now: float, *, operator: bool = False) -> dict[str, Any]:
        out = self.order.view(now)
        out["timer"] = self.timer.view(now)
        out["speaker"] = self.current_speaker()
        out["speakers"] = [{"index": i, "name": s.name, "title": s.title, "unit": s.unit}
                           for i, s in enumerate(self.order.segment.speakers)]
        poll = self.current_poll()
        out["poll"] = self.poll_view(poll, operator=operator) if poll else None
        q = self.questions.get(self.on_air_question_id) if self.on_air_question_id is not None else None
        out["question"] = q.on_air_view() if q else None
        out["overlay"] = dict(self.overlay)
        group = self.ranking_group
        out["ranking_board"] = board_view(group, self.ranking(public=True)) if group is not None else None
        out["message"] = dict(self.message) if self.message else None
        out["show"]["rehearsal"] = self.rehearsal
        out["server_time"] = now
        return out

    def questions_sorted(self) -> list[Question]:
        return sorted(self.questions.values(), key=lambda q: (-q.priority, q.rank, q.id))


def _by(actor: Actor | None) -> dict[str, Any]:
    """The actor of an audit event, when there is one."""
    return {"actor": actor.record()} if actor is not None else {}


__all__ = ["Show", "Change", "CONTROL_ACTIONS", "CLOSED", "OPEN"]
