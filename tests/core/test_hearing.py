"""群众满意单位评议 (seed 004): the hearing's score over the representatives attending, and the
year's composite and ranking with the top 40% of each group satisfactory."""

import pytest

from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.polls import Poll
from wenzheng_studio.core.ranking import composite, parse_scores, rank, satisfactory_count
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import Show
from wenzheng_studio.paths import scenes_dir

HEARING = load_scene(scenes_dir() / "pingyi-hearing.toml")


def rating4(**body) -> Poll:
    poll = Poll.create(1, {"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局", **body}, 0.0, ["main"])
    poll.open(1.0)
    return poll


def cast(poll: Poll, *choices: str) -> None:
    for i, choice in enumerate(choices):
        poll.count(f"s:main-{i:03d}", "studio", "main", poll.normalise_choice(choice))


def test_score_is_points_over_representatives_with_blanks_as_average():
    poll = rating4()
    cast(poll, "good", "good", "fair", "blank", "poor")  # 20 + 20 + 15 + 10 + 5 = 70
    assert poll.score() == 14.0, "no seat signed in: the ballots are the representatives"
    # Seven representatives signed in, five cast: the two who cast nothing count as 一般 (10 each).
    assert poll.score(signed_in=7) == pytest.approx(90 / 7, abs=0.01)
    view = poll.view(operator=True, signed_in=7)
    assert (view["score"], view["attending"], view["attending_source"]) == (12.86, 7, "signed_in")


def test_the_directors_attending_overrides_the_seats_signed_in():
    poll = rating4(attending=10)
    cast(poll, "good", "good", "fair", "blank", "poor")
    assert poll.score(signed_in=7) == 12.0  # (70 + 5 × 10) ÷ 10
    assert poll.view(operator=True, signed_in=7)["attending_source"] == "director"
    poll.set_attending(None)  # back to the seats signed in
    assert poll.score(signed_in=7) == pytest.approx(90 / 7, abs=0.01)
    poll.set_attending(3)  # fewer than cast: never divides by fewer than the ballots
    assert poll.score() == 14.0
    with pytest.raises(DomainError):
        poll.set_attending(0)
    with pytest.raises(DomainError):
        Poll.create(2, {"title": "赞成吗", "kind": "yesno", "attending": 5}, 0.0, ["main"])
    assert Poll.from_dict(rating4(attending=9).to_dict()).attending == 9, "the override is stored"


def test_a_signed_in_seat_that_cast_nothing_counts_as_blank_and_only_until_the_poll_closed():
    show = Show(HEARING)
    poll, _ = show.create_poll({"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局"}, 0.0)
    show.poll_action(poll.id, "open", {"countdown_s": None}, 1.0)
    for n, seat in enumerate(("main-001", "main-002", "main-003")):
        assert show.sign_in_seat(seat, "main", 2.0 + n) is not None
    assert show.sign_in_seat("main-001", "main", 9.0) is None, "signed in once"
    cast(poll, "good", "good")  # main-003 signed in and cast nothing
    assert show.poll_view(poll, operator=True)["score"] == pytest.approx(50 / 3, abs=0.01)
    show.poll_action(poll.id, "close", {}, 10.0)
    show.sign_in_seat("main-004", "main", 11.0)  # came after this unit was scored
    view = show.poll_view(poll, operator=True)
    assert (view["attending"], view["score"]) == (3, 16.67)
    show.poll_action(poll.id, "attending", {"attending": 4}, 12.0)
    assert show.poll_view(poll, operator=True)["score"] == 15.0
    assert show.hearing_scores() == {"县公安局": 15.0}


def test_the_state_names_the_segments_poll_kind_and_unit():
    show = Show(HEARING)
    show.control({"action": "segment.goto", "index": 1}, 0.0)
    seg = show.state(0.0, operator=True)["segment"]
    assert (seg["poll_kind"], seg["unit"], seg["poll_title"]) == ("rating4", "县工商行政管理局", "请为县工商行政管理局评分")


def units(n: int, group: str = "执法监督组") -> list[dict]:
    return [{"name": f"单位{i}", "short": "", "group": group} for i in range(1, n + 1)]


def imported(n: int) -> dict:
    return {f"单位{i}": {"survey": 100 - i, "review": 90.0, "assessment": 80.0} for i in range(1, n + 1)}


@pytest.mark.parametrize("n, satisfactory", [(5, 2), (7, 3), (1, 0), (2, 1), (4, 2), (10, 4), (16, 6), (17, 7)])
def test_the_top_40_percent_rounded_to_the_nearest_unit_are_satisfactory(n, satisfactory):
    assert satisfactory_count(n) == satisfactory
    hearing = {f"单位{i}": 15.0 for i in range(1, n + 1)}
    group = rank(units(n), imported(n), hearing)["groups"][0]
    assert [u["unit"] for u in group["units"]] == [f"单位{i}" for i in range(1, n + 1)]
    assert [u["rank"] for u in group["units"]] == list(range(1, n + 1))
    assert [u["satisfactory"] for u in group["units"]] == [True] * satisfactory + [False] * (n - satisfactory)


def test_composite_weights_and_groups_ranked_apart():
    # the hearing (15 of 20 points) counts as 75 of 100
    assert composite({"survey": 90, "review": 80, "hearing": 15, "assessment": 70}) == 36 + 16 + 15 + 14
    scene_units = units(5, "甲组") + [{"name": "乙1", "short": "", "group": "乙组"}, {"name": "乙2", "short": "", "group": "乙组"}]
    parts = {**imported(5), "乙1": {"survey": 10, "review": 10, "assessment": 10},
             "乙2": {"survey": 20, "review": 20, "assessment": 20}}
    hearing = {**{f"单位{i}": 20.0 - i for i in range(1, 6)}, "乙1": 10.0}  # 乙2 has no hearing score yet
    groups = rank(scene_units, parts, hearing)["groups"]
    assert [g["group"] for g in groups] == ["甲组", "乙组"]
    first = groups[0]["units"][0]
    assert first == {"unit": "单位1", "survey": 99, "review": 90.0, "hearing": 19.0, "assessment": 80.0,
                     "composite": round(99 * .4 + 90 * .2 + 19 * 5 * .2 + 80 * .2, 2), "rank": 1, "satisfactory": True}
    b = groups[1]["units"]
    assert [(u["unit"], u["rank"], u["composite"], u["satisfactory"]) for u in b] == [
        ("乙1", 1, 18.0, False), ("乙2", None, None, False)]  # 10×.8 + hearing 10→50 ×.2; 40% of 1 unit rounds to 0


def test_a_tie_on_the_boundary_is_satisfactory_together():
    parts = {f"单位{i}": {"survey": 90 if i <= 3 else 50, "review": 0, "assessment": 0} for i in range(1, 6)}
    group = rank(units(5), parts, {f"单位{i}": 10.0 for i in range(1, 6)})["groups"][0]["units"]
    assert [u["rank"] for u in group] == [1, 1, 1, 4, 4]
    assert [u["satisfactory"] for u in group] == [True, True, True, False, False]


SCENE_UNITS = [{"name": u.name, "short": u.short} for u in HEARING.units]


def test_scores_csv_with_english_or_chinese_headers():
    english = "unit,survey,review,assessment\n县公安局,91.5,88,90\n县司法局,80,70,60\n".encode()
    assert parse_scores(english, SCENE_UNITS) == {"县公安局": {"survey": 91.5, "review": 88.0, "assessment": 90.0},
                                                   "县司法局": {"survey": 80.0, "review": 70.0, "assessment": 60.0}}
    chinese = "\ufeff单位,工作考核,满意度测评,政风建设年\r\n县公安局,90,91.5,88\r\n".encode()  # any column order, a BOM
    assert parse_scores(chinese, SCENE_UNITS) == {"县公安局": {"survey": 91.5, "review": 88.0, "assessment": 90.0}}
    assert parse_scores("单位,满意度测评,政风建设年,工作考核\n县公安局,1,2,3\n".encode("gbk"), SCENE_UNITS)


@pytest.mark.parametrize("body, row", [
    ("unit,survey,review,assessment\n县公安局,90,80,70\n县司法局,九十,80,70\n", "row 3"),
    ("unit,survey,review,assessment\n县公安局,90,80,70\n不存在的局,90,80,70\n", "row 3"),
    ("unit,survey,review,assessment\n县公安局,90,80,70\n县公安局,91,80,70\n", "row 3"),
    ("unit,survey,review,assessment\n县公安局,90,,70\n", "row 2"),
    ("unit,survey,review,assessment\n县公安局,-1,80,70\n", "row 2"),
    # every part is on a 100-point scale (the composite weighs them as such): 900 is a typo
    ("unit,survey,review,assessment\n县公安局,90,80,70\n县司法局,90,900,70\n", "row 3"),
    ("unit,survey,review,assessment\n县公安局,100.5,80,70\n", "row 2"),
    ("unit,survey,review\n县公安局,90,80\n", "row 1"),
])
def test_a_bad_row_refuses_the_whole_file_naming_the_row(body, row):
    with pytest.raises(DomainError) as refused:
        parse_scores(body.encode(), SCENE_UNITS)
    assert refused.value.code == "bad_import" and row in refused.value.message
    assert "nothing was imported" in refused.value.message
