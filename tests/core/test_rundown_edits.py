"""The running order edited live (issue #13): every edit, its refusals, and what it keeps."""

import pytest

from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import Show
from wenzheng_studio.paths import scenes_dir

SCENE = load_scene(scenes_dir() / "baixing-wenzheng.toml")
T0 = 1_800_000_000.0


def live_at(index: int, elapsed: float = 100.0) -> Show:
    show = Show(SCENE)
    show.control({"action": "segment.goto", "index": 0}, T0)
    if index:
        show.control({"action": "segment.goto", "index": index}, T0 + 50)
    return show


def keys(show: Show) -> list[str]:
    return [s.key for s in show.scene.segments]


def test_insert_before_the_segment_on_air_keeps_it_on_air_with_its_time():
    show = live_at(3)  # 我要问政, entered at T0+50
    before = show.state(T0 + 150)
    show.control({"action": "segment.insert", "at": 1, "segment": {"title": "临时连线", "planned_s": 120}}, T0 + 150)
    state = show.state(T0 + 150)
    assert state["segment"]["key"] == "questions" and state["segment"]["index"] == 4
    assert state["segment"]["elapsed_s"] == before["segment"]["elapsed_s"] == 100
    assert state["running_order"][1]["title"] == "临时连线" and state["running_order"][1]["actual_s"] == 0
    assert state["running_order"][0]["actual_s"] == 50, "a past segment's actual time never changes"
    assert state["show"]["planned_s"] == before["show"]["planned_s"] + 120
    # Inserted behind the segment on air: nothing more to air, but 2:00 more planned (so 2:00 more "under").
    assert state["show"]["remaining_s"] == before["show"]["remaining_s"]
    assert state["show"]["over_under_s"] == before["show"]["over_under_s"] - 120
    assert keys(show)[1] == "seg-10"
    show.control({"action": "segment.insert", "at": 5, "segment": {"title": "追加", "planned_s": 60}}, T0 + 150)
    assert show.state(T0 + 150)["show"]["remaining_s"] == before["show"]["remaining_s"] + 60


def test_update_retimes_and_renames_the_segment_on_air():
    show = live_at(3)
    show.control({"action": "segment.update", "index": 3, "planned_s": 20 * 60, "title": "我要问政（压缩）"}, T0 + 150)
    state = show.state(T0 + 150)
    assert state["segment"]["title"] == "我要问政（压缩）" and state["segment"]["planned_s"] == 1200
    assert state["segment"]["elapsed_s"] == 100 and state["segment"]["remaining_s"] == 1100
    assert state["show"]["planned_s"] == SCENE.planned_s - 120
    show.control({"action": "segment.update", "index": 5, "planned": "4:30", "timer": "comment"}, T0 + 151)
    assert show.scene.segments[5].planned_s == 270 and show.scene.segments[5].timer.seconds == 120
    show.control({"action": "segment.update", "index": 6, "obs_scene": "室外机位"}, T0 + 152)
    assert show.scene.segments[6].obs_scene == "室外机位" and show.scene.segments[6].kind == "remote"
    show.control({"action": "segment.update", "index": 6, "obs_mute": "室外话筒"}, T0 + 153)
    assert show.scene.segments[6].obs_mute == "室外话筒" and show.scene.segments[6].obs_scene == "室外机位"
    with pytest.raises(DomainError, match="obs_mute"):
        show.control({"action": "segment.update", "index": 6, "obs_mute": "x" * 101}, T0 + 154)
    assert show.scene.segments[6].obs_mute == "室外话筒"


@pytest.mark.parametrize("body, words", [
    ({"action": "segment.update", "index": 2, "planned": "ten"}, "segments[2].planned: must be a duration"),
    ({"action": "segment.update", "index": 2, "timer": "nope"}, "names preset 'nope'"),
    ({"action": "segment.update", "index": 2, "kind": "dance"}, "segments[2].kind: must be one of"),
    ({"action": "segment.update", "index": 99, "title": "x"}, "index must be a whole number from 0 to 8"),
    ({"action": "segment.insert", "at": 0, "segment": {"planned_s": 60}}, "segments[0].title: is missing"),
    ({"action": "segment.insert", "at": 0, "segment": {"title": "x", "planned_s": 60, "key": "pledge"}},
     "used by another segment"),
    ({"action": "speaker.insert", "speaker": {"title": "局长"}}, "speaker.name: is missing"),
])
def test_a_bad_edit_is_refused_with_the_loaders_words_and_changes_nothing(body, words):
    show = live_at(3)
    before = (show.meta(), show.state(T0 + 150))
    with pytest.raises(DomainError) as refused:
        show.control(body, T0 + 150)
    assert refused.value.status == 400 and words in refused.value.message, refused.value.message
    assert (show.meta(), show.state(T0 + 150)) == before


def test_the_segment_on_air_and_one_that_ran_cannot_be_removed_but_a_later_one_can():
    show = live_at(3)
    with pytest.raises(DomainError) as on_air:
        show.control({"action": "segment.remove", "index": 3}, T0 + 150)
    assert (on_air.value.code, on_air.value.status) == ("on_air", 409)
    with pytest.raises(DomainError) as ran:
        show.control({"action": "segment.remove", "index": 0}, T0 + 150)
    assert ran.value.status == 409
    show.control({"action": "segment.remove", "index": 6}, T0 + 150)  # 室外现场 is cut
    assert "outdoor" not in keys(show) and show.state(T0 + 150)["segment"]["key"] == "questions"
    assert show.state(T0 + 150)["show"]["planned_s"] == SCENE.planned_s - 300


def test_move_keeps_the_segment_on_air_and_every_actual_time_with_its_segment():
    show = live_at(3)
    show.control({"action": "segment.move", "index": 6, "to": 4}, T0 + 150)  # the outdoor link comes early
    assert keys(show)[4] == "outdoor" and show.state(T0 + 150)["segment"]["key"] == "questions"
    show.control({"action": "segment.move", "index": 3, "to": 5}, T0 + 150)
    state = show.state(T0 + 150)
    assert state["segment"]["index"] == 5 and state["segment"]["key"] == "questions"
    assert state["segment"]["elapsed_s"] == 100 and state["running_order"][0]["actual_s"] == 50
    show.control({"action": "segment.next"}, T0 + 160)
    assert show.state(T0 + 160)["segment"]["key"] == keys(show)[6]


def test_speakers_edited_in_the_segment_on_air_keep_the_one_speaking_marked():
    show = live_at(3)
    show.control({"action": "speaker.goto", "index": 2}, T0 + 150)  # 张志强
    show.control({"action": "speaker.insert", "at": 0, "speaker": {"name": "周副局长", "title": "副局长",
                                                                 "unit": "市城市管理局"}}, T0 + 151)
    assert show.state(T0 + 151)["speaker"]["name"] == "张志强"
    show.control({"action": "speaker.update", "index": 0, "title": "常务副局长"}, T0 + 152)
    show.control({"action": "speaker.move", "index": 3, "to": 0}, T0 + 153)
    state = show.state(T0 + 153)
    assert state["speaker"]["name"] == "张志强" and state["speakers"][0]["name"] == "张志强"
    with pytest.raises(DomainError) as speaking:
        show.control({"action": "speaker.remove", "index": 0}, T0 + 154)
    assert speaking.value.status == 409
    show.control({"action": "speaker.remove", "index": 1}, T0 + 154)
    assert [s["name"] for s in show.state(T0 + 154)["speakers"]][:2] == ["张志强", "王建国"]
    show.control({"action": "speaker.insert", "segment": 4, "speaker": {"name": "钱教授"}}, T0 + 155)
    assert show.scene.segments[4].speakers[-1].name == "钱教授"


def test_edits_survive_a_restore_and_a_fresh_file_is_not_overridden_when_nothing_was_edited():
    show = live_at(3)
    show.control({"action": "segment.insert", "at": 4, "segment": {"title": "突发连线", "planned_s": 90,
                                                                   "kind": "remote"}}, T0 + 150)
    restored = Show(SCENE)
    restored.restore(show.meta(), [], [], [])
    assert keys(restored) == keys(show) and restored.state(T0 + 160) == show.state(T0 + 160)
    untouched = Show(SCENE)
    untouched.restore(live_at(3).meta(), [], [], [])
    assert "segments" not in live_at(3).meta()["order"] and keys(untouched) == [s.key for s in SCENE.segments]


def test_standby_edits_move_the_segment_marked_next():
    show = Show(SCENE)
    show.control({"action": "segment.insert", "at": 0, "segment": {"title": "片头", "planned_s": 30}}, T0)
    assert show.state(T0)["segment"]["title"] == "片头", "in standby the first segment is next"
    show.control({"action": "segment.next"}, T0 + 1)
    assert show.state(T0 + 1)["segment"]["title"] == "片头"
