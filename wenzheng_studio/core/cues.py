"""When a speaker timer's sound cues sound: once as it enters its warning time, once at zero.

A view (the control room, the /timer page in JavaScript with the same rule) reads the timer
many times a second; the cue must sound on the crossing, not on every reading. So the
tracker remembers which part of the countdown it saw last — above the warning, in it, at
or past zero — and a cue sounds only when a reading moves further down that order. Going
back up (a reset, time added) re-arms it, so the next crossing sounds again. The first
reading only sets where we are: a window opened in the middle of a warning stays silent.
"""

from __future__ import annotations

from dataclasses import dataclass

ABOVE, WARNING, ZERO = 0, 1, 2
CUE_WARNING, CUE_ZERO = "warning", "zero"
# Going back up counts only this far past the line: a view's interpolation and the next push
# disagree by a few milliseconds, and that jitter at 0.00 s must not sound the cue twice.
REARM_S = 1.0


@dataclass
class TimerReading:
    """What a view knows of the timer at one moment (remaining interpolated between pushes)."""

    active: bool          # a timer is set (a duration or time already run)
    running: bool
    remaining_s: float
    warning_s: float
    cut_at_zero: bool = False


def _part(r: TimerReading, margin: float = 0.0) -> int:
    if r.remaining_s <= margin:
        return ZERO
    if r.warning_s and r.remaining_s <= r.warning_s + margin:
        return WARNING
    return ABOVE


class CueTracker:
    def __init__(self) -> None:
        self._last: int | None = None

    def observe(self, reading: TimerReading) -> str | None:
        """The cue to sound now (CUE_WARNING or CUE_ZERO), or None."""
        if not reading.active:
            self._last = None
            return None
        part, last = _part(reading), self._last
        if last is not None and part < last:
            part = max(part, _part(reading, REARM_S))  # back up only when clearly past the line
        self._last = part
        # A timer cut at zero stops at exactly 0: its zero is a crossing even if the push that
        # stopped it is the first reading past the line.
        moving = reading.running or (part == ZERO and reading.cut_at_zero)
        if last is None or part <= last or not moving:
            return None
        return CUE_ZERO if part == ZERO else CUE_WARNING
