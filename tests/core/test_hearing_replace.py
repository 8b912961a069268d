"""A unit's 测评 is not replaced by accident: a second rating4 poll for a unit whose first one
was opened answers 409 already_scored unless the director says `"replace": true`."""

from __future__ import annotations

import pytest

from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.paths import scenes_dir
from wenzheng_studio.core.show import Show

SCENE = load_scene(scenes_dir() / "pingyi-hearing.toml")
UNIT = SCENE.units[0].name


def _show() -> Show:
    return Show(SCENE)


def _scored(show: Show, choice: str, voters: int) -> int:
    poll, _ = show.create_poll({"title": "测评", "kind": "rating4", "unit": UNIT}, 1.0)
    show.poll_action(poll.id, "open", {}, 2.0)
    for i in range(voters):
        key = poll.check_ballot(f"seat{poll.id}-{i}", choice, 3.0)
        poll.count(f"seat{poll.id}-{i}", "studio", "main", key)
    show.poll_action(poll.id, "close", {}, 4.0)
    return poll.id


def test_a_second_rating4_for_a_scored_unit_is_refused_and_changes_nothing():
    show = _show()
    _scored(show, "good", 3)
    before = (dict(show.polls), show._next_poll_id, show.hearing_scores())
    with pytest.raises(DomainError) as refused:
        show.create_poll({"title": "测评", "kind": "rating4", "unit": UNIT}, 5.0)
    assert refused.value.code == "already_scored" and refused.value.status == 409
    assert "#1" in refused.value.message and "replace" in refused.value.message
    assert (dict(show.polls), show._next_poll_id, show.hearing_scores()) == before
    assert show.hearing_scores()[UNIT] == 20.0


def test_the_director_may_replace_it_on_purpose_and_it_is_recorded():
    show = _show()
    _scored(show, "good", 3)
    poll, change = show.create_poll({"title": "重新测评", "kind": "rating4", "unit": UNIT, "replace": True}, 5.0)
    assert change.event["replace"] is True
    show.poll_action(poll.id, "open", {}, 6.0)
    key = poll.check_ballot("seatX", "poor", 7.0)
    poll.count("seatX", "studio", "main", key)
    show.poll_action(poll.id, "close", {}, 8.0)
    assert show.hearing_scores()[UNIT] == 5.0  # the latest scored 测评 counts, as before


def test_drafts_other_units_and_other_kinds_are_not_held_back():
    show = _show()
    show.create_poll({"title": "测评", "kind": "rating4", "unit": UNIT}, 1.0)  # a draft: never opened
    show.create_poll({"title": "测评", "kind": "rating4", "unit": UNIT}, 2.0)  # fine: nothing scored yet
    _scored(show, "fair", 1)
    show.create_poll({"title": "测评", "kind": "rating4", "unit": SCENE.units[1].name}, 3.0)
    show.create_poll({"title": "满意吗", "kind": "satisfaction", "unit": UNIT}, 4.0)
    with pytest.raises(DomainError):
        show.create_poll({"title": "测评", "kind": "rating4", "unit": UNIT, "replace": "yes"}, 5.0)
