"""Clocks. The engine reads time only through a Clock passed in.

`now()` is seconds on an epoch-anchored monotonic scale: inside one process it never
jumps (it follows time.monotonic), yet it is comparable across a restart because it is
anchored to the wall clock once at start. Timer start stamps are stored in this scale,
so a restarted engine resumes running timers from their original start.
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now(self) -> float: ...


class SystemClock:
    def __init__(self) -> None:
        self._anchor = time.time() - time.monotonic()

    def now(self) -> float:
        return self._anchor + time.monotonic()


class FakeClock:
    """A clock a test moves by hand."""

    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds
