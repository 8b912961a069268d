"""Two engines on one Redis: one show, one ballot per voter, and Redis dying never loses an ack."""

import asyncio
import shutil
import time

import pytest

from harness import RedisServer
from phones import Phones, stored_ballots, voter_id

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
CHOICES = ("yes", "no")


@pytest.fixture
def redis_server():
    servers = []

    def start(port=None):
        servers.append(RedisServer(port))
        return servers[-1]

    yield start
    for s in servers:
        s.stop()


@pytest.fixture
def pair(engine, redis_server, tmp_path):
    redis = redis_server()
    primary = engine("--redis", redis.url, db=tmp_path / "primary.db")
    secondary = engine("--redis", redis.url, "--role", "secondary", db=tmp_path / "secondary.db")
    return redis, primary, secondary


def views(engines, poll):
    return [e.api(f"/api/polls/{poll}")[1] for e in engines]


def wait_until(check, timeout=3.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_two_engines_one_show(pair):
    redis, primary, secondary = pair
    poll = secondary.open_poll("yesno")  # a command on the secondary is done by the primary
    assert primary.api(f"/api/polls/{poll}")[1]["state"] == "open"

    async def vote_both():
        async with Phones([primary.url, secondary.url]) as phones:
            await phones.connect(200)
            first = await phones.vote_all(poll, CHOICES)
            second = await phones.vote_all(poll, CHOICES)  # the same phones again: every one a duplicate
            return first, second

    first, second = asyncio.run(vote_both())
    assert all(b.ok for b in first), {b.error for b in first if not b.ok}
    assert {b.error for b in second} == {"duplicate"}
    assert wait_until(lambda: views([primary, secondary], poll)[0]["tally"] == views([primary, secondary], poll)[1]["tally"])
    p, s = views([primary, secondary], poll)
    assert p["ballots"] == s["ballots"] == 200 and p["tally"] == s["tally"]
    assert len(stored_ballots(str(primary.db), poll)) == 200
    # One voter, two engines: a token issued by one engine, used on the other, is one ballot.
    assert primary.api("/api/control", "POST", {"action": "segment.next"})[0] == 200
    assert wait_until(lambda: secondary.api("/api/state")[1]["segment"] == primary.api("/api/state")[1]["segment"])


def test_a_phone_reconnecting_to_the_secondary_is_told_what_it_voted(pair):
    """`voted` on connect comes from the primary, which alone knows every voter."""
    import socketio

    redis, primary, secondary = pair
    poll = primary.open_poll("yesno")

    async def vote_then_move():
        async with Phones(primary.url) as phones:
            [token] = await phones.tokens(1)
            await phones.connect(1, [token])
            [ballot] = await phones.vote_all(poll, CHOICES)
            assert ballot.ok, ballot.error
        results = {}
        for name, url in (("secondary", secondary.url), ("primary", primary.url)):
            got = asyncio.get_running_loop().create_future()
            c = socketio.AsyncClient(reconnection=False)
            c.on("voted", lambda data, got=got: got.done() or got.set_result(data), namespace="/audience")
            await c.connect(url, auth={"token": token}, transports=["websocket"], namespaces=["/audience"])
            results[name] = await asyncio.wait_for(got, 5)
            await c.disconnect()
        return results

    results = asyncio.run(vote_then_move())
    assert results["secondary"] == results["primary"]
    assert results["secondary"]["polls"] == [poll] and results["secondary"]["group"] == "remote"


def test_only_one_primary_per_redis(pair, engine, tmp_path):
    redis, primary, secondary = pair
    with pytest.raises(RuntimeError, match="another primary"):
        engine("--redis", redis.url, db=tmp_path / "other.db")


def test_secondary_without_a_primary_refuses_to_start(engine, redis_server, tmp_path):
    redis = redis_server()
    with pytest.raises(RuntimeError, match="start the primary first"):
        engine("--redis", redis.url, "--role", "secondary", db=tmp_path / "s.db")


def test_redis_dies_mid_burst_nothing_acked_is_lost(pair):
    redis, primary, secondary = pair
    poll = primary.open_poll("yesno")

    async def burst():
        async with Phones([primary.url, secondary.url]) as phones:
            await phones.connect(300)
            loop = asyncio.get_running_loop()
            loop.call_later(0.4, redis.stop)  # inside the 1 s spread
            return await phones.vote_all(poll, CHOICES, timeout=8, spread_s=1.0)

    ballots = asyncio.run(burst())
    on_primary = [b for b in ballots if b.url == primary.url]
    on_secondary = [b for b in ballots if b.url == secondary.url]
    assert len(on_primary) == len(on_secondary) == 150
    # The primary keeps its own phones voting: its database needs no Redis.
    assert all(b.ok for b in on_primary), {b.error for b in on_primary if not b.ok}
    # The secondary refuses clearly once Redis is gone, and acked some before.
    assert {b.error for b in on_secondary if not b.ok} <= {"unavailable"}
    assert any(b.ok for b in on_secondary) and any(not b.ok for b in on_secondary)
    # Never ack-and-lose: every ballot acked anywhere is in the primary's database.
    stored = {v for v, _, _ in stored_ballots(str(primary.db), poll)}
    acked = {voter_id(b.token) for b in ballots if b.ok}
    assert acked <= stored
    assert primary.api(f"/api/polls/{poll}")[1]["ballots"] == len(stored)


def test_the_primary_keeps_pushing_to_its_own_clients_while_redis_is_down(pair):
    """python-socketio delivers an emit to this engine's clients before publishing it."""
    import socketio

    redis, primary, secondary = pair
    poll = primary.open_poll("yesno")
    redis.stop()

    async def watch_then_vote():
        tallies = []
        desk = socketio.AsyncClient(reconnection=False)
        desk.on("tally", lambda data: tallies.append(data), namespace="/control")
        await desk.connect(primary.url, auth={"token": primary.admin}, transports=["websocket"], namespaces=["/control"])
        async with Phones(primary.url) as phones:
            await phones.connect(20)
            ballots = await phones.vote_all(poll, CHOICES)
        deadline = asyncio.get_running_loop().time() + 3
        while asyncio.get_running_loop().time() < deadline and not any(t.get("ballots") == 20 for t in tallies):
            await asyncio.sleep(0.05)
        await desk.disconnect()
        return ballots, tallies

    ballots, tallies = asyncio.run(watch_then_vote())
    assert all(b.ok for b in ballots), {b.error for b in ballots if not b.ok}
    assert any(t.get("id") == poll and t.get("ballots") == 20 for t in tallies), tallies[-1:]


def test_secondary_serves_again_when_redis_returns(pair, redis_server):
    redis, primary, secondary = pair
    poll = primary.open_poll("yesno")
    redis.stop()

    async def one_vote(url):
        async with Phones(url) as phones:
            await phones.connect(1)
            return (await phones.vote_all(poll, CHOICES, timeout=8))[0]

    assert asyncio.run(one_vote(secondary.url)).error == "unavailable"
    redis_server(redis.port)  # an empty Redis on the same address
    deadline = time.monotonic() + 15
    ballot = None
    while time.monotonic() < deadline:
        ballot = asyncio.run(one_vote(secondary.url))
        if ballot.ok:
            break
        assert ballot.error == "unavailable"
        time.sleep(0.5)
    assert ballot is not None and ballot.ok, ballot
    assert voter_id(ballot.token) in {v for v, _, _ in stored_ballots(str(primary.db), poll)}


def test_restarted_primary_retakes_its_own_lock(pair, engine, tmp_path):
    redis, primary, secondary = pair
    primary.proc.kill9()  # its lock stays in Redis for up to 5 s
    t0 = time.monotonic()
    again = engine("--redis", redis.url, db=tmp_path / "primary.db")
    assert time.monotonic() - t0 < 5
    assert again.open_poll("yesno") >= 1


def test_seat_cards_reach_the_secondary_mirror_but_not_every_snapshot(tmp_path):
    """Seats travel apart from the snapshot (20,000 of them are 0.8 MB, republished at 20 Hz otherwise)."""
    import json

    import redis as redis_lib
    from live_engine import live_secondary

    with live_secondary(tmp_path) as secondary:
        status, body = secondary.api("/api/seats", "POST", {"venue": "main", "count": 3})
        assert status == 201, body
        issued = {s["seat"]: s["key"] for s in body["seats"]}
        mirror = secondary.server.engine
        assert wait_until(lambda: all(mirror.seats.get(seat, (None, None))[1] == key for seat, key in issued.items()))
        r = redis_lib.Redis.from_url(secondary.server.config.redis)
        snapshot = json.loads(r.get("wenzheng:snapshot"))
        assert snapshot["seats"] == 3 and not any(key in json.dumps(snapshot) for key in issued.values())
        assert json.loads(r.get("wenzheng:seats")).keys() == issued.keys()
        r.close()
