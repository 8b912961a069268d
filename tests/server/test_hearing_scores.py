"""听证评议 end to end: a seat's link signs it in (durably, once), the score divides by the seats
signed in, the director can set `attending`; POST /api/scores imports the year's other parts
whole or not at all, GET /api/ranking ranks each group, and the report carries the ranking."""

import asyncio
import csv
import io
import time
import urllib.request

import pytest
import socketio
from live_engine import ADMIN, LiveEngine

from wenzheng_studio.core.clock import FakeClock
from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.paths import scenes_dir
from wenzheng_studio.server.engine import Engine
from wenzheng_studio.store import Store

from faulty_store import BreakableStore

SCENE_PATH = scenes_dir() / "pingyi-hearing.toml"
SCENE = load_scene(SCENE_PATH)
GROUP1 = [u.name for u in SCENE.units if u.group == "执法监督组"]




def scores_csv(units, chinese=False) -> bytes:
    head = "单位,满意度测评,政风建设年,工作考核" if chinese else "unit,survey,review,assessment"
    rows = [f"{u},{90 - i},{80},{70}" for i, u in enumerate(units)]
    return ("\n".join([head, *rows]) + "\n").encode()


def test_seat_sign_in_and_imported_scores_are_durable_and_a_failed_write_changes_nothing(tmp_path):
    async def run():
        engine = Engine(SCENE, BreakableStore(tmp_path / "show.db"), FakeClock())
        engine.recover()
        await engine.start()
        seats = await engine.issue_seats({"venue": "main", "count": 4})
        poll = await engine.create_poll({"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局"})
        await engine.poll_action(poll.id, "open")
        for seat, _ in seats[:3]:
            await engine.seat_signed_in(seat, "main")
        await engine.seat_signed_in(seats[0][0], "main")  # again: nothing more
        engine.store.broken = True
        await engine.seat_signed_in(seats[3][0], "main")  # not saved: not signed in
        assert seats[3][0] not in engine.show.signed_in
        with pytest.raises(DomainError) as failed:
            await engine.import_scores(scores_csv(GROUP1))
        assert failed.value.code == "unavailable" and engine.show.scores is None
        engine.store.broken = False
        for (seat, _), choice in zip(seats[:2], ("good", "blank")):
            assert (await engine.vote(f"s:{seat}", "studio", "main", {"poll": poll.id, "choice": choice}))["ok"]
        view = engine.poll_view(poll, operator=True)
        assert (view["attending"], view["score"]) == (3, round((20 + 10 + 10) / 3, 2))
        with pytest.raises(DomainError) as bad:
            await engine.import_scores(scores_csv(GROUP1) + "县公安局,1,2,3\n".encode())
        assert bad.value.code == "bad_import" and f"row {len(GROUP1) + 2}" in bad.value.message
        assert engine.show.scores is None, "nothing was imported"
        ranking = await engine.import_scores(scores_csv(GROUP1, chinese=True))
        assert ranking["groups"][0]["group"] == "执法监督组"
        await engine.stop()

        again = Engine(SCENE, Store(tmp_path / "show.db"), FakeClock())
        again.recover()
        assert set(again.show.signed_in) == {s for s, _ in seats[:3]}
        assert again.poll_view(again.show.polls[poll.id], operator=True)["attending"] == 3
        assert len(again.show.scores["units"]) == len(GROUP1)
        police = next(u for g in again.ranking()["groups"] for u in g["units"] if u["unit"] == "县公安局")
        assert police["hearing"] == 13.33 and police["composite"] is not None
        again.store.close()

    asyncio.run(run())


def post_file(url: str, data: bytes, token: str | None = ADMIN, content_type: str = "text/csv"):
    req = urllib.request.Request(url + "/api/scores", data=data, method="POST",
                                 headers={"Content-Type": content_type, **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            import json
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        import json
        return e.code, json.loads(e.read())


@pytest.fixture
def hearing(tmp_path):
    engine = LiveEngine(tmp_path / "show.db", scene=str(SCENE_PATH))
    yield engine
    engine.close()


def test_over_http_a_seat_link_attends_and_the_ranking_names_the_satisfactory(hearing):
    live = hearing
    seats = live.api("/api/seats", "POST", {"venue": "main", "count": 5})[1]["seats"]
    status, poll = live.api("/api/polls", "POST", {"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局"})
    assert status == 201
    pid = poll["id"]
    live.api(f"/api/polls/{pid}/open", "POST", {})
    phones = []
    try:
        for seat, choice in zip(seats, ("good", "fair", "blank", None, None)):  # two open the link, cast nothing
            phone = socketio.Client(reconnection=False)
            phone.connect(live.url, auth={"seat": seat["seat"], "key": seat["key"]}, transports=["websocket"],
                          namespaces=["/audience"], wait_timeout=10)
            phones.append(phone)
            if choice:
                assert phone.call("vote", {"poll": pid, "choice": choice}, namespace="/audience", timeout=10) == {"ok": True}
        deadline = time.monotonic() + 5
        while live.api(f"/api/polls/{pid}")[1]["attending"] != 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        for phone in phones:
            phone.disconnect()
    view = live.api(f"/api/polls/{pid}")[1]
    assert (view["ballots"], view["attending"], view["attending_source"]) == (3, 5, "signed_in")
    assert view["score"] == (20 + 15 + 10 + 10 + 10) / 5
    status, view = live.api(f"/api/polls/{pid}/attending", "POST", {"attending": 6})
    assert status == 200 and (view["attending"], view["score"]) == (6, round(75 / 6, 2))
    live.api(f"/api/polls/{pid}/close", "POST", {})

    # The year's other parts: a bad row refuses the file; then the whole group imports.
    observer = live.api("/api/operators", "POST", {"name": "观察员", "role": "observer"})[1]["token"]
    assert post_file(live.url, scores_csv(GROUP1), token=observer)[0] == 403
    status, refused = post_file(live.url, scores_csv(GROUP1[:3]) + b"\xe5\x8e\xbf\xe5\x85\xac\xe5\xae\x89,x,1,1\n")
    assert status == 400 and refused["error"] == "bad_import" and "row 5" in refused["message"]
    assert live.api("/api/ranking", token=observer)[1]["imported_at"] is None
    status, ranking = post_file(live.url, scores_csv(GROUP1))
    assert status == 200
    status, ranking = live.api("/api/ranking", token=observer)
    assert status == 200
    group = next(g for g in ranking["groups"] if g["group"] == "执法监督组")
    police = next(u for u in group["units"] if u["unit"] == "县公安局")
    assert police["hearing"] == 12.5 and police["composite"] == round(police["survey"] * .4 + 80 * .2 + 12.5 * 5 * .2 + 70 * .2, 2)
    assert [u["unit"] for u in group["units"]] == ["县公安局"] + [u for u in GROUP1 if u != "县公安局"], \
        "only the unit with a hearing score has a composite, so only it is ranked"
    assert police["rank"] == 1 and police["satisfactory"] is False, "40% of one ranked unit rounds to none"

    report = live.api("/api/report.csv")[1]
    rows = list(csv.reader(io.StringIO(report.lstrip("\ufeff"))))
    header = rows.index(["组别", "名次", "单位", "满意度测评(40%)", "政风建设年(20%)", "听证评议(20%)", "工作考核(20%)",
                         "总成绩", "群众满意单位"])
    assert rows[header + 1][:3] == ["执法监督组", "1", "县公安局"]


@pytest.mark.skipif(__import__("shutil").which("redis-server") is None, reason="redis-server is not installed")
def test_through_a_secondary_a_seat_signs_in_on_the_primary_and_scores_import(tmp_path):
    from live_engine import live_secondary

    with live_secondary(tmp_path, scene=str(SCENE_PATH)) as live:
        seat = live.api("/api/seats", "POST", {"venue": "main", "count": 1})[1]["seats"][0]
        pid = live.api("/api/polls", "POST", {"title": "请为县公安局评分", "kind": "rating4", "unit": "县公安局"})[1]["id"]
        live.api(f"/api/polls/{pid}/open", "POST", {})
        phone = socketio.Client(reconnection=False)
        phone.connect(live.url, auth={"seat": seat["seat"], "key": seat["key"]}, transports=["websocket"],
                      namespaces=["/audience"], wait_timeout=10)
        try:
            deadline = time.monotonic() + 5
            while live.api(f"/api/polls/{pid}")[1].get("attending") != 1 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            phone.disconnect()
        assert live.api(f"/api/polls/{pid}")[1]["attending"] == 1, "the mirror carries the sign-in"
        assert seat["seat"] in live.primary.server.engine.show.signed_in
        status, _ = post_file(live.url, scores_csv(GROUP1))
        assert status == 200
        assert live.primary.api("/api/ranking")[1]["imported_at"] is not None
