"""Time-based animation values (no ticks counted: every value is a function of the clock).

Timings and easing match assets/web/overlay.css: in 400 ms ease-out-cubic, out 300 ms
ease-in-cubic, numbers and bars 500 ms ease-out-cubic.
"""

from __future__ import annotations

from typing import Any

IN_S = 0.40
OUT_S = 0.30
NUMBER_S = 0.50


def ease_out_cubic(x: float) -> float:
    return 1 - (1 - x) ** 3


def ease_in_cubic(x: float) -> float:
    return x ** 3


class Transition:
    """An element's on-screen amount, 0 (gone) to 1 (fully in), moving toward a target."""

    def __init__(self) -> None:
        self.target = 0.0
        self._from = 0.0
        self._t0 = 0.0
        self._dur = 0.0
        self.key: object = None  # content identity: a new key while shown wipes in again
        self.last: Any = None  # the content last shown, painted while it animates out

    def set_target(self, on: bool, now: float, key: object = None) -> None:
        target = 1.0 if on else 0.0
        if on and self.target == 1.0 and key != self.key and self.key is not None:
            self._start(0.0, target, now)  # new content in the same place: wipe it in afresh
        elif target != self.target:
            self._start(self.value(now), target, now)
        if on:
            self.key = key

    def _start(self, start: float, target: float, now: float) -> None:
        self._from, self.target, self._t0 = start, target, now
        full = IN_S if target > start else OUT_S
        self._dur = full * abs(target - start)

    def progress(self, now: float) -> float:
        if self._dur <= 0:
            return 1.0
        return min(1.0, max(0.0, (now - self._t0) / self._dur))

    def value(self, now: float) -> float:
        x = self.progress(now)
        eased = ease_out_cubic(x) if self.target > self._from else ease_in_cubic(x)
        return self._from + (self.target - self._from) * eased

    def active(self, now: float) -> bool:
        return self.progress(now) < 1.0

    def finish(self) -> None:
        self._dur = 0.0
        self._from = self.target


class NumberTween:
    """A displayed number gliding to its newest value; retargeting mid-way starts from where
    it is, so 10 updates a second never jump or flicker."""

    def __init__(self, value: float = 0.0) -> None:
        self._from = self.target = value
        self._t0 = 0.0

    def set(self, target: float, now: float) -> None:
        if target != self.target:
            self._from = self.value(now)
            self.target = target
            self._t0 = now

    def value(self, now: float) -> float:
        x = min(1.0, max(0.0, (now - self._t0) / NUMBER_S))
        return self._from + (self.target - self._from) * ease_out_cubic(x)

    def active(self, now: float) -> bool:
        return now - self._t0 < NUMBER_S and self._from != self.target

    def finish(self) -> None:
        self._from = self.target
