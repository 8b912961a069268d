"""What the overlay shows, decided from the engine's state (no Qt, no painting).

The same rules drive assets/web/overlay.js; keep the two in step.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

from ...core.venues import venue_results

ELEMENTS = ("bug", "timer", "tally", "qr", "lower_third", "question", "ranking", "venues")
# The ranking board takes the middle of the screen: while it is up, these step aside in auto.
BOARD_DISPLACES = ("tally", "qr", "lower_third", "question")
MODES = ("auto", "show", "hide")


def clock_text(seconds: float) -> str:
    """Countdown as MM:SS rounded up (00:30 at the start, 00:00 never while time is left);
    over time as +MM:SS counting up."""
    if seconds > 0:
        s = math.ceil(seconds - 1e-6)
        sign = ""
    else:
        s = math.floor(-seconds + 1e-6)
        sign = "+"
    return f"{sign}{s // 60:02d}:{s % 60:02d}"


def one_line(text: Any) -> str:
    """Viewer text as a single plain line: control characters and line breaks become spaces."""
    if text is None:
        return ""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())


class OverlayModel:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.state: dict[str, Any] = {}
        self.poll: dict[str, Any] | None = None
        self.qr_url = ""
        self.remote_weight: float | None = None  # the scene's; 0: phone votes carry no weight
        self.venues: list[str] = []  # the scene's venues, in its order, and their names
        self.venue_names: dict[str, str] = {}
        self._timer_received_at = clock()

    # --- input ---------------------------------------------------------------------------
    def set_state(self, state: dict[str, Any]) -> None:
        self.state = state or {}
        self._timer_received_at = self.clock()
        self.poll = self.state.get("poll") or None

    def set_tally(self, poll: dict[str, Any]) -> None:
        """A tally push replaces the current poll's counts; tallies of other polls are ignored."""
        if self.poll is not None and poll and poll.get("id") == self.poll.get("id"):
            self.poll = {**self.poll, **poll}

    def set_qr_url(self, url: str) -> None:
        self.qr_url = url or ""

    def set_scene(self, scene: dict[str, Any]) -> None:
        """GET /api/scene: the voting address and the weight of phone votes."""
        if scene.get("vote_url"):
            self.set_qr_url(str(scene["vote_url"]))
        weight = scene.get("remote_weight")
        self.remote_weight = float(weight) if isinstance(weight, (int, float)) else None
        self.venues = [str(v) for v in scene.get("venues") or []]
        names = scene.get("venue_names")
        self.venue_names = {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}

    # --- derived -------------------------------------------------------------------------
    def mode(self, element: str) -> str:
        mode = (self.state.get("overlay") or {}).get(element, "auto")
        return mode if mode in MODES else "auto"

    def content(self, element: str) -> dict[str, Any] | None:
        """The data an element would show, or None when it has nothing to show."""
        st = self.state
        if element == "bug":
            show = st.get("show") or {}
            return {"title": one_line(show.get("title"))} if show.get("title") else None
        if element == "timer":
            seg = st.get("segment") or {}
            if not seg and not self.timer_set():
                return None
            return {"segment": one_line(seg.get("title")), "label": one_line((st.get("timer") or {}).get("label")),
                    "has_clock": self.timer_set()}
        if element == "tally":
            poll = self.poll
            return poll if poll and isinstance(poll.get("tally"), dict) else None
        if element == "qr":
            return {"url": self.qr_url} if self.qr_url else None
        if element == "lower_third":
            sp = st.get("speaker")
            if not sp:
                return None
            return {"key": sp.get("index"), "name": one_line(sp.get("name")), "title": one_line(sp.get("title")),
                    "unit": one_line(sp.get("unit"))}
        if element == "question":
            q = st.get("question")
            if not q:
                return None
            return {"key": q.get("id"), "text": one_line(q.get("text")), "name": one_line(q.get("name")),
                    "district": one_line(q.get("district")), "unit": one_line(q.get("unit")),
                    "source": q.get("source") or ""}
        if element == "ranking":  # the director's cue (ranking.show); never an operator mode of its own
            board = st.get("ranking_board")
            if not isinstance(board, dict) or not board.get("units"):
                return None
            units = [{"rank": u.get("rank"), "unit": one_line(u.get("unit")), "hearing": u.get("hearing"),
                      "composite": u.get("composite"), "satisfactory": u.get("satisfactory") is True}
                     for u in board["units"] if isinstance(u, dict)]
            return {"key": board.get("group"), "group": one_line(board.get("group")), "units": units,
                    "quota": board.get("quota") or 0, "complete": board.get("complete", True) is not False}
        if element == "venues":
            return self.venue_board()
        raise KeyError(element)

    def board_up(self) -> bool:
        return self.content("ranking") is not None

    def venue_board(self) -> dict[str, Any] | None:
        """The current poll's result by venue (the board's rows), or None without a tally."""
        poll = self.poll
        if not poll or not isinstance(poll.get("venues"), dict):
            return None
        board = venue_results(poll, self.venues, self.venue_names)
        if not board["rows"]:
            return None
        return {"key": poll.get("id"), "title": one_line(poll.get("title")), "kind": poll.get("kind"),
                "state": poll.get("state"), **board}

    def auto_visible(self, element: str) -> bool:
        st = self.state
        poll = self.poll
        if element in BOARD_DISPLACES and self.board_up():
            return False
        if element == "bug":
            return True
        if element == "timer":
            return (st.get("show") or {}).get("status") == "live" and self.timer_set()
        if element == "tally":  # the venue board, when the director puts it up, takes its place
            return poll is not None and poll.get("state") in ("open", "closed") and not self.visible("venues")
        if element == "qr":
            # No QR code asking phones to vote when their votes count for nothing (评议听证,
            # 三民: remote_weight 0); the director's 显示 can still force it.
            return poll is not None and poll.get("state") == "open" and self.remote_weight != 0
        if element == "lower_third":  # the question's lower third and the venue board take its place
            return not self.visible("question") and not self.visible("venues")
        if element == "ranking":  # the director's venue board (三民), when forced up, is drawn instead
            return not self.visible("venues")
        if element == "question":
            return True
        if element == "venues":
            return False  # on air only on the director's cue (mode "show")
        raise KeyError(element)

    def visible(self, element: str) -> bool:
        mode = self.mode(element)
        if mode == "hide" or self.content(element) is None:
            return False
        return mode == "show" or self.auto_visible(element)

    def rehearsal(self) -> bool:
        """A rehearsal engine (`serve --rehearsal`): marked on every frame, no operator mode hides it."""
        return (self.state.get("show") or {}).get("rehearsal") is True

    def timer_set(self) -> bool:
        t = self.state.get("timer") or {}
        return bool(t.get("running")) or float(t.get("duration_s") or 0) > 0

    def timer_remaining(self) -> float:
        """Remaining seconds, interpolated locally between pushes so the clock ticks smoothly."""
        t = self.state.get("timer") or {}
        remaining = float(t.get("remaining_s") or 0.0)
        if t.get("running"):
            remaining -= self.clock() - self._timer_received_at
        return remaining

    def timer_state(self) -> str:
        t = self.state.get("timer") or {}
        if not t.get("running"):
            return t.get("state") or "normal"
        left = self.timer_remaining()
        if left <= 0:
            return "over"
        if t.get("danger_s") and left <= float(t["danger_s"]):
            return "danger"
        if t.get("warning_s") and left <= float(t["warning_s"]):
            return "warning"
        return "normal"
