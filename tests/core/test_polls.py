"""Polls: kinds, one ballot per voter, groups, rating4 scoring, hidden tallies, countdown."""

import pytest

from wenzheng_studio.core.clock import FakeClock
from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.polls import Poll


def make(body, now=0.0):
    return Poll.create(1, body, now, ["main", "sub01"])


def vote(poll, voter, choice, now=1.0, group="remote", venue="remote"):
    key = poll.check_ballot(voter, choice, now)
    poll.count(voter, group, venue, key)


def test_kinds_have_their_fixed_choices():
    assert [c["key"] for c in make({"title": "t", "kind": "satisfaction"}).choices] == ["satisfied", "basic", "unsatisfied"]
    assert [c["label"] for c in make({"title": "t", "kind": "rating4"}).choices] == ["好", "较好", "一般", "差"]
    assert [c["key"] for c in make({"title": "t", "kind": "yesno"}).choices] == ["yes", "no"]
    poll = make({"title": "t", "kind": "choice", "choices": [{"key": "a", "label": "甲"}, {"key": "b", "label": "乙"}]})
    assert poll.view(operator=True)["tally"] == {"studio": {"a": 0, "b": 0}, "remote": {"a": 0, "b": 0}}


@pytest.mark.parametrize("body", [
    {"title": "", "kind": "yesno"},
    {"title": "t", "kind": "nonsense"},
    {"title": "t", "kind": "choice", "choices": [{"key": "a", "label": "甲"}]},
    {"title": "t", "kind": "choice", "choices": [{"key": "a", "label": "甲"}, {"key": "a", "label": "乙"}]},
    {"title": "t", "kind": "choice", "choices": [{"key": "a b", "label": "甲"}, {"key": "c", "label": "乙"}]},
    {"title": "t", "kind": "yesno", "revealed": "no"},
    {"title": "t", "kind": "yesno", "extra": 1},
    {"title": "x" * 201, "kind": "yesno"},
    ["not", "an", "object"],
])
def test_bad_poll_bodies_are_refused(body):
    with pytest.raises(DomainError):
        make(body)


def test_one_ballot_per_voter_and_state_rules():
    poll = make({"title": "t", "kind": "yesno"})
    with pytest.raises(DomainError) as e:
        poll.check_ballot("v1", "yes", 1.0)
    assert e.value.code == "not_open"
    poll.open(1.0)
    vote(poll, "v1", "yes")
    with pytest.raises(DomainError) as e:
        poll.check_ballot("v1", "no", 2.0)
    assert e.value.code == "duplicate"
    with pytest.raises(DomainError) as e:
        poll.check_ballot("v2", "maybe", 2.0)
    assert e.value.code == "bad_choice"
    vote(poll, "s:main-001", "no", group="studio", venue="main")
    poll.close(3.0)
    with pytest.raises(DomainError) as e:
        poll.check_ballot("v3", "yes", 4.0)
    assert e.value.code == "not_open"
    view = poll.view(operator=False)
    assert view["tally"] == {"studio": {"yes": 0, "no": 1}, "remote": {"yes": 1, "no": 0}}
    assert view["ballots"] == 2 and view["venues"] == {"main": {"yes": 0, "no": 1}}
    with pytest.raises(DomainError):
        poll.open(5.0)


def test_rating4_blank_counts_as_average_and_score_is_points_over_ballots():
    poll = make({"title": "评分", "kind": "rating4"})
    poll.open(0)
    for i, choice in enumerate(["good", "good", "fair", "poor", "blank", ""]):
        vote(poll, f"v{i}", choice, group="studio", venue="main")
    assert poll.tally["studio"] == {"good": 2, "fair": 1, "average": 2, "poor": 1}
    assert poll.score() == pytest.approx((20 * 2 + 15 + 10 * 2 + 5) / 6, abs=0.01)


def test_rating4_phones_are_not_representatives_and_never_move_the_score():
    poll = make({"title": "评分", "kind": "rating4"})
    poll.open(0)
    vote(poll, "seat1", "good", group="studio", venue="main")
    vote(poll, "seat2", "poor", group="studio", venue="main")
    for i in range(50):  # an audience at home, all 差
        vote(poll, f"phone{i}", "poor")
    assert poll.tally["remote"]["poor"] == 50
    assert poll.score() == pytest.approx((20 + 5) / 2)
    assert poll.attendance() == (2, "ballots")
    assert poll.score(signed_in=4) == pytest.approx((20 + 5 + 10 * 2) / 4)  # two signed in, cast nothing


def test_combined_result_weights_groups():
    poll = make({"title": "t", "kind": "yesno"})
    poll.open(0)
    vote(poll, "s1", "yes", group="studio", venue="main")          # studio 100% yes
    for i in range(3):
        vote(poll, f"r{i}", "no")                                    # remote 100% no
    assert poll.combined(0.5, 0.5) == {"yes": 50.0, "no": 50.0}
    assert poll.combined(0.7, 0.3) == {"yes": 70.0, "no": 30.0}
    assert poll.combined(1.0, 0.0) == {"yes": 100.0, "no": 0.0}


def test_hidden_poll_keeps_tally_from_public_until_revealed():
    poll = make({"title": "t", "kind": "yesno", "revealed": False})
    poll.open(0)
    vote(poll, "v", "yes")
    public = poll.view(operator=False)
    assert "tally" not in public and "ballots" not in public and public["revealed"] is False
    assert poll.view(operator=True)["tally"]["remote"]["yes"] == 1
    poll.reveal()
    assert poll.view(operator=False)["tally"]["remote"]["yes"] == 1


def test_countdown_refuses_votes_at_the_deadline_and_closes_there():
    clock = FakeClock(100)
    poll = make({"title": "t", "kind": "yesno"})
    poll.open(clock.now(), countdown_s=30)
    clock.advance(29.99)
    vote(poll, "v1", "yes", now=clock.now())
    clock.advance(0.01)
    with pytest.raises(DomainError) as e:
        poll.check_ballot("v2", "yes", clock.now())
    assert e.value.code == "not_open"
    assert poll.close_due(clock.now())
    clock.advance(5)
    poll.close(clock.now())
    assert poll.closed_at == 130


def test_poll_ids_in_text_are_ascii_digits_only():
    from wenzheng_studio.core.scene import load_scene
    from wenzheng_studio.core.show import Show
    from wenzheng_studio.paths import scenes_dir

    show = Show(load_scene(scenes_dir() / "baixing-wenzheng.toml"))
    show.create_poll({"title": "t", "kind": "yesno"}, 0.0)
    assert show.poll_key("1") == 1 and show.poll_key(1) == 1
    for weird in ("²", "١", "1.0", " 1", "0x1", "9" * 40, True):
        assert show.poll_key(weird) is None
    with pytest.raises(DomainError):
        show.question("²")
