"""The ranking board's cue through a real engine process: revealed by the director, pushed to the
/overlay namespace, kept across kill -9 and a restart, refused for a bad group or a role that may
not reveal it (the graphics operator may take it off air)."""

import json
import time
import urllib.error
import urllib.request

import socketio

from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.paths import scenes_dir

SCENE_PATH = scenes_dir() / "pingyi-hearing.toml"
GROUP = "执法监督组"
UNITS = [u.name for u in load_scene(SCENE_PATH).units if u.group == GROUP]


def call(url: str, path: str, body=None, token: str | None = None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    headers = {"Content-Type": "text/csv" if raw is not None else "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url + path, data=data, method="POST" if data is not None else "GET", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def overlay_state(url: str) -> dict:
    """The state a fresh /overlay view gets first (no token: the public state)."""
    got: list[dict] = []
    view = socketio.Client(reconnection=False)
    view.on("state", lambda s: got.append(s), namespace="/overlay")
    view.connect(url, transports=["websocket"], namespaces=["/overlay"], wait_timeout=10)
    try:
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        view.disconnect()
    assert got, "no state pushed to /overlay"
    return got[0]


def test_the_board_cue_is_persisted_pushed_and_guarded(engine_process, tmp_path):
    ep = engine_process  # restarted on the hearing scene, with a database of its own
    ep.kill()
    ep.db, ep.extra = tmp_path / "hearing.db", ("--scene", str(SCENE_PATH))
    url = ep.start()
    token = ep.token
    try:
        csv = "unit,survey,review,assessment\n" + "".join(f"{u},{90 - i},80,70\n" for i, u in enumerate(UNITS))
        assert call(url, "/api/scores", token=token, raw=csv.encode())[0] == 200
        seat = call(url, "/api/seats", {"venue": "main", "count": 1}, token)[1]["seats"][0]
        pid = call(url, "/api/polls", {"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局"}, token)[1]["id"]
        call(url, f"/api/polls/{pid}/open", {}, token)
        phone = socketio.Client(reconnection=False)
        phone.connect(url, auth={"seat": seat["seat"], "key": seat["key"]}, transports=["websocket"],
                      namespaces=["/audience"], wait_timeout=10)
        try:
            assert phone.call("vote", {"poll": pid, "choice": "good"}, namespace="/audience", timeout=10) == {"ok": True}
        finally:
            phone.disconnect()
        call(url, f"/api/polls/{pid}/close", {}, token)

        graphics = call(url, "/api/operators", {"name": "图文甲", "role": "graphics"}, token)[1]["token"]
        status, refused = call(url, "/api/control", {"action": "ranking.show", "group": GROUP}, graphics)
        assert (status, refused["error"]) == (403, "forbidden")
        status, refused = call(url, "/api/control", {"action": "ranking.show", "group": "不存在的组"}, token)
        assert (status, refused["error"]) == (400, "invalid") and GROUP in refused["message"]
        status, refused = call(url, "/api/control", {"action": "ranking.show", "group": "综合管理组"}, token)
        assert (status, refused["error"]) == (409, "no_ranking"), "no unit of that group has a composite"
        assert overlay_state(url)["ranking_board"] is None, "refusals put nothing on air"

        status, state = call(url, "/api/control", {"action": "ranking.show", "group": GROUP}, token)
        assert status == 200 and state["ranking_board"]["group"] == GROUP
        board = overlay_state(url)["ranking_board"]
        assert board["units"][0] == {"rank": 1, "unit": "县公安局", "hearing": 20.0,
                                     "composite": round((90 - UNITS.index("县公安局")) * .4 + 80 * .2 + 100 * .2 + 70 * .2, 2),
                                     "satisfactory": False}
        assert [u["unit"] for u in board["units"]][1:] == [u for u in UNITS if u != "县公安局"]

        ep.kill()  # kill -9: the cue was acknowledged, so it is on disk
        url = ep.start()
        assert overlay_state(url)["ranking_board"]["group"] == GROUP, "the board survives kill -9 and a restart"
        status, state = call(url, "/api/control", {"action": "ranking.hide"}, graphics)
        assert status == 200 and state["ranking_board"] is None, "the graphics operator may take it off air"
        assert ep.stop() == 0
        url = ep.start()
        assert overlay_state(url)["ranking_board"] is None
    finally:
        ep.kill()


def test_a_cue_whose_write_fails_is_not_on_air(tmp_path):
    """Memory and disk never disagree: a ranking.show the store could not keep answers 503 and puts
    nothing on air; sent again once the disk is back, it is."""
    import asyncio

    import pytest

    from wenzheng_studio.core.clock import FakeClock
    from wenzheng_studio.core.errors import DomainError
    from wenzheng_studio.server.engine import Engine
    from wenzheng_studio.store import Store

    from faulty_store import BreakableStore

    async def run():
        engine = Engine(load_scene(SCENE_PATH), BreakableStore(tmp_path / "show.db"), FakeClock())
        engine.recover()
        await engine.start()
        csv = "unit,survey,review,assessment\n" + "".join(f"{u},80,80,80\n" for u in UNITS)
        await engine.import_scores(csv.encode())
        poll = await engine.create_poll({"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局", "attending": 4})
        await engine.poll_action(poll.id, "open")
        await engine.poll_action(poll.id, "close")
        engine.store.broken = True
        with pytest.raises(DomainError) as failed:
            await engine.control({"action": "ranking.show", "group": GROUP})
        assert failed.value.code == "unavailable"
        assert engine.state()["ranking_board"] is None and engine.show.ranking_group is None
        engine.store.broken = False
        state = await engine.control({"action": "ranking.show", "group": GROUP})
        assert state["ranking_board"]["units"][0]["unit"] == "县公安局"
        await engine.stop()
        again = Engine(load_scene(SCENE_PATH), Store(tmp_path / "show.db"), FakeClock())
        again.recover()
        assert again.state()["ranking_board"]["group"] == GROUP
        again.store.close()

    asyncio.run(run())
