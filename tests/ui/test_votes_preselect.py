"""F5 in a hearing slot creates the segment's poll for its unit: the panel preselects it."""

from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.paths import scenes_dir
from wenzheng_studio.ui.control_room.i18n import Translator
from wenzheng_studio.ui.control_room.votes_panel import VotesPanel


class _Bridge:
    def control(self, *a, **k):
        pass

    def request(self, *a, **k):
        pass


def test_a_hearing_slot_preselects_its_units_rating4_poll(qtbot):
    scene = load_scene(scenes_dir() / "pingyi-hearing.toml")
    panel = VotesPanel(Translator("zh"), _Bridge(), lambda text: True)
    qtbot.addWidget(panel)
    panel.set_scene(scene.to_dict())
    slot = next(s for s in scene.segments if s.poll_kind == "rating4" and s.speakers)
    unit = slot.speakers[0].unit
    panel.on_state({"segment": {"index": 3, "key": slot.key, "poll_kind": "rating4", "unit": unit,
                                "poll_title": slot.poll_title}, "poll": None})
    chosen = panel.presets[panel.preset.currentIndex()]
    assert (chosen["kind"], chosen["unit"]) == ("rating4", unit)
    assert panel.title.text() == (slot.poll_title or chosen["title"])
    # The same segment again does not undo what the director chose by hand.
    panel.preset.setCurrentIndex(len(panel.presets) - 1)
    panel.on_state({"segment": {"index": 3, "key": slot.key, "poll_kind": "rating4", "unit": unit}, "poll": None})
    assert panel.presets[panel.preset.currentIndex()]["kind"] == "yesno"
    panel.deleteLater()


def test_a_room_opened_mid_hearing_preselects_the_slot_on_air(qtbot):
    """The state (a hearing slot on air) reaches a freshly opened control room before the
    scene: building the presets then chose 满意度 · the first unit, so F5 made the wrong poll."""
    scene = load_scene(scenes_dir() / "pingyi-hearing.toml")
    panel = VotesPanel(Translator("zh"), _Bridge(), lambda text: True)
    qtbot.addWidget(panel)
    slot = [s for s in scene.segments if s.poll_kind == "rating4" and s.speakers][3]
    unit = slot.speakers[0].unit
    panel.on_state({"segment": {"index": 5, "key": slot.key, "poll_kind": "rating4", "unit": unit,
                                "poll_title": slot.poll_title}, "poll": None})
    panel.set_scene(scene.to_dict())
    chosen = panel.presets[panel.preset.currentIndex()]
    assert (chosen["kind"], chosen["unit"]) == ("rating4", unit)
    assert panel.title.text() == (slot.poll_title or chosen["title"])
    panel.deleteLater()


def test_f5_for_a_unit_already_scored_asks_before_replacing_its_score(qtbot, engine_process):
    """The engine answers 409 already_scored; the panel asks 是/否 and only 是 sends replace."""
    from wenzheng_studio.ui.bridge import EngineBridge

    ep = engine_process
    ep.stop()
    ep.extra = ("--scene", str(scenes_dir() / "pingyi-hearing.toml"))
    ep.start()
    scene = ep.api("GET", "/api/scene")
    unit = scene["units"][0]["name"]
    first = ep.api("POST", "/api/polls", {"title": "测评", "kind": "rating4", "unit": unit})["id"]
    ep.api("POST", f"/api/polls/{first}/open", {})
    ep.api("POST", f"/api/polls/{first}/close", {})

    bridge = EngineBridge(ep.url, ep.token)
    bridge.start()
    asked, answers, refusals = [], [False, True], []
    bridge.commandFailed.connect(refusals.append)
    panel = VotesPanel(Translator("zh"), bridge, lambda text: (asked.append(text), answers.pop(0))[1])
    qtbot.addWidget(panel)
    try:
        panel.set_scene(scene)
        panel.preset.setCurrentIndex(next(i for i, p in enumerate(panel.presets)
                                          if p["kind"] == "rating4" and p["unit"] == unit))
        panel.create_poll()  # 否: nothing is created
        qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
        assert unit in asked[0] and "取代" in asked[0]
        qtbot.wait(300)
        assert [p["id"] for p in ep.api("GET", "/api/polls")["polls"]] == [first]
        panel.create_poll()  # 是: created on purpose, and the history says so
        qtbot.waitUntil(lambda: len(ep.api("GET", "/api/polls")["polls"]) == 2, timeout=5000)
        assert len(asked) == 2 and refusals == []
        qtbot.waitUntil(lambda: bool(panel.poll) and panel.poll.get("id") != first, timeout=5000)
    finally:
        bridge.stop()
        panel.deleteLater()
