"""A refused command changes nothing, in memory too: the Show checks before it mutates.

The engine relies on this: a DomainError goes straight back to the caller with nothing to
write and nothing to put back. Random bodies (surrogates included) are thrown at every
command of a show in several states; whenever one is refused, the show must be unchanged.
"""

import copy

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import CONTROL_ACTIONS, Show
from wenzheng_studio.paths import scenes_dir

SCENE = load_scene(scenes_dir() / "baixing-wenzheng.toml")
NOW = 1_800_000_000.0
FIELDS = ["action", "index", "seconds", "label", "warning_s", "danger_s", "element", "mode", "on", "title",
          "kind", "choices", "unit", "revealed", "countdown_s", "text", "name", "air_text", "reason", "into",
          "due", "priority", "rank", "topic", "source", "phone", "notes", "reply", "satisfaction", "group"]
text = st.text(st.characters(exclude_categories=()), max_size=12) | st.sampled_from(["a \ud800 b", "", "问政"])
scalars = (st.none() | st.booleans() | st.integers(-10, 10**7) | st.floats(allow_nan=True) | text
           | st.sampled_from([*CONTROL_ACTIONS, "screen", "approve", "on_air", "answered", "edit", "refer",
                              "merge", "reject", "tally", "qr", "venues", "show", "hide", "yesno", "choice", "rating4"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3)
                      | st.dictionaries(st.sampled_from(FIELDS) | text, inner, max_size=3), max_leaves=6)
bodies = st.dictionaries(st.sampled_from(FIELDS), values, max_size=5) | values


def staged_show(stage: int) -> Show:
    show = Show(SCENE)
    if stage >= 1:
        show.control({"action": "segment.goto", "index": 1}, NOW)
        poll, _ = show.create_poll({"title": "满意吗", "kind": "satisfaction"}, NOW)
        show.poll_action(poll.id, "open", {}, NOW)
        q, _ = show.add_question({"text": "路灯坏了"}, NOW, operator=True)
        show.question_action(q.id, {"action": "screen"}, NOW)
    if stage >= 2:
        show.question_action(1, {"action": "approve"}, NOW)
        show.question_action(1, {"action": "on_air"}, NOW)
        show.control({"action": "speaker.next"}, NOW) if show.order.segment.speakers else None
        show.poll_action(1, "close", {}, NOW)
    return show


def picture(show: Show):
    return copy.deepcopy((show.meta(), {p: (poll.to_dict(), poll.tally) for p, poll in show.polls.items()},
                          {q: question.to_dict() for q, question in show.questions.items()},
                          show._next_poll_id, show._next_question_id))


COMMANDS = [
    lambda show, body: show.control(body, NOW + 5),
    lambda show, body: show.create_poll(body, NOW + 5),
    lambda show, body: show.poll_action(1, "open", body, NOW + 5),
    lambda show, body: show.add_question(body, NOW + 5, operator=True),
    lambda show, body: show.add_question(body, NOW + 5, operator=False),
    lambda show, body: show.question_action(1, body, NOW + 5),
]


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(stage=st.integers(0, 2), command=st.sampled_from(range(len(COMMANDS))), body=bodies)
def test_a_refused_command_leaves_the_show_as_it_was(stage, command, body):
    show = staged_show(stage)
    before = picture(show)
    try:
        COMMANDS[command](show, body)
    except DomainError:
        assert picture(show) == before, f"refused {body!r} changed the show"


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(stage=st.integers(0, 2), action=st.sampled_from(CONTROL_ACTIONS), extra=st.dictionaries(st.sampled_from(FIELDS), values, max_size=3))
def test_every_control_action_refused_with_odd_fields_changes_nothing(stage, action, extra):
    show = staged_show(stage)
    before = picture(show)
    try:
        show.control({**extra, "action": action}, NOW + 5)
    except DomainError:
        assert picture(show) == before, f"refused {action} {extra!r} changed the show"
