"""The control surface's rules without sockets (core/surface.py): which press means what,
which poll the poll buttons act on, what is refused, and the feedback values."""

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenzheng_studio.core import surface
from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.operators import CONTROL_SURFACE, DIRECTOR, control_permission, may
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import CONTROL_ACTIONS, Show
from wenzheng_studio.paths import scenes_dir

SCENE = load_scene(scenes_dir() / "baixing-wenzheng.toml")
NOW = 1_800_000_000.0


def press(show: Show, address: str, *args, now: float = NOW + 1):
    """What the engine does with one press: parse, decide, apply (as Engine.surface_command)."""
    step = surface.decide(show, surface.parse_press(address, args))
    if step.poll is not None:
        show.poll_action(step.poll, step.poll_action, None, now, CONTROL_SURFACE)
    else:
        show.control(step.body, now, CONTROL_SURFACE)
    return step


def test_the_surface_is_a_built_in_director_recorded_by_name():
    assert CONTROL_SURFACE.role == DIRECTOR and CONTROL_SURFACE.name == "控制台 OSC"
    assert CONTROL_SURFACE.id < 0  # never an operator's id (those count up from 1; the admin token is 0)
    assert may(CONTROL_SURFACE, control_permission("segment.next"))
    show = Show(SCENE)
    press(show, "/wenzheng/take")
    change = show.control({"action": "timer.start"}, NOW, CONTROL_SURFACE)
    assert change.event["actor"] == {"id": CONTROL_SURFACE.id, "name": "控制台 OSC", "role": "director"}


@pytest.mark.parametrize("address, args, why", [
    ("/wenzheng/nope", (), "unknown address"),
    ("/Wenzheng/take", (), "unknown address"),
    ("/wenzheng/take", (1,), "takes no arguments"),
    ("/wenzheng/goto", (), "exactly one argument"),
    ("/wenzheng/goto", ("2",), "whole number"),
    ("/wenzheng/goto", (2.0,), "whole number"),
    ("/wenzheng/goto", (True,), "whole number"),
    ("/wenzheng/goto", (1, 2), "exactly one argument"),
    ("/wenzheng/timer/add", ("30",), "number of seconds"),
    ("/wenzheng/timer/add", (float("nan"),), "got nan (not a finite number)"),
    ("/wenzheng/timer/add", (float("-inf"),), "got -inf (not a finite number)"),
    ("/wenzheng/timer/add", (None,), "number of seconds"),
    ("/wenzheng/message", (5,), "takes text"),
    ("/wenzheng/message", (b"\x00blob",), "takes text"),
    ("/wenzheng/message", ("a \ud800 b",), "not valid Unicode"),
    ("/wenzheng/message", ("长" * 501,), "longer than 500"),
    ("/wenzheng/hold", (2,), "1/0"),
    ("/wenzheng/hold", ("on",), "1/0"),
    ("/wenzheng/hold", (1.0,), "1/0"),
    ("\ud800", (), "not text"),
])
def test_bad_input_is_refused_before_the_engine_is_asked(address, args, why):
    with pytest.raises(DomainError) as refused:
        surface.parse_press(address, args)
    assert why in refused.value.message
    assert refused.value.code in ("invalid", "bad_action")


def test_each_address_does_its_action():
    show = Show(SCENE)
    press(show, "/wenzheng/take")
    assert show.order.status == "live" and show.order.index == 0
    press(show, "/wenzheng/speaker/next")
    press(show, "/wenzheng/speaker/next")
    assert show.order.speaker_index == 1 and show.timer.running
    assert press(show, "/wenzheng/speaker/prev").body == {"action": "speaker.goto", "index": 0}
    assert show.order.speaker_index == 0
    with pytest.raises(DomainError, match="no previous speaker"):
        press(show, "/wenzheng/speaker/prev")
    press(show, "/wenzheng/timer/toggle", now=NOW + 2)
    assert not show.timer.running
    press(show, "/wenzheng/timer/add", 30)
    press(show, "/wenzheng/timer/add", -2.5)
    assert show.timer.duration_s == SCENE.segments[0].timer.seconds + 27.5
    press(show, "/wenzheng/timer/toggle", now=NOW + 3)
    assert show.timer.running
    press(show, "/wenzheng/timer/reset")
    assert not show.timer.running and show.timer.banked_s == 0
    press(show, "/wenzheng/hold")
    assert show.order.hold
    with pytest.raises(DomainError):  # hold means hold, for the surface too
        press(show, "/wenzheng/take")
    press(show, "/wenzheng/hold", 0)
    press(show, "/wenzheng/hold", False)  # said explicitly: a second "off" does not toggle it back on
    assert not show.order.hold
    press(show, "/wenzheng/goto", 3)
    assert show.order.index == 3
    with pytest.raises(DomainError):
        press(show, "/wenzheng/goto", 99)


def test_timer_toggle_starts_a_timer_never_used_in_this_segment():
    show = Show(SCENE)
    press(show, "/wenzheng/take")
    assert press(show, "/wenzheng/timer/toggle").body == {"action": "timer.start"}
    assert show.timer.running and show.timer.duration_s == SCENE.segments[0].timer.seconds
    assert press(show, "/wenzheng/timer/toggle", now=NOW + 5).body == {"action": "timer.toggle"}
    assert not show.timer.running


def test_the_poll_buttons_act_on_the_newest_draft_then_the_current_poll():
    show = Show(SCENE)
    with pytest.raises(DomainError, match="no draft poll"):
        press(show, "/wenzheng/poll/open")
    with pytest.raises(DomainError, match="no poll is open"):
        press(show, "/wenzheng/poll/close")
    older, _ = show.create_poll({"title": "旧", "kind": "yesno"}, NOW)
    newer, _ = show.create_poll({"title": "新", "kind": "satisfaction", "revealed": False}, NOW)
    assert surface.poll_phase(show) == ("draft", "新")
    assert press(show, "/wenzheng/poll/open").poll == newer.id
    assert newer.state == "open" and older.state == "draft"
    with pytest.raises(DomainError, match="close it before"):  # a second press must not open the older draft
        press(show, "/wenzheng/poll/open")
    assert older.state == "draft" and surface.poll_phase(show) == ("open", "新")
    assert press(show, "/wenzheng/poll/close").poll == newer.id
    assert newer.state == "closed" and surface.poll_phase(show) == ("draft", "旧")
    assert press(show, "/wenzheng/poll/reveal").poll == newer.id  # the current poll, not the draft
    assert newer.revealed
    with pytest.raises(DomainError, match="already revealed"):
        press(show, "/wenzheng/poll/reveal")
    show.control({"action": "poll.clear"}, NOW)
    hidden, _ = show.create_poll({"title": "暗", "kind": "yesno", "revealed": False}, NOW)
    assert press(show, "/wenzheng/poll/reveal").poll == hidden.id  # no current poll: the newest draft


def test_message_presses_name_the_message_actions():
    show = Show(SCENE)
    step = surface.decide(show, surface.parse_press("/wenzheng/message", ["请抓紧时间"]))
    assert step.body == {"action": "message.set", "text": "请抓紧时间"}
    assert surface.decide(show, surface.parse_press("/wenzheng/message/clear", [])).body == {"action": "message.clear"}
    if "message.set" not in CONTROL_ACTIONS:  # added on another branch (#16 part 2): until then the engine refuses it
        with pytest.raises(DomainError) as refused:
            show.control(step.body, NOW)
        assert refused.value.code == "bad_action"


def test_clock_texts_as_the_overlay_shows_them():
    assert surface.clock_text(27.2) == "00:28" and surface.whole_seconds(27.2) == 28
    assert surface.clock_text(30) == "00:30" and surface.clock_text(0.01) == "00:01"
    assert surface.clock_text(0) == "+00:00" and surface.whole_seconds(0) == 0
    assert surface.clock_text(-3.7) == "+00:03" and surface.whole_seconds(-3.7) == -3
    assert surface.clock_text(-65) == "+01:05"
    assert surface.signed_text(65.4) == "+01:05" and surface.signed_text(-30) == "-00:30"
    assert surface.signed_text(0.3) == "00:00"
    assert surface.variable_name("/wenzheng/timer/text") == "wenzheng_timer_text"


def test_feedback_values_follow_the_show():
    show = Show(SCENE)
    values = dict(surface.feedback(show, show.state(NOW)))
    assert values["/wenzheng/timer/phase"] == "idle" and values["/wenzheng/timer/text"] == "--:--"
    assert values["/wenzheng/show/status"] == "standby" and values["/wenzheng/poll/state"] == "none"
    press(show, "/wenzheng/take", now=NOW)
    press(show, "/wenzheng/speaker/next", now=NOW)  # 30 s, warning at 10, danger at 5 (the pledge preset)
    timer = SCENE.segments[0].timer
    for at, text, phase in [(NOW + 2.5, "00:28", "normal"), (NOW + timer.seconds - timer.warning_s + 0.5, None, "warning"),
                            (NOW + timer.seconds - 1, "00:01", "danger"), (NOW + timer.seconds + 3.2, "+00:03", "over")]:
        values = dict(surface.feedback(show, show.state(at)))
        assert values["/wenzheng/timer/phase"] == phase, at
        if text:
            assert values["/wenzheng/timer/text"] == text
    assert values["/wenzheng/timer/remaining"] == -3 and values["/wenzheng/timer/running"] == 1
    assert values["/wenzheng/segment/title"] == SCENE.segments[0].title
    assert values["/wenzheng/segment/next"] == SCENE.segments[1].title
    assert values["/wenzheng/speaker/name"] == SCENE.segments[0].speakers[0].name
    assert all(isinstance(v, (int, str)) and not isinstance(v, bool) for v in values.values())


def test_a_timer_cut_at_zero_reads_cut():
    timer = {"running": False, "duration_s": 300, "elapsed_s": 300, "remaining_s": 0, "cut_at_zero": True,
             "state": "over"}
    assert surface.timer_phase(timer) == "cut"
    assert surface.timer_phase({**timer, "cut_at_zero": False}) == "over"


def test_the_feedback_ticks_on_the_countdowns_next_second():
    assert surface.next_second_in({"timer": {"remaining_s": 27.25}}) == pytest.approx(0.25)
    assert surface.next_second_in({"timer": {"remaining_s": -3.75}}) == pytest.approx(0.25)
    assert surface.next_second_in({"timer": {"remaining_s": 27.0}}) == 1.0


def _staged(stage: int) -> Show:
    show = Show(SCENE)
    if stage >= 1:
        show.control({"action": "segment.next"}, NOW)
        show.control({"action": "speaker.next"}, NOW)
        show.create_poll({"title": "满意吗", "kind": "satisfaction"}, NOW)
    if stage >= 2:
        show.poll_action(1, "open", {}, NOW)
        show.control({"action": "segment.hold", "on": True}, NOW)
    return show


args = st.lists(st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True)
                | st.text(max_size=8) | st.sampled_from(["a \ud800", "问政"]) | st.binary(max_size=4), max_size=2)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(stage=st.integers(0, 2), address=st.sampled_from([*surface.ADDRESSES, "/wenzheng", "/x"]), arguments=args)
def test_a_refused_press_changes_nothing(stage, address, arguments):
    show = _staged(stage)
    before = copy.deepcopy((show.meta(), {p: poll.to_dict() for p, poll in show.polls.items()}))
    try:
        press(show, address, *arguments)
    except DomainError:
        assert copy.deepcopy((show.meta(), {p: poll.to_dict() for p, poll in show.polls.items()})) == before


def test_after_the_end_the_buttons_the_control_room_turns_off_are_off():
    show = Show(SCENE)
    press(show, "/wenzheng/take")
    press(show, "/wenzheng/speaker/next")
    show.control({"action": "show.end"}, NOW + 2)
    for address, args in [("/wenzheng/take", ()), ("/wenzheng/goto", (2,)), ("/wenzheng/speaker/next", ()),
                          ("/wenzheng/speaker/prev", ()), ("/wenzheng/timer/toggle", ()), ("/wenzheng/timer/add", (30,)),
                          ("/wenzheng/timer/reset", ()), ("/wenzheng/hold", ())]:
        with pytest.raises(DomainError, match="the show has ended"):
            press(show, address, *args)
    show.create_poll({"title": "会后", "kind": "yesno"}, NOW)
    press(show, "/wenzheng/poll/open")  # the votes are not the running order: still the director's to open
    show.control({"action": "show.resume"}, NOW + 3)
    press(show, "/wenzheng/timer/add", 30)
