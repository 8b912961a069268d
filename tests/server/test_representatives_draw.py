"""评议代表库 end to end: the pool imported whole or not at all (and the engine still works after
every bad file), quotas refused, the draw reproduced from its seed in another process, an
explicit re-draw with every draw on record, seat cards with names for the drawn, the CSV
list, kill -9, and a write that fails changes nothing."""

import asyncio
import csv
import io
import json
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from live_engine import ADMIN

from wenzheng_studio.core.clock import FakeClock
from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.paths import scenes_dir
from wenzheng_studio.server.engine import Engine
from wenzheng_studio.store import Store

from faulty_store import BreakableStore

SECTORS = ("人大代表", "政协委员", "市民代表", "企业代表")
QUOTAS = {"人大代表": 3, "政协委员": 3, "市民代表": 8, "企业代表": 2}


def pool_csv(per_sector=10, extra=()) -> bytes:
    rows = ["姓名,界别,手机,备注"]
    rows += [f"{s[:2]}{i:02d}号,{s},139{j:04d}{i:04d},第{i}号" for j, s in enumerate(SECTORS) for i in range(per_sector)]
    return ("\n".join([*rows, *extra]) + "\n").encode("utf-8")


def upload(url: str, path: str, data: bytes, token: str | None = ADMIN, content_type: str = "text/csv"):
    req = urllib.request.Request(url + path, data=data, method="POST", headers={"Content-Type": content_type})
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize("bad, says", [
    (pool_csv(extra=[",市民代表,,"]), "row 42: the name is empty"),
    (pool_csv(extra=["某人,宇航员,,"]), "row 42: '宇航员' is not a sector"),
    (pool_csv(extra=["某人,,,"]), "row 42: the sector (界别) is empty"),
    (pool_csv(extra=["人大00号,人大代表,13900000000,"]), "row 42: 人大00号 appears twice (first in row 2)"),
    (pool_csv() + "赵某,市民代表\n".encode("gbk"), "row 42: is not UTF-8"),
    (pool_csv() + b"\xed\xa0\x80,\xe5\xb8\x82\n", "row 42: is not UTF-8"),
    (b"PK\x03\x04 not really a workbook", "the XLSX file cannot be read"),
])
def test_a_bad_pool_is_refused_by_row_nothing_is_imported_and_the_engine_still_works(single_live, bad, says):
    live = single_live
    assert upload(live.url, "/api/representatives", pool_csv(4))[0] == 201
    before = live.api("/api/representatives")[1]
    status, reply = upload(live.url, "/api/representatives", bad)
    assert status == 400 and reply["error"] == "bad_import" and says in reply["message"], reply
    assert reply["message"].endswith("nothing was imported")
    assert live.api("/api/representatives")[1] == before  # the earlier pool, untouched
    live.prove_alive()


def test_draw_refusals_name_the_problem_and_change_nothing(single_live):
    live = single_live
    status, reply = live.api("/api/representatives/draw", "POST", {"quotas": QUOTAS})
    assert status == 409 and reply["error"] == "no_pool"
    upload(live.url, "/api/representatives", pool_csv(5))
    for body, code, says in [
        ({"quotas": {"市民代表": 6}}, "bad_quota", "市民代表: the quota is 6 but the pool has only 5"),
        ({"quotas": {"媒体代表": 1}}, "bad_quota", "媒体代表: the pool has no one of this sector"),
        ({"quotas": {"市民代表": 0}}, "bad_quota", "at least 1"),
        ({"quotas": {}}, "invalid", "quotas"),
        ({"quotas": {"市民代表": 1}, "seed": ""}, "invalid", "seed"),
        ({"quotas": {"市民代表": 1}, "seed": "\ud800"}, "invalid", "not valid Unicode"),
        ({"quotas": {"市民代表": 1}, "replace": "yes"}, "invalid", "replace"),
        ({"quotas": {"市民代表": 1}, "colour": 1}, "invalid", "body must be"),
    ]:
        status, reply = live.api("/api/representatives/draw", "POST", body)
        assert status == 400 and reply["error"] == code and says in reply["message"], (body, reply)
        assert live.api("/api/representatives/draw")[1] == {"current": None, "draws": []}
        live.prove_alive()


def test_draw_replace_seats_and_list_and_the_same_draw_from_the_seed_in_another_process(single_live, tmp_path):
    live = single_live
    status, pool = upload(live.url, "/api/representatives", pool_csv(10))
    assert status == 201 and pool["size"] == 40 and pool["by_sector"]["市民代表"] == 10 and "people" not in pool
    status, first = live.api("/api/representatives/draw", "POST", {"quotas": QUOTAS})
    assert status == 201 and first["seed_source"] == "generated" and len(first["seed"]) == 12
    assert [p["sector"] for p in first["drawn"]] == sorted(p["sector"] for p in first["drawn"])
    assert sum(1 for p in first["drawn"] if p["sector"] == "市民代表") == 8 and len(first["drawn"]) == 16
    status, again = live.api("/api/representatives/draw", "POST", {"quotas": QUOTAS, "seed": "公证处-20261201"})
    assert status == 409 and again["error"] == "already_drawn"  # a re-draw only when asked for
    status, second = live.api("/api/representatives/draw", "POST",
                              {"quotas": QUOTAS, "seed": "公证处-20261201", "replace": True})
    assert status == 201 and second["id"] == 2 and second["replaces"] == 1 and second["seed_source"] == "given"
    record = live.api("/api/representatives/draw")[1]
    assert [d["id"] for d in record["draws"]] == [1, 2] and record["current"]["id"] == 2
    assert record["draws"][0]["replaced_by"] == 2 and record["draws"][0]["seed"] == first["seed"]
    assert record["current"]["actor"]["role"] == "director" and record["current"]["at"] > 0

    # Anyone with the pool file, the quotas and the seed gets the same names, in a process of its own.
    (tmp_path / "pool.csv").write_bytes(pool_csv(10))
    script = ("import json,sys\nfrom wenzheng_studio.core.representatives import parse_pool\n"
              "from wenzheng_studio.core.draw import draw\n"
              "pool = parse_pool(open(sys.argv[1], 'rb').read())\n"
              "print(json.dumps(draw(pool, json.loads(sys.argv[2]), sys.argv[3]), ensure_ascii=False))\n")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "pool.csv"), json.dumps(QUOTAS),
                          "公证处-20261201"], capture_output=True, check=True)
    assert json.loads(out.stdout) == second["drawn"]

    # Seat cards for the drawn: numbered seats with their names; asking again gives the same cards.
    status, cards = live.api("/api/representatives/seats", "POST", {})
    assert status == 201 and cards["draw"] == 2 and len(cards["seats"]) == 16
    assert [c["name"] for c in cards["seats"]] == [p["name"] for p in second["drawn"]]
    assert [c["seat"] for c in cards["seats"]] == [f"main-{i:03d}" for i in range(1, 17)]
    assert all(c["url"].endswith(f"/vote?seat={c['seat']}&key={c['key']}") for c in cards["seats"])
    status, same = live.api("/api/representatives/seats", "POST", {})
    assert status == 200 and same["seats"] == cards["seats"]
    more = live.api("/api/seats", "POST", {"venue": "main", "count": 2})[1]["seats"]
    assert [s["seat"] for s in more] == ["main-017", "main-018"]  # plain seats never reuse a drawn one's number
    status, reply = live.api("/api/representatives/draw", "POST", {"quotas": QUOTAS, "replace": True})
    assert status == 409 and reply["error"] == "seats_issued"
    assert upload(live.url, "/api/representatives", pool_csv(6))[1]["error"] == "seats_issued"
    # A drawn seat's card signs in and votes like any seat card.
    seat = cards["seats"][0]
    import socketio
    poll = live.api("/api/polls", "POST", {"title": "请评分", "kind": "rating4"})[1]["id"]
    live.api(f"/api/polls/{poll}/open", "POST", {})
    phone = socketio.Client(reconnection=False)
    phone.connect(live.url, auth={"seat": seat["seat"], "key": seat["key"]}, transports=["websocket"],
                  namespaces=["/audience"], wait_timeout=10)
    try:
        assert phone.call("vote", {"poll": poll, "choice": "good"}, namespace="/audience", timeout=10) == {"ok": True}
    finally:
        phone.disconnect()

    # The list: CSV with sector, order, name, seat, ticket.
    req = urllib.request.Request(live.url + "/api/representatives/draw.csv", headers={"Authorization": f"Bearer {ADMIN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        rows = list(csv.reader(io.StringIO(r.read().decode("utf-8-sig"))))
    assert rows[0] == ["界别", "序号", "姓名", "座位号", "签号"] and len(rows) == 17
    assert [(r[2], r[3]) for r in rows[1:]] == [(c["name"], c["seat"]) for c in cards["seats"]]
    live.prove_alive()


def test_seat_cards_are_refused_for_a_draw_whose_pool_was_replaced(single_live):
    live = single_live
    upload(live.url, "/api/representatives", pool_csv(5))
    live.api("/api/representatives/draw", "POST", {"quotas": {"市民代表": 2}, "seed": "1"})
    assert upload(live.url, "/api/representatives", pool_csv(6))[0] == 201
    status, reply = live.api("/api/representatives/seats", "POST", {})
    assert status == 409 and reply["error"] == "stale_draw"
    plain = live.api("/api/seats", "POST", {"venue": "main", "count": 1})[1]["seats"]
    assert [s["seat"] for s in plain] == ["main-001"]  # nothing was issued by the refused call
    live.api("/api/representatives/draw", "POST", {"quotas": {"市民代表": 2}, "seed": "1", "replace": True})
    status, cards = live.api("/api/representatives/seats", "POST", {})
    assert status == 201 and [c["seat"] for c in cards["seats"]] == ["main-002", "main-003"]
    live.prove_alive()


def test_an_observer_reads_the_draw_with_phones_masked_but_may_not_draw(single_live):
    live = single_live
    upload(live.url, "/api/representatives", pool_csv(5))
    live.api("/api/representatives/draw", "POST", {"quotas": {"市民代表": 2}, "seed": "1"})
    token = live.api("/api/operators", "POST", {"name": "公证员", "role": "observer"})[1]["token"]
    status, seen = live.api("/api/representatives/draw", token=token)
    assert status == 200 and all("*" in p["phone"] for p in seen["current"]["drawn"])
    assert upload(live.url, "/api/representatives", pool_csv(5), token=token)[0] == 403
    assert live.api("/api/representatives", token=token)[0] == 403
    assert live.api("/api/representatives/draw", "POST", {"quotas": {"市民代表": 1}, "replace": True},
                    token=token)[1]["error"] == "forbidden"
    assert live.api("/api/representatives/draw")[1]["current"]["id"] == 1


def test_the_pool_and_draw_survive_kill_9(engine_process):
    ep = engine_process
    req = urllib.request.Request(ep.url + "/api/representatives", data=pool_csv(5), method="POST",
                                 headers={"Authorization": f"Bearer {ep.token}", "Content-Type": "text/csv"})
    urllib.request.urlopen(req, timeout=10).read()
    drawn = ep.api("POST", "/api/representatives/draw", {"quotas": {"市民代表": 3, "人大代表": 2}, "seed": "99"})
    cards = ep.api("POST", "/api/representatives/seats", {})
    ep.kill()
    ep.start()
    after = ep.api("GET", "/api/representatives/draw")["current"]
    assert after["seed"] == "99" and [p["name"] for p in after["drawn"]] == [p["name"] for p in drawn["drawn"]]
    assert [p["seat"] for p in after["drawn"]] == [c["seat"] for c in cards["seats"]]
    assert ep.api("GET", "/api/representatives")["size"] == 20
    assert ep.api("POST", "/api/representatives/seats", {})["seats"] == cards["seats"]  # the same keys




def test_a_failed_write_changes_nothing_in_memory_and_a_restart_reads_what_was_stored(tmp_path):
    scene = load_scene(scenes_dir() / "pingyi-hearing.toml")

    async def run():
        engine = Engine(scene, BreakableStore(tmp_path / "show.db"), FakeClock())
        engine.recover()
        await engine.start()
        desk = engine.representatives
        await desk.import_pool(pool_csv(5))
        engine.store.broken = True
        for attempt in (desk.import_pool(pool_csv(8)), desk.draw({"quotas": {"市民代表": 2}})):
            with pytest.raises(DomainError) as failed:
                await attempt
            assert failed.value.code == "unavailable"
        assert len(desk.pool) == 20 and desk.draws == ()
        engine.store.broken = False
        await desk.draw({"quotas": {"市民代表": 2}, "seed": "s"})
        engine.store.broken = True
        with pytest.raises(DomainError):
            await desk.issue_seats({})
        assert engine.seats == {} and desk.current["seats"] is None
        engine.store.broken = False
        await engine.stop()
        again = Engine(scene, Store(tmp_path / "show.db"), FakeClock())
        again.recover()
        assert len(again.representatives.pool) == 20 and [d["seed"] for d in again.representatives.draws] == ["s"]
        again.store.close()

    asyncio.run(run())


@pytest.mark.skipif(__import__("shutil").which("redis-server") is None, reason="redis-server is not installed")
def test_a_secondary_sends_the_director_to_the_primary_and_the_drawn_cards_vote_through_it(tmp_path):
    from live_engine import live_secondary

    with live_secondary(tmp_path) as secondary:
        status, reply = upload(secondary.url, "/api/representatives", pool_csv(3))
        assert status == 409 and reply["error"] == "primary_only"
        assert secondary.api("/api/representatives/draw")[1]["error"] == "primary_only"
        primary = secondary.primary
        upload(primary.url, "/api/representatives", pool_csv(3))
        primary.api("/api/representatives/draw", "POST", {"quotas": {"市民代表": 2}})
        seat = primary.api("/api/representatives/seats", "POST", {})[1]["seats"][0]
        poll = primary.api("/api/polls", "POST", {"title": "评分", "kind": "rating4"})[1]["id"]
        primary.api(f"/api/polls/{poll}/open", "POST", {})
        import socketio
        import time
        phone = socketio.Client(reconnection=False)
        deadline = time.monotonic() + 10
        while True:  # the seat reaches the secondary through the mirror
            try:
                phone.connect(secondary.url, auth={"seat": seat["seat"], "key": seat["key"]}, transports=["websocket"],
                              namespaces=["/audience"], wait_timeout=10)
                break
            except socketio.exceptions.ConnectionError:
                assert time.monotonic() < deadline, "the drawn seat never reached the secondary"
                time.sleep(0.2)
        try:
            ack = phone.call("vote", {"poll": poll, "choice": "good"}, namespace="/audience", timeout=10)
        finally:
            phone.disconnect()
        assert ack == {"ok": True}
        secondary.prove_alive()


def test_a_name_that_looks_like_a_formula_is_defused_in_the_csv_list(single_live):
    live = single_live
    data = "姓名,界别\n=HYPERLINK(\"http://x\"),市民代表\n@SUM(A1),市民代表\n".encode()
    assert upload(live.url, "/api/representatives", data)[0] == 201
    live.api("/api/representatives/draw", "POST", {"quotas": {"市民代表": 2}, "seed": "1"})
    req = urllib.request.Request(live.url + "/api/representatives/draw.csv", headers={"Authorization": f"Bearer {ADMIN}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        rows = list(csv.reader(io.StringIO(r.read().decode("utf-8-sig"))))
    names = {row[2] for row in rows[1:]}
    assert names == {"'=HYPERLINK(\"http://x\")", "'@SUM(A1)"}, names
