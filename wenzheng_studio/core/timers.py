"""The speaker timer: computed from a start stamp, never by counting ticks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

NORMAL, WARNING, DANGER, OVER = "normal", "warning", "danger", "over"


@dataclass
class SpeakerTimer:
    label: str = ""
    duration_s: float = 0.0
    warning_s: float = 0.0
    danger_s: float = 0.0
    # While running, elapsed = banked_s + (now - started_at); paused, elapsed = banked_s.
    started_at: float | None = None
    banked_s: float = 0.0
    cut_at_zero: bool = False

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def elapsed(self, now: float) -> float:
        return self.banked_s + (now - self.started_at if self.started_at is not None else 0.0)

    def remaining(self, now: float) -> float:
        return self.duration_s - self.elapsed(now)

    def state(self, now: float) -> str:
        if self.duration_s <= 0 and not self.running and self.banked_s == 0:
            return NORMAL
        left = self.remaining(now)
        if left <= 0:
            return OVER
        if self.danger_s and left <= self.danger_s:
            return DANGER
        if self.warning_s and left <= self.warning_s:
            return WARNING
        return NORMAL

    def start(self, now: float, seconds: float, label: str, warning_s: float = 0, danger_s: float = 0,
              cut_at_zero: bool = False) -> None:
        self.label = label
        self.duration_s = float(seconds)
        self.warning_s = float(warning_s)
        self.danger_s = float(danger_s)
        self.cut_at_zero = cut_at_zero
        self.banked_s = 0.0
        self.started_at = now

    def pause(self, now: float) -> None:
        if self.started_at is not None:
            self.banked_s = self.elapsed(now)
            self.started_at = None

    def resume(self, now: float) -> None:
        if self.started_at is None:
            self.started_at = now

    def reset(self) -> None:
        self.banked_s = 0.0
        self.started_at = None

    def add(self, seconds: float) -> None:
        self.duration_s = max(0.0, self.duration_s + seconds)

    def cut_due(self, now: float) -> bool:
        """A hearing report is cut at zero: the engine stops such a timer when it runs out."""
        return self.cut_at_zero and self.running and self.remaining(now) <= 0

    def view(self, now: float) -> dict[str, Any]:
        return {
            "label": self.label,
            "remaining_s": round(self.remaining(now), 2),
            "running": self.running,
            "state": self.state(now),
            "duration_s": self.duration_s,
            "elapsed_s": round(self.elapsed(now), 2),
            "warning_s": self.warning_s,
            "danger_s": self.danger_s,
            "cut_at_zero": self.cut_at_zero,
        }

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SpeakerTimer":
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
