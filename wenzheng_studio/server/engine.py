"""The engine: the Show plus its durable store, on one asyncio loop.

Every mutation is applied to the Show synchronously (so commands are totally ordered),
then written through the store's group commit; the caller's reply waits until the write
is durable. Views hear about changes through listeners and never read the store.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable

from ..core.clock import Clock
from ..core.errors import DomainError
from ..core.operators import (ADMIN, OPERATORS, POLLS, QUESTION_CREATE, READ, SCORES, SEATS, Actor, Operator,
                              control_permission, question_permission, require, token_hash)
from ..core.polls import INVALID, NO_POLL, Poll
from ..core.ranking import WEIGHTS, parse_scores
from ..core.scene import Scene
from ..core.show import Change, Show
from ..core.text import refuse_unencodable
from ..store import Store
from .auth import new_operator_token, new_seat_key
from .representatives import RepresentativesDesk
from .signin import SignInCodes

log = logging.getLogger(__name__)
MAX_SEATS_PER_CALL = 2000
MAX_SEATS_TOTAL = 20000

Listener = Callable[[str, Any], None]  # ("state" | "tally" | "poll", detail)


class Engine:
    is_secondary = False  # a cluster secondary (server/cluster.py) keeps no records of its own

    def __init__(self, scene: Scene, store: Store, clock: Clock, *, sensitive_words: tuple[str, ...] = ()):
        self.base_scene = scene  # the scene file as loaded; self.scene follows live edits
        self.store = store
        self.clock = clock
        self.show = Show(scene, sensitive_words)
        self.seats: dict[str, tuple[str, str]] = {}
        self.listeners: list[Listener] = []
        self._ticker: asyncio.Task | None = None
        self.votes_acked = 0
        self.voters_are_remote = False  # True on a secondary: ask its voted(), not voted_in()
        # Why this engine may no longer decide anything (it lost the primary lock, or its
        # store cannot be read back): every command and ballot then answers `unavailable`.
        self.fenced: str | None = None
        self._commands = asyncio.Lock()  # one command at a time: see _command
        self.signin_codes = SignInCodes()
        self.representatives = RepresentativesDesk(self)  # 评议代表库: the pool, its draws
        self.obs = None  # server/obs_link.ObsLink with --obs: its status is the operators' `obs`

    @property
    def scene(self) -> Scene:
        return self.show.scene

    def fence(self, reason: str) -> None:
        """Stop deciding at once: from now on commands and ballots answer `unavailable`."""
        if self.fenced is None:
            log.error("engine fenced: %s", reason)
        self.fenced = reason

    def health(self) -> str | None:
        """None while this engine can decide and store; otherwise what stops it."""
        if self.fenced is not None:
            return f"fenced: {self.fenced}"
        check = getattr(type(self.store), "health", None)  # a secondary has no store of its own
        return check(self.store) if check else None

    def _refuse_if_fenced(self) -> None:
        if self.fenced is not None:
            raise DomainError("unavailable", f"this engine no longer runs the show: {self.fenced}", 503)

    # --- life --------------------------------------------------------------------------
    def recover(self) -> None:
        snap = self.store.load()
        self.show.restore(snap.meta.get("show"), snap.polls, snap.questions, snap.ballots, snap.operators)
        self.seats = dict(snap.seats)
        self.show.signed_in = dict(snap.signed_in)
        self.representatives.restore(snap.pool, snap.meta.get("pool"), snap.draws)
        # Anything that came due while the engine was down (a poll countdown) happens now.
        for change in self.show.tick(self.clock.now()):
            self.store.write_now(self._ops(change, self.clock.now()))

    async def start(self) -> None:
        self.store.start(asyncio.get_running_loop())
        self._ticker = asyncio.create_task(self._tick_loop(), name="engine-ticker")

    async def stop(self) -> None:
        if self._ticker:
            self._ticker.cancel()
            try:
                await self._ticker
            except asyncio.CancelledError:
                pass
        self.store.close()

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            try:
                await self._tick()
            except DomainError as exc:  # the write failed and the show was put back: try again next tick
                log.error("a timed change was not saved: %s", exc.message)
            except Exception:  # the clock of the show must outlive any one failure
                log.exception("engine tick failed")

    async def _tick(self) -> None:
        async with self._commands:
            now = self.clock.now()
            changes = self.show.tick(now)
            for change in changes:
                await self._persist(change, now)
            for change in changes:
                self._announce(change)

    # --- persistence + notification ----------------------------------------------------
    def _ops(self, change: Change, now: float) -> list[tuple]:
        ops: list[tuple] = [("event", now, change.event.get("kind", "event"), change.event)]
        if change.show:
            ops.append(("meta", "show", self.show.meta()))
        ops += [("poll", pid, self.show.polls[pid].to_dict()) for pid in change.polls]
        ops += [("question", qid, self.show.questions[qid].to_dict()) for qid in change.questions]
        ops += [("operator", oid, self.show.crew.operators[oid].to_dict()) for oid in change.operators]
        ops += change.ops
        return ops

    async def _command(self, apply: Callable[[float], tuple[Any, Change]], *bodies: Any) -> Any:
        """Run one command: refused at the door, applied, durable, then announced.

        Commands run one at a time (a total order, and one write in flight), so when a
        write fails the show can be put back to exactly what the store holds: a command
        whose write fails changes nothing anywhere, and answers `unavailable`.
        """
        for body in bodies:
            refuse_unencodable(body)
        self._refuse_if_fenced()
        async with self._commands:
            self._refuse_if_fenced()
            now = self.clock.now()
            result, change = apply(now)  # DomainError: refused before anything changed
            if change is None:  # nothing to do after all (e.g. a seat signed in a moment ago)
                return result
            await self._persist(change, now)
            self._announce(change)
            return result

    async def _persist(self, change: Change, now: float) -> None:
        try:
            await self.store.write(self._ops(change, now))
        except Exception as exc:
            log.error("a change could not be saved (%s: %s); putting the show back to what is stored",
                      type(exc).__name__, exc)
            self._revert_to_store()
            raise DomainError("unavailable", "the show could not be saved, so nothing was changed; "
                              "check the engine's disk and try again", 503) from None

    def _revert_to_store(self) -> None:
        try:
            snap = self.store.read_back()
        except Exception as exc:  # memory can no longer be proven equal to disk: stop deciding
            self.fence(f"the store cannot be read back after a failed write ({exc})")
            return
        self.show.revert_to(snap.meta.get("show"), snap.polls, snap.questions, snap.operators)
        self.show.signed_in = dict(snap.signed_in)

    def _announce(self, change: Change) -> None:
        self._notify("event", change.event)  # what was done, after it is durable (e.g. OBS follows a TAKE)
        if change.show:
            self._notify("state", None)
        for pid in change.polls:
            self._notify("poll", pid)
            self._notify("tally", pid)
        if change.questions:
            self._notify("questions", change.questions)
        if change.operators:
            self._notify("operators", change.operators)  # e.g. realtime drops a revoked operator's sockets

    def views_changed(self) -> None:
        """Something outside the show that views show changed (OBS's status): push state."""
        self._notify("state", None)

    def _notify(self, kind: str, detail: Any) -> None:
        for listener in self.listeners:
            try:
                listener(kind, detail)
            except Exception:  # a broken view must never break the engine
                log.exception("listener failed")

    # --- commands (each raises DomainError on refusal) ------------------------------------
    # `actor` is who acts (ADMIN: the admin token, the director); each command checks the
    # actor's role first, so a forbidden one answers 403 and changes nothing.
    async def control(self, body: Any, actor: Actor = ADMIN) -> dict[str, Any]:
        require(actor, control_permission(body.get("action") if isinstance(body, dict) else None))
        await self._command(lambda now: (None, self.show.control(body, now, actor)), body)
        return self.state(operator=True)

    async def surface_command(self, decide: Callable[[Show], Any], actor: Actor) -> str:
        """A control surface's press (core/surface.py): `decide` reads the show inside the command
        lock and names one control or poll action, run with the same checks as over HTTP.
        Returns what was done (for the surface's log)."""
        def apply(now: float):
            step = decide(self.show)  # DomainError: the press means nothing now
            if step.poll is not None:
                require(actor, POLLS)
                _poll, change = self.show.poll_action(step.poll, step.poll_action, None, now, actor)
                return step.name, change
            require(actor, control_permission(step.body.get("action")))
            refuse_unencodable(step.body)
            return step.name, self.show.control(step.body, now, actor)

        return await self._command(apply)

    async def create_poll(self, body: Any, actor: Actor = ADMIN) -> Poll:
        require(actor, POLLS)
        return await self._command(lambda now: self.show.create_poll(body, now, actor), body)

    async def poll_action(self, poll_id: Any, action: str, body: Any = None, actor: Actor = ADMIN) -> Poll:
        require(actor, POLLS)
        return await self._command(lambda now: self.show.poll_action(poll_id, action, body, now, actor), poll_id, body)

    async def add_question(self, body: Any, *, operator: bool, actor: Actor | None = ADMIN):
        if operator:  # hotline/studio questions with phone, notes, priority: the crew's
            require(actor, QUESTION_CREATE)
        return await self._command(
            lambda now: self.show.add_question(body, now, operator=operator, actor=actor if operator else None), body)

    async def question_action(self, qid: Any, body: Any, actor: Actor = ADMIN):
        require(actor, question_permission(body.get("action") if isinstance(body, dict) else None))
        return await self._command(lambda now: self.show.question_action(qid, body, now, actor), qid, body)

    # --- the crew -------------------------------------------------------------------------
    def actor_for(self, token: str | None) -> Actor | None:
        """The operator a (non-admin) token signs in, or None (unknown or revoked)."""
        return self.show.crew.actor(token)

    async def create_operator(self, body: Any, actor: Actor = ADMIN) -> tuple[Operator, str]:
        require(actor, OPERATORS)
        token = new_operator_token()
        op = await self._command(lambda now: self.show.create_operator(body, now, token_hash(token), actor), body)
        return op, token

    async def revoke_operator(self, oid: Any, actor: Actor = ADMIN) -> Operator:
        require(actor, OPERATORS)
        op = await self._command(lambda now: self.show.revoke_operator(oid, now, actor), oid)
        self.signin_codes.forget_operator(op.id)
        return op

    async def issue_signin_code(self, oid: Any, actor: Actor = ADMIN) -> tuple[str, float]:
        require(actor, OPERATORS)
        self._refuse_if_fenced()
        op = self.show.crew.get(oid)
        if not op.active:
            raise DomainError("bad_transition", f"operator {op.id} was revoked", 409)
        return self.signin_codes.issue(op.id, self.clock.now())

    async def redeem_signin_code(self, code: Any) -> tuple[Operator, str]:
        """A one-time code for a new token of that operator (a PC of its own)."""
        oid = self.signin_codes.redeem(code, self.clock.now())
        if oid is None:
            raise DomainError("bad_code", "this sign-in code is wrong, used or expired; ask the director for a new one", 400)
        token = new_operator_token()
        op = await self._command(lambda now: self.show.sign_in_operator(oid, token_hash(token)))
        return op, token

    def operators(self, actor: Actor = ADMIN) -> list[Operator]:
        require(actor, OPERATORS)
        return list(self.show.crew.operators.values())

    async def issue_seats(self, body: Any, actor: Actor = ADMIN) -> list[tuple[str, str]]:
        require(actor, SEATS)
        self._refuse_if_fenced()
        if not isinstance(body, dict) or set(body) - {"venue", "count"}:
            raise DomainError("invalid", "body must be {\"venue\", \"count\"}")
        venue = body.get("venue", "main")
        if venue not in self.scene.venues:
            raise DomainError("invalid", f"venue must be one of {', '.join(self.scene.venues)}, not {venue!r}")
        count = body.get("count")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SEATS_PER_CALL:
            raise DomainError("invalid", f"count must be a whole number from 1 to {MAX_SEATS_PER_CALL}")
        if len(self.seats) + count > MAX_SEATS_TOTAL:
            raise DomainError("invalid", f"at most {MAX_SEATS_TOTAL} seats in all")
        taken = {s for s in self.seats if s.startswith(f"{venue}-")}
        n, issued = 0, []
        while len(issued) < count:
            n += 1
            seat = f"{venue}-{n:03d}"
            if seat not in taken:
                issued.append((seat, new_seat_key()))
        now = self.clock.now()
        ops = [("seat", seat, venue, key, now) for seat, key in issued]
        ops.append(("event", now, "seats.issue", {"venue": venue, "count": count}))
        for seat, key in issued:  # reserve before the await so a concurrent call cannot reuse them
            self.seats[seat] = (venue, key)
        try:
            await self.store.write(ops)
        except Exception as exc:
            for seat, _ in issued:  # never stored, so never issued
                self.seats.pop(seat, None)
            log.error("seat cards could not be saved (%s: %s)", type(exc).__name__, exc)
            raise DomainError("unavailable", "the seat cards could not be saved, so none were issued; "
                              "check the engine's disk and try again", 503) from None
        self._notify("seats", len(issued))  # e.g. the cluster mirror carries them to secondaries
        return issued

    async def seat(self, seat: str) -> tuple[str, str] | None:
        """(venue, key) of an issued seat card, or None."""
        return self.seats.get(seat)

    async def seat_signed_in(self, seat: str, venue: str) -> None:
        """A seat's link opened (/audience connected): the first time, it attends from now, on disk.
        A failed write is logged and tried again at the seat's next connect."""
        if seat in self.show.signed_in or self.fenced is not None:
            return
        try:
            await self._command(lambda now: (None, self.show.sign_in_seat(seat, venue, now)))
        except DomainError as exc:
            log.error("seat %s's sign-in was not saved: %s", seat, exc.message)

    # --- 听证评议: the year's other scores, the ranking ---------------------------------------
    async def import_scores(self, data: bytes, *, xlsx: bool = False, actor: Actor = ADMIN) -> dict[str, Any]:
        require(actor, SCORES)
        units = [{"name": u.name, "short": u.short} for u in self.scene.units]

        def apply(now: float):
            rows = parse_scores(data, units, xlsx=xlsx)  # DomainError: refused whole, nothing changed
            return self.show.import_scores(rows, now, actor)

        await self._command(apply)
        return self.ranking(actor)

    def ranking(self, actor: Actor = ADMIN) -> dict[str, Any]:
        require(actor, READ)
        out = self.show.ranking()
        out["imported_at"] = (self.show.scores or {}).get("imported_at")
        out["weights"] = dict(WEIGHTS)
        return out

    # --- votes (the hot path) -------------------------------------------------------------
    async def vote(self, voter: str, group: str, venue: str, data: Any, addr: str = "") -> dict[str, Any]:
        # addr: the phone's network address, kept with the ballot for the audit (never decides anything)
        if self.fenced is not None:
            return {"ok": False, "error": "unavailable"}
        if not isinstance(data, dict) or "poll" not in data or len(data) > 4:
            return {"ok": False, "error": INVALID}
        now = self.clock.now()
        key = self.show.poll_key(data.get("poll"))
        if key is None:
            return {"ok": False, "error": NO_POLL}
        poll = self.show.polls[key]
        try:
            choice = poll.check_ballot(voter, data.get("choice"), now)
        except DomainError as exc:
            return {"ok": False, "error": exc.code}
        poll.voters.add(voter)  # reserved now, counted once durable
        try:
            await self.store.write([("ballot", poll.id, voter, group, venue, choice, now, addr)])
        except Exception:
            poll.voters.discard(voter)
            log.exception("ballot not stored")
            return {"ok": False, "error": "unavailable"}
        poll.count(voter, group, venue, choice)
        self.votes_acked += 1
        self._notify("tally", poll.id)
        return {"ok": True}

    def voted_in(self, voter: str) -> list[int]:
        return [p.id for p in self.show.polls.values() if voter in p.voters]

    # --- read-outs ------------------------------------------------------------------------
    def state(self, *, operator: bool = False) -> dict[str, Any]:
        out = self.show.state(self.clock.now(), operator=operator)
        if operator and self.obs is not None:
            out["obs"] = self.obs.status()
        return out

    def poll_view(self, poll: Poll, *, operator: bool, with_tally: bool = True) -> dict[str, Any]:
        return self.show.poll_view(poll, operator=operator, with_tally=with_tally)
