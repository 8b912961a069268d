"""The running order: which segment is on air, how long each one took, the show clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import DomainError, invalid
from .rundown import segment_from_record, segment_record, with_segments
from .scene import Scene

STANDBY, LIVE, ENDED = "standby", "live", "ended"


@dataclass
class RunningOrder:
    scene: Scene
    index: int = 0
    status: str = STANDBY
    show_started_at: float | None = None
    show_ended_at: float | None = None
    entered_at: float | None = None  # when the current segment went on air
    actual_s: list[float] = field(default_factory=list)  # banked time per segment
    hold: bool = False
    speaker_index: int = -1  # -1: nobody marked as speaking
    # Accidental ends undone by show.resume: [{"ended_at", "resumed_at"}] (the report shows the gap).
    interruptions: list[dict[str, float]] = field(default_factory=list)
    edited: bool = False  # the running order was edited live: its segments are stored with it

    def __post_init__(self) -> None:
        if len(self.actual_s) != len(self.scene.segments):
            self.actual_s = [0.0] * len(self.scene.segments)

    @property
    def segment(self):
        return self.scene.segments[self.index]

    # --- commands -------------------------------------------------------------------
    def start_show(self, now: float) -> None:
        if self.status == LIVE:
            return
        if self.status == ENDED:
            raise DomainError("bad_transition", "the show has ended; resume it (show.resume) to go on", 409)
        self.status = LIVE
        self.show_started_at = now
        self.entered_at = now

    def end_show(self, now: float) -> None:
        if self.status != LIVE:
            raise DomainError("bad_transition", "the show is not live", 409)
        self._bank(now)
        self.status = ENDED
        self.show_ended_at = now

    def resume_show(self, now: float) -> None:
        """Undo an end: live again in the segment it ended in. The broadcast never stopped, so
        the segment's clock runs on from the end as if it had not happened; the gap is kept."""
        if self.status != ENDED:
            raise DomainError("bad_transition", "the show has not ended; only an ended show can resume", 409)
        ended = self.show_ended_at if self.show_ended_at is not None else now
        self.interruptions.append({"ended_at": ended, "resumed_at": now})
        self.status = LIVE
        self.entered_at = ended
        self.show_ended_at = None

    def goto(self, now: float, index: Any) -> None:
        if isinstance(index, bool) or not isinstance(index, int):
            raise invalid("index must be a whole number")
        if not 0 <= index < len(self.scene.segments):
            raise invalid(f"index must be from 0 to {len(self.scene.segments) - 1}, not {index}")
        if self.status == ENDED:
            raise DomainError("bad_transition", "the show has ended; resume it (show.resume) to go on", 409)
        if self.status == STANDBY:
            self.start_show(now)
        elif index != self.index:
            self._bank(now)
            self.entered_at = now
        if index != self.index:
            self.speaker_index = -1
            self.hold = False
        self.index = index

    def next(self, now: float) -> None:
        if self.status == STANDBY:
            # In standby the current segment is the one marked next: TAKE puts it on air.
            self.start_show(now)
            return
        if self.index + 1 >= len(self.scene.segments):
            raise DomainError("bad_transition", "already on the last segment", 409)
        self.goto(now, self.index + 1)

    def prev(self, now: float) -> None:
        if self.index == 0:
            raise DomainError("bad_transition", "already on the first segment", 409)
        self.goto(now, self.index - 1)

    def _bank(self, now: float) -> None:
        if self.status == LIVE and self.entered_at is not None:
            self.actual_s[self.index] += now - self.entered_at
            self.entered_at = now

    # --- read-outs ------------------------------------------------------------------
    def segment_elapsed(self, i: int, now: float) -> float:
        live = self.status == LIVE and i == self.index and self.entered_at is not None
        return self.actual_s[i] + (now - self.entered_at if live else 0.0)

    def show_elapsed(self, now: float) -> float:
        if self.show_started_at is None:
            return 0.0
        end = self.show_ended_at if self.status == ENDED else now
        return end - self.show_started_at

    def projected_remaining(self, now: float) -> float:
        """Time still to air if every segment from here on runs to plan."""
        segs = self.scene.segments
        if self.status == ENDED:
            return 0.0
        if self.status == STANDBY:
            return float(self.scene.planned_s)
        current_left = max(0.0, segs[self.index].planned_s - self.segment_elapsed(self.index, now))
        return current_left + sum(s.planned_s for s in segs[self.index + 1:])

    def view(self, now: float) -> dict[str, Any]:
        seg = self.segment
        planned_total = self.scene.planned_s
        projected_total = self.show_elapsed(now) + self.projected_remaining(now)
        return {
            "segment": {
                "index": self.index,
                "key": seg.key,
                "title": seg.title,
                "planned_s": seg.planned_s,
                "elapsed_s": round(self.segment_elapsed(self.index, now), 2),
                "kind": seg.kind,
                "remaining_s": round(seg.planned_s - self.segment_elapsed(self.index, now), 2),
                "hold": self.hold,
                # What a new poll for this segment should be (the hearing's rating4 of its unit).
                "poll_kind": seg.poll_kind,
                "poll_title": seg.poll_title,
                "unit": seg.speakers[0].unit if len(seg.speakers) == 1 else "",
            },
            "show": {
                "status": self.status,
                "title": self.scene.title,
                "subtitle": self.scene.subtitle,
                "started_at": self.show_started_at,
                "ended_at": self.show_ended_at,
                "interruptions": [dict(i) for i in self.interruptions],
                "elapsed_s": round(self.show_elapsed(now), 2),
                "planned_s": planned_total,
                "remaining_s": round(self.projected_remaining(now), 2),
                "over_under_s": round(projected_total - planned_total, 2),
                "projected_end_at": (self.show_started_at or now) + projected_total,
            },
            "running_order": [
                {
                    "index": i,
                    "key": s.key,
                    "title": s.title,
                    "kind": s.kind,
                    "planned_s": s.planned_s,
                    "actual_s": round(self.segment_elapsed(i, now), 2),
                    "on_air": self.status == LIVE and i == self.index,
                    "next": self.status != ENDED and i == (self.index + 1 if self.status == LIVE else self.index),
                }
                for i, s in enumerate(self.scene.segments)
            ],
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index, "status": self.status, "show_started_at": self.show_started_at,
            "show_ended_at": self.show_ended_at, "entered_at": self.entered_at, "actual_s": list(self.actual_s),
            "hold": self.hold, "speaker_index": self.speaker_index,
            "interruptions": [dict(i) for i in self.interruptions],
            **({"segments": [segment_record(s) for s in self.scene.segments]} if self.edited else {}),
        }

    @classmethod
    def from_dict(cls, scene: Scene, data: dict[str, Any]) -> "RunningOrder":
        if data.get("segments"):  # edited live: what ran is what the store says, not the file
            scene = with_segments(scene, [segment_from_record(s) for s in data["segments"]])
        ro = cls(scene, edited=bool(data.get("segments")))
        actual = list(data.get("actual_s", []))
        if len(actual) == len(scene.segments):
            ro.actual_s = actual
        ro.index = min(int(data.get("index", 0)), len(scene.segments) - 1)
        ro.status = data.get("status", STANDBY)
        ro.show_started_at = data.get("show_started_at")
        ro.show_ended_at = data.get("show_ended_at")
        ro.entered_at = data.get("entered_at")
        ro.hold = bool(data.get("hold", False))
        ro.speaker_index = int(data.get("speaker_index", -1))
        ro.interruptions = [dict(i) for i in data.get("interruptions", [])]
        return ro
