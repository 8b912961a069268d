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
from ..core.polls import INVALID, NO_POLL, Poll
from ..core.scene import Scene
from ..core.show import Change, Show
from ..store import Store
from .auth import new_seat_key

log = logging.getLogger(__name__)
MAX_SEATS_PER_CALL = 2000
MAX_SEATS_TOTAL = 20000

Listener = Callable[[str, Any], None]  # ("state" | "tally" | "poll", detail)


class Engine:
    def __init__(self, scene: Scene, store: Store, clock: Clock, *, sensitive_words: tuple[str, ...] = ()):
        self.scene = scene
        self.store = store
        self.clock = clock
        self.show = Show(scene, sensitive_words)
        self.seats: dict[str, tuple[str, str]] = {}
        self.listeners: list[Listener] = []
        self._ticker: asyncio.Task | None = None
        self.votes_acked = 0
        self.voters_are_remote = False  # True on a secondary: ask its voted(), not voted_in()

    # --- life --------------------------------------------------------------------------
    def recover(self) -> None:
        snap = self.store.load()
        self.show.restore(snap.meta.get("show"), snap.polls, snap.questions, snap.ballots)
        self.seats = dict(snap.seats)
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
            now = self.clock.now()
            for change in self.show.tick(now):
                await self._commit(change, now)

    # --- persistence + notification ----------------------------------------------------
    def _ops(self, change: Change, now: float) -> list[tuple]:
        ops: list[tuple] = [("event", now, change.event.get("kind", "event"), change.event)]
        if change.show:
            ops.append(("meta", "show", self.show.meta()))
        ops += [("poll", pid, self.show.polls[pid].to_dict()) for pid in change.polls]
        ops += [("question", qid, self.show.questions[qid].to_dict()) for qid in change.questions]
        return ops

    async def _commit(self, change: Change, now: float) -> None:
        await self.store.write(self._ops(change, now))
        if change.show:
            self._notify("state", None)
        for pid in change.polls:
            self._notify("poll", pid)
            self._notify("tally", pid)
        if change.questions:
            self._notify("questions", change.questions)

    def _notify(self, kind: str, detail: Any) -> None:
        for listener in self.listeners:
            try:
                listener(kind, detail)
            except Exception:  # a broken view must never break the engine
                log.exception("listener failed")

    # --- commands (each raises DomainError on refusal) ------------------------------------
    async def control(self, body: Any) -> dict[str, Any]:
        now = self.clock.now()
        change = self.show.control(body, now)
        await self._commit(change, now)
        return self.state(operator=True)

    async def create_poll(self, body: Any) -> Poll:
        now = self.clock.now()
        poll, change = self.show.create_poll(body, now)
        await self._commit(change, now)
        return poll

    async def poll_action(self, poll_id: Any, action: str, body: Any = None) -> Poll:
        now = self.clock.now()
        poll, change = self.show.poll_action(poll_id, action, body, now)
        await self._commit(change, now)
        return poll

    async def add_question(self, body: Any, *, operator: bool):
        now = self.clock.now()
        q, change = self.show.add_question(body, now, operator=operator)
        await self._commit(change, now)
        return q

    async def question_action(self, qid: Any, body: Any):
        now = self.clock.now()
        q, change = self.show.question_action(qid, body, now)
        await self._commit(change, now)
        return q

    async def issue_seats(self, body: Any) -> list[tuple[str, str]]:
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
        await self.store.write(ops)
        self._notify("seats", len(issued))  # e.g. the cluster mirror carries them to secondaries
        return issued

    async def seat(self, seat: str) -> tuple[str, str] | None:
        """(venue, key) of an issued seat card, or None."""
        return self.seats.get(seat)

    # --- votes (the hot path) -------------------------------------------------------------
    async def vote(self, voter: str, group: str, venue: str, data: Any) -> dict[str, Any]:
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
            await self.store.write([("ballot", poll.id, voter, group, venue, choice, now)])
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
        return self.show.state(self.clock.now(), operator=operator)

    def poll_view(self, poll: Poll, *, operator: bool, with_tally: bool = True) -> dict[str, Any]:
        return self.show.poll_view(poll, operator=operator, with_tally=with_tally)
