"""Messages to the talent: message.set / message.clear in the Show, cleaned like every operator text."""

import pytest

from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.message import MESSAGE_LIMIT, PRESETS
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import CONTROL_ACTIONS, Show
from wenzheng_studio.paths import scenes_dir

SCENE = load_scene(scenes_dir() / "baixing-wenzheng.toml")
NOW = 1_800_000_000.0


def test_set_and_clear_in_both_states():
    show = Show(SCENE)
    assert show.state(NOW)["message"] is None
    change = show.control({"action": "message.set", "text": "  请抓紧时间 "}, NOW)
    assert change.show and change.event["text"] == "  请抓紧时间 "  # the audit keeps what was sent
    for operator in (False, True):
        assert show.state(NOW + 1, operator=operator)["message"] == {"text": "请抓紧时间", "at": NOW}
    show.control({"action": "message.set", "text": "请结束发言"}, NOW + 2)
    assert show.state(NOW + 3)["message"] == {"text": "请结束发言", "at": NOW + 2}
    show.control({"action": "message.clear"}, NOW + 4)
    assert show.state(NOW + 5)["message"] is None
    show.control({"action": "message.clear"}, NOW + 6)  # clearing nothing is harmless
    assert {"message.set", "message.clear"} <= set(CONTROL_ACTIONS)


@pytest.mark.parametrize("text", [None, "", "   ", 42, ["请"], "x" * (MESSAGE_LIMIT + 1), "a\ud800b",
                                  "请\n结束", "请\x07结束", "\u2028",
                                  "请看\u202e镜头abc", "\u2067请\u2069", "\u200b", " \u200b\u200d\u3000 "])
def test_bad_text_is_refused_and_changes_nothing(text):
    show = Show(SCENE)
    show.control({"action": "message.set", "text": "还有一分钟"}, NOW)
    with pytest.raises(DomainError) as refused:
        show.control({"action": "message.set", "text": text}, NOW + 1)
    assert refused.value.code == "invalid" and refused.value.status == 400
    assert show.state(NOW + 2)["message"] == {"text": "还有一分钟", "at": NOW}


def test_the_presets_are_valid_messages():
    show = Show(SCENE)
    for text in PRESETS:
        show.control({"action": "message.set", "text": text}, NOW)
        assert show.state(NOW)["message"]["text"] == text
    assert len(set(PRESETS)) == 5 and "请抓紧时间" in PRESETS and "请结束发言" in PRESETS


def test_the_next_speaker_or_segment_takes_the_message_down():
    show = Show(SCENE)
    show.control({"action": "speaker.next"}, NOW)
    show.control({"action": "message.set", "text": "请结束发言"}, NOW + 1)
    show.control({"action": "timer.add", "seconds": 10}, NOW + 2)  # other commands leave it up
    assert show.state(NOW + 3)["message"]["text"] == "请结束发言"
    show.control({"action": "speaker.next"}, NOW + 4)  # meant for the one before
    assert show.state(NOW + 5)["message"] is None
    show.control({"action": "message.set", "text": "请看镜头"}, NOW + 6)
    show.control({"action": "segment.next"}, NOW + 7)
    assert show.state(NOW + 8)["message"] is None


def test_kept_in_the_meta_restored_and_put_back():
    show = Show(SCENE)
    show.control({"action": "message.set", "text": "请大声一点"}, NOW)
    meta = show.meta()
    again = Show(SCENE)
    again.restore(meta, [], [], [])
    assert again.state(NOW + 1)["message"] == {"text": "请大声一点", "at": NOW}
    show.control({"action": "message.clear"}, NOW + 2)
    show.revert_to(meta, [], [])  # the clear's write failed: back to what is stored
    assert show.state(NOW + 3)["message"] == {"text": "请大声一点", "at": NOW}
    old = Show(SCENE)
    old.restore({k: v for k, v in meta.items() if k != "message"}, [], [], [])  # a database from before
    assert old.state(NOW)["message"] is None
    old.restore({**meta, "message": {"text": 3}}, [], [], [])
    assert old.state(NOW)["message"] is None
