"""A control surface (a Stream Deck through Bitfocus Companion, over OSC): what each address
means for the show, and what the surface is told back.

Pure logic, no sockets: server/osc_surface.py receives the datagrams and sends the feedback.
A press is read in two steps. `parse_press` checks the address and its arguments (wrong
ones are refused before the engine is asked). `decide` turns the press into one engine
command from the show as it stands, and runs inside the engine's command lock, so "previous
speaker" or "open the poll" cannot act on a show another operator changed a moment before.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .errors import DomainError, invalid
from .polls import DRAFT, OPEN
from .running_order import ENDED
from .text import unencodable

PREFIX = "/wenzheng"
MAX_TEXT = 500  # characters of a /wenzheng/message argument; the engine's message.set has its own limit


@dataclass(frozen=True)
class Press:
    """One OSC message that names a known address with well-formed arguments."""

    address: str
    args: tuple[Any, ...] = ()


@dataclass(frozen=True)
class Step:
    """The engine command a press comes to: a control action (`body`) or a poll action."""

    body: dict[str, Any] = field(default_factory=dict)
    poll: int | None = None
    poll_action: str = ""

    @property
    def name(self) -> str:
        return f"poll.{self.poll_action} {self.poll}" if self.poll is not None else str(self.body.get("action"))


# address → the argument kinds it takes: "" none, "int", "number", "text", "flag?" (an optional on/off)
ADDRESSES: dict[str, str] = {
    "/wenzheng/take": "",
    "/wenzheng/goto": "int",
    "/wenzheng/speaker/next": "",
    "/wenzheng/speaker/prev": "",
    "/wenzheng/timer/toggle": "",
    "/wenzheng/timer/add": "number",
    "/wenzheng/timer/reset": "",
    "/wenzheng/poll/open": "",
    "/wenzheng/poll/close": "",
    "/wenzheng/poll/reveal": "",
    "/wenzheng/message": "text",
    "/wenzheng/message/clear": "",
    "/wenzheng/hold": "flag?",
}


def refused(message: str) -> DomainError:
    return DomainError("bad_transition", message, 409)


def parse_press(address: Any, args: Any) -> Press:
    """The press an OSC message makes, or DomainError `invalid` / `bad_action` saying why not."""
    if not isinstance(address, str) or unencodable(address):
        raise invalid("the address is not text")
    kind = ADDRESSES.get(address)
    if kind is None:
        shown = address if len(address) <= 80 else address[:80] + "…"
        raise DomainError("bad_action", f"unknown address {shown!r}; known: {', '.join(ADDRESSES)}")
    args = tuple(args)
    if kind == "":
        if args:
            raise invalid(f"{address} takes no arguments, got {len(args)}")
        return Press(address)
    if kind == "flag?":
        if not args:
            return Press(address)
        if len(args) == 1 and (isinstance(args[0], bool) or args[0] in (0, 1)) and not isinstance(args[0], float):
            return Press(address, (bool(args[0]),))
        raise invalid(f"{address} takes nothing (toggle), or one of 1/0, true/false")
    if len(args) != 1:
        raise invalid(f"{address} takes exactly one argument, got {len(args)}")
    value = args[0]
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise invalid(f"{address} takes a whole number (OSC type i), got {_type_name(value)}")
    elif kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise invalid(f"{address} takes a number of seconds (OSC type i or f), got {_type_name(value)}")
        if not math.isfinite(value):  # "takes a number …, got a number" would say nothing
            raise invalid(f"{address} takes a number of seconds (OSC type i or f), got {value} (not a finite number)")
    elif kind == "text":
        if not isinstance(value, str):
            raise invalid(f"{address} takes text (OSC type s), got {_type_name(value)}")
        if unencodable(value):
            raise invalid(f"{address}: the text is not valid Unicode (a lone surrogate)")
        if len(value) > MAX_TEXT:
            raise invalid(f"{address}: the text is longer than {MAX_TEXT} characters")
    return Press(address, (value,))


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    return {int: "a whole number", float: "a number", str: "text", bytes: "a blob"}.get(type(value), type(value).__name__)


def _polls_in(show: Any) -> list[Any]:
    return sorted(show.polls.values(), key=lambda p: p.id)


def open_target(show: Any) -> Any | None:
    """The poll /wenzheng/poll/open opens: the newest draft (the one prepared last)."""
    drafts = [p for p in _polls_in(show) if p.state == DRAFT]
    return drafts[-1] if drafts else None


def reveal_target(show: Any) -> Any | None:
    """The poll /wenzheng/poll/reveal reveals: the current poll (state.poll, the one last
    opened), or when no poll is current, the newest draft."""
    return show.current_poll() or open_target(show)


# After show.end the control room's moves, speaker and timer keys are off (until 恢复直播): so are these buttons.
OFF_AFTER_THE_END = ("/wenzheng/take", "/wenzheng/goto", "/wenzheng/speaker/next", "/wenzheng/speaker/prev",
                     "/wenzheng/timer/toggle", "/wenzheng/timer/add", "/wenzheng/timer/reset", "/wenzheng/hold")


def decide(show: Any, press: Press) -> Step:
    """The command this press means now (inside the command lock); DomainError when it means nothing."""
    a = press.address
    if a in OFF_AFTER_THE_END and show.order.status == ENDED:
        raise refused("the show has ended; resume it (show.resume, 恢复直播) first")
    if a == "/wenzheng/take":
        return Step({"action": "segment.next"})
    if a == "/wenzheng/goto":
        return Step({"action": "segment.goto", "index": press.args[0]})
    if a == "/wenzheng/speaker/next":
        return Step({"action": "speaker.next"})
    if a == "/wenzheng/speaker/prev":
        index = show.order.speaker_index
        if index <= 0:
            raise refused("there is no previous speaker in this segment")
        return Step({"action": "speaker.goto", "index": index - 1})
    if a == "/wenzheng/timer/toggle":
        t = show.timer  # as the control room's Space: a timer never used in this segment starts from its preset
        used = t.running or t.duration_s or t.banked_s
        return Step({"action": "timer.toggle" if used else "timer.start"})
    if a == "/wenzheng/timer/add":
        return Step({"action": "timer.add", "seconds": press.args[0]})
    if a == "/wenzheng/timer/reset":
        return Step({"action": "timer.reset"})
    if a == "/wenzheng/poll/open":
        current = show.current_poll()
        if current is not None and current.state == OPEN:
            # a second press must not open an older draft over the poll being voted on
            raise refused(f"poll {current.id} is open; close it before opening another")
        poll = open_target(show)
        if poll is None:
            raise refused("there is no draft poll to open (create one first)")
        return Step(poll=poll.id, poll_action="open")
    if a == "/wenzheng/poll/close":
        current = show.current_poll()
        if current is None or current.state != OPEN:
            raise refused("no poll is open")
        return Step(poll=current.id, poll_action="close")
    if a == "/wenzheng/poll/reveal":
        poll = reveal_target(show)
        if poll is None:
            raise refused("there is no poll to reveal")
        if poll.revealed:
            raise refused(f"poll {poll.id}'s result is already revealed")
        return Step(poll=poll.id, poll_action="reveal")
    if a == "/wenzheng/message":
        return Step({"action": "message.set", "text": press.args[0]})
    if a == "/wenzheng/message/clear":
        return Step({"action": "message.clear"})
    if a == "/wenzheng/hold":
        on = press.args[0] if press.args else not show.order.hold
        return Step({"action": "segment.hold", "on": on})
    raise DomainError("bad_action", f"unknown address {a!r}")


# --- feedback: what the surface is told -------------------------------------------------
def clock_text(seconds: float) -> str:
    """As the overlay shows it: 00:27 rounded up while time is left, +00:03 counting up once over."""
    if seconds > 0:
        s, sign = math.ceil(seconds - 1e-6), ""
    else:
        s, sign = math.floor(-seconds + 1e-6), "+"
    return f"{sign}{s // 60:02d}:{s % 60:02d}"


def whole_seconds(seconds: float) -> int:
    """The number clock_text shows, signed: 27 while counting down, -3 three seconds over."""
    return math.ceil(seconds - 1e-6) if seconds > 0 else -math.floor(-seconds + 1e-6)


def signed_text(seconds: float) -> str:
    """Over/under as +01:05 (running long) or -00:30 (short); 00:00 on time."""
    s = round(seconds)
    sign = "+" if s > 0 else "-" if s < 0 else ""
    return f"{sign}{abs(s) // 60:02d}:{abs(s) % 60:02d}"


def timer_phase(timer: dict[str, Any]) -> str:
    """idle (no timer set), normal, warning, danger, over, or cut (a hearing timer stopped at zero)."""
    duration = float(timer.get("duration_s") or 0)
    if not timer.get("running") and duration <= 0 and not float(timer.get("elapsed_s") or 0):
        return "idle"
    if timer.get("cut_at_zero") and not timer.get("running") and float(timer.get("remaining_s") or 0) <= 0:
        return "cut"
    return str(timer.get("state") or "normal")


def poll_phase(show: Any) -> tuple[str, str]:
    """(state, title) of the poll the poll buttons act on: the open one; else a draft ready to
    open; else the current poll (closed); "none" when there is no poll at all."""
    current = show.current_poll()
    if current is not None and current.state == OPEN:
        return OPEN, current.title
    draft = open_target(show)
    if draft is not None:
        return DRAFT, draft.title
    if current is not None:
        return current.state, current.title
    return "none", ""


def feedback(show: Any, state: dict[str, Any]) -> list[tuple[str, int | str]]:
    """Every feedback address with its value, from the engine's state (and its polls)."""
    timer = state.get("timer") or {}
    segment = state.get("segment") or {}
    show_view = state.get("show") or {}
    remaining = float(timer.get("remaining_s") or 0)
    phase = timer_phase(timer)
    upcoming = next((r for r in state.get("running_order") or [] if r.get("next")), None)
    speaker = state.get("speaker") or {}
    message = state.get("message") if isinstance(state.get("message"), dict) else {}
    poll_state, poll_title = poll_phase(show)
    over_under = float(show_view.get("over_under_s") or 0)
    return [
        ("/wenzheng/timer/remaining", 0 if phase == "idle" else whole_seconds(remaining)),
        ("/wenzheng/timer/text", "--:--" if phase == "idle" else clock_text(remaining)),
        ("/wenzheng/timer/phase", phase),
        ("/wenzheng/timer/running", 1 if timer.get("running") else 0),
        ("/wenzheng/timer/label", str(timer.get("label") or "")),
        ("/wenzheng/segment/index", int(segment.get("index") or 0)),
        ("/wenzheng/segment/title", str(segment.get("title") or "")),
        ("/wenzheng/segment/next", str((upcoming or {}).get("title") or "")),
        ("/wenzheng/segment/hold", 1 if segment.get("hold") else 0),
        ("/wenzheng/speaker/name", str(speaker.get("name") or "")),
        ("/wenzheng/show/status", str(show_view.get("status") or "")),
        ("/wenzheng/show/over_under", signed_text(over_under)),
        ("/wenzheng/show/over_under_s", round(over_under)),
        ("/wenzheng/poll/state", poll_state),
        ("/wenzheng/poll/title", poll_title),
        ("/wenzheng/message/text", str((message or {}).get("text") or "")),
    ]


def variable_name(address: str) -> str:
    """The Companion custom variable an address feeds: /wenzheng/timer/text → wenzheng_timer_text."""
    return address.strip("/").replace("/", "_")


def clock_running(state: dict[str, Any]) -> bool:
    """A clock a button shows is moving: the feedback is then sent every second."""
    return bool((state.get("timer") or {}).get("running")) or (state.get("show") or {}).get("status") == "live"


def next_second_in(state: dict[str, Any]) -> float:
    """Seconds until the running countdown's display changes (its next whole second)."""
    remaining = float((state.get("timer") or {}).get("remaining_s") or 0)
    return (remaining % 1.0) or 1.0
