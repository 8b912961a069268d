"""Garbage collection paced by the show, not by allocation counts.

With thousands of phones connected the engine's heap holds about a million objects the
collector tracks (per connection: sockets, tasks, queues, ~200 objects), and CPython runs a
full collection each time the long-lived objects grow by a quarter: 0.4–1.5 s with the loop
frozen at 5,000 phones. Several fall inside a vote burst and they cost more than all the
Socket.IO work (docs/PERFORMANCE.md: 2,100 → 4,700+ votes/s at 5,000 phones without them).

So:
- the full collection is never automatic;
- young collections (they scan only new objects) are automatic while the engine is calm,
  and wait during a burst of votes, connections or hang-ups unless `young_cap` objects
  pile up; while it is busy but no ballot is being acked (phones connecting before a poll
  opens) they run from `young_between_votes`, so a burst of votes starts with them empty;
- when calm, every `shallow_every_s`, a young collection runs and everything left is
  frozen out of the collector's sight: it is long-lived (connected phones, the show);
- a *deep* collection (everything, frozen included) runs when the engine is calm after
  `deep_after_departures` phones hung up — each leaves ~90 objects in reference cycles —
  or after `deep_every_s`; after twice that it runs calm or not, so memory stays bounded
  in a show that never calms down.
On-air clocks run locally in the overlay and the control room, so even a deep collection's
pause (about a second right after 5,000 phones hang up) never freezes a clock.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from typing import Callable

log = logging.getLogger(__name__)
YOUNG_THRESHOLD = 10_000  # gen 0 while calm (CPython's default is 700: fine for scripts, busy for a server)
YOUNG_CAP = 100_000  # during a burst, collect the young generations once this many objects are pending
# ...but while busy without votes (phones connecting before the poll opens), from this many:
# a burst of votes then starts with the young generations empty instead of reaching the cap
# inside it (a ~50 ms collection in the middle of 5,000 phones' votes, docs/PERFORMANCE.md).
YOUNG_BETWEEN_VOTES = 20_000
NEVER = 1 << 30  # gen 2 threshold: never automatic


class GcPacer:
    def __init__(self, activity: Callable[[], int], departures: Callable[[], int] = lambda: 0, *,
                 votes: Callable[[], int] | None = None,
                 calm_s: float = 2.0, shallow_every_s: float = 60.0, deep_after_departures: int = 1000,
                 deep_every_s: float = 1800.0, young_cap: int = YOUNG_CAP,
                 young_between_votes: int = YOUNG_BETWEEN_VOTES,
                 now: Callable[[], float] = time.monotonic, collector=gc):
        self.activity = activity
        self.departures = departures
        self.votes = votes  # acked ballots so far; None: every activity counts as a vote
        self.young_between_votes = young_between_votes
        self._last_votes = votes() if votes else 0
        self.calm_s = calm_s
        self.shallow_every_s = shallow_every_s
        self.deep_after_departures = deep_after_departures
        self.deep_every_s = deep_every_s
        self.young_cap = young_cap
        self.now = now
        self.gc = collector
        start = now()
        self.last_shallow = self.last_deep = start
        self.last_busy = start - calm_s  # calm until something happens
        self._last_activity = activity()
        self._departures_at_deep = departures()
        self._saved_threshold: tuple[int, int, int] | None = None
        self.collections = {"young": 0, "shallow": 0, "deep": 0}

    # --- process-wide switch ----------------------------------------------------------
    def install(self) -> None:
        """Freeze what start-up built and take the full collection off the automatic schedule."""
        self._saved_threshold = self.gc.get_threshold()
        self.gc.collect()
        self.gc.freeze()
        self.gc.set_threshold(YOUNG_THRESHOLD, self._saved_threshold[1], NEVER)

    def uninstall(self) -> None:
        if self._saved_threshold is not None:
            self.gc.set_threshold(*self._saved_threshold)
            self.gc.unfreeze()
            self.gc.enable()
            self._saved_threshold = None

    # --- schedule ---------------------------------------------------------------------
    def step(self) -> str | None:
        """One look at the engine: the kind of collection that ran ("young", "shallow", "deep") or None."""
        now = self.now()
        seen = self.activity()
        if seen != self._last_activity:
            self._last_activity, self.last_busy = seen, now
        calm = now - self.last_busy >= self.calm_s
        if calm:
            self.gc.enable()
        else:
            self.gc.disable()
        departed = self.departures() - self._departures_at_deep
        since_deep = now - self.last_deep
        if since_deep >= 2 * self.deep_every_s or (calm and (departed >= self.deep_after_departures
                                                           or since_deep >= self.deep_every_s)):
            return self._collect("deep")
        if calm and now - self.last_shallow >= self.shallow_every_s:
            return self._collect("shallow")
        voting = self._voting()  # looked at every step: "since the last look" is 0.25 s
        if not calm:
            pending = self.gc.get_count()[0]
            if pending >= self.young_cap or (pending >= self.young_between_votes and not voting):
                return self._collect("young")
        return None

    def _voting(self) -> bool:
        """Was a ballot acked since the last look?"""
        if self.votes is None:
            return True
        seen = self.votes()
        voting, self._last_votes = seen != self._last_votes, seen
        return voting

    def _collect(self, kind: str) -> str:
        t = time.perf_counter()
        if kind == "deep":
            self.gc.unfreeze()
            self._departures_at_deep = self.departures()
            self.gc.collect()
        else:
            self.gc.collect(1)
        if kind != "young":
            self.gc.freeze()  # what survives is long-lived: no collection but a deep one looks at it again
        took = time.perf_counter() - t
        end = self.now()
        if kind != "young":
            self.last_shallow = end
        if kind == "deep":
            self.last_deep = end
        self.collections[kind] += 1
        if took > 0.25:
            log.info("%s garbage collection took %.2f s", kind, took)
        return kind

    async def run(self, period_s: float = 0.25) -> None:
        while True:
            await asyncio.sleep(period_s)
            self.step()
