"""The ranking board on air (seed 004): its content is the group's ranking, shown only on the
director's cue, kept with the show, and refused for a group the show does not have."""

import pytest

from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.ranking_board import MAX_BOARD_UNITS, board_view
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import Show
from wenzheng_studio.paths import scenes_dir

HEARING = load_scene(scenes_dir() / "pingyi-hearing.toml")
GROUP = "执法监督组"


def scored_show() -> Show:
    """Every unit of the hearing scene imported; three of GROUP also heard (rating4 polls)."""
    show = Show(HEARING)
    rows = {u.name: {"survey": 60 + i, "review": 70.0, "assessment": 80.0} for i, u in enumerate(HEARING.units)}
    show.import_scores(rows, 1.0)
    for i, (unit, choice) in enumerate((("县公安局", "good"), ("县卫生局", "fair"), ("县司法局", "poor"))):
        poll, _ = show.create_poll({"title": f"请为{unit}评分", "kind": "rating4", "unit": unit}, 2.0 + i)
        show.poll_action(poll.id, "open", {"countdown_s": None}, 3.0 + i)
        poll.count(f"s:main-{i:03d}", "studio", "main", choice)
        show.poll_action(poll.id, "close", {}, 4.0 + i)
    return show


def test_no_board_until_the_director_reveals_one():
    show = scored_show()
    assert show.state(10.0)["ranking_board"] is None
    show.control({"action": "ranking.show", "group": GROUP}, 10.0)
    board = show.state(11.0)["ranking_board"]
    assert board["group"] == GROUP
    show.control({"action": "ranking.hide"}, 12.0)
    assert show.state(13.0)["ranking_board"] is None


def test_the_board_is_the_groups_ranking_in_rank_order():
    show = scored_show()
    show.control({"action": "ranking.show", "group": GROUP}, 10.0)
    board = show.state(11.0)["ranking_board"]
    ranking = next(g for g in show.ranking()["groups"] if g["group"] == GROUP)
    assert [u["unit"] for u in board["units"]] == [u["unit"] for u in ranking["units"]]
    for shown, ranked in zip(board["units"], ranking["units"]):
        assert (shown["rank"], shown["composite"], shown["hearing"], shown["satisfactory"]) == (
            ranked["rank"], ranked["composite"], ranked["hearing"], ranked["satisfactory"])
    scored = [u for u in board["units"] if u["composite"] is not None]
    assert [u["unit"] for u in scored] == ["县公安局", "县卫生局", "县司法局"]  # 20, 15, 5 points heard
    assert [u["rank"] for u in scored] == [1, 2, 3]
    assert board["quota"] == 1 and [u["satisfactory"] for u in scored] == [True, False, False]  # 40% of 3 → 1
    assert board["complete"] is False, "13 units of the group have no hearing score yet"
    assert all(u["rank"] is None and not u["satisfactory"] for u in board["units"][3:])


def test_the_board_follows_the_ranking_while_it_is_up():
    show = scored_show()
    show.control({"action": "ranking.show", "group": GROUP}, 10.0)
    poll, _ = show.create_poll({"title": "请为县交通局评分", "kind": "rating4", "unit": "县交通局"}, 20.0)
    show.poll_action(poll.id, "open", {"countdown_s": None}, 21.0)
    poll.count("s:main-100", "studio", "main", "good")
    board = show.state(22.0)["ranking_board"]
    assert "县交通局" in [u["unit"] for u in board["units"] if u["composite"] is not None]


@pytest.mark.parametrize("body, error", [
    ({"action": "ranking.show"}, "invalid"),
    ({"action": "ranking.show", "group": 3}, "invalid"),
    ({"action": "ranking.show", "group": "没有这个组"}, "invalid"),
    ({"action": "ranking.show", "group": "执法\u0007监督组"}, "invalid"),
    ({"action": "ranking.show", "group": "执法\ud800监督组"}, "invalid"),
    ({"action": "ranking.show", "group": "社会服务组"}, "no_ranking"),  # imported, but no unit heard yet
])
def test_a_bad_group_is_refused_and_changes_nothing(body, error):
    show = scored_show()
    show.control({"action": "ranking.show", "group": GROUP}, 10.0)
    before = show.meta()
    with pytest.raises(DomainError) as refused:
        show.control(body, 11.0)
    assert refused.value.code == error
    assert show.meta() == before and show.state(12.0)["ranking_board"]["group"] == GROUP


def test_a_hidden_hearing_score_stays_off_the_board_until_revealed():
    show = scored_show()
    poll, _ = show.create_poll({"title": "请为县交通局评分", "kind": "rating4", "unit": "县交通局", "revealed": False}, 20.0)
    show.poll_action(poll.id, "open", {"countdown_s": None}, 21.0)
    poll.count("s:main-100", "studio", "main", "good")
    show.control({"action": "ranking.show", "group": GROUP}, 22.0)
    shown = {u["unit"]: u for u in show.state(23.0)["ranking_board"]["units"]}
    assert shown["县交通局"]["hearing"] is None and shown["县交通局"]["composite"] is None
    assert next(u for g in show.ranking()["groups"] for u in g["units"] if u["unit"] == "县交通局")["hearing"] == 20.0, \
        "the operators' ranking has it"
    show.poll_action(poll.id, "reveal", {}, 24.0)
    assert {u["unit"]: u for u in show.state(25.0)["ranking_board"]["units"]}["县交通局"]["hearing"] == 20.0


def test_the_board_is_kept_with_the_show_and_restored():
    show = scored_show()
    show.control({"action": "ranking.show", "group": GROUP}, 10.0)
    again = Show(HEARING)
    again.restore(show.meta(), [p.to_dict() for p in show.polls.values()], [], [])
    assert again.ranking_group == GROUP
    again.revert_to({**show.meta(), "ranking_group": None}, [p.to_dict() for p in show.polls.values()], [])
    assert again.ranking_group is None, "a failed write puts the board back to what the store holds"


def test_a_board_whose_group_is_gone_shows_nothing():
    assert board_view("已撤销的组", {"groups": [{"group": GROUP, "units": []}]}) is None


def test_a_group_too_big_for_one_board_is_refused():
    units = [{"unit": f"单位{i}", "rank": i + 1, "hearing": 15.0, "composite": 80.0 - i, "satisfactory": False}
             for i in range(MAX_BOARD_UNITS + 1)]
    from wenzheng_studio.core.ranking_board import board_group
    with pytest.raises(DomainError, match="at most"):
        board_group({"group": "大组"}, {"groups": [{"group": "大组", "units": units}]})
    assert board_group({"group": "大组"}, {"groups": [{"group": "大组", "units": units[:MAX_BOARD_UNITS]}]}) == "大组"
