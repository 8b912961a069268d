"""A primary frozen past its Redis lock's TTL (SIGSTOP) must not wake up as a second primary.

Issue #11, finding 4: the frozen primary woke, logged "another engine took the primary lock" and
went on deciding; a second primary on another database had meanwhile adopted the show's Redis
keys, taken the secondary's ballots, and switched the secondary's mirror to its own show.
"""

import asyncio
import contextlib
import json
import os
import shutil
import signal
import time

import pytest
import redis as redis_lib

from harness import RedisServer
from phones import Phones, stored_ballots, voter_id

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
CHOICES = ("yes", "no")
LOCK, SHOW, EPOCH, REQUESTS = "wenzheng:primary", "wenzheng:show", "wenzheng:epoch", "wenzheng:requests"


@pytest.fixture
def redis_url():
    server = RedisServer()
    yield server.url
    server.stop()


@pytest.fixture
def r(redis_url):
    client = redis_lib.Redis.from_url(redis_url, socket_timeout=5)
    yield client
    client.close()


@contextlib.contextmanager
def frozen(e):
    """SIGSTOP the engine for the block (always SIGCONT after, so teardown can stop it)."""
    os.kill(e.proc.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        yield
    finally:
        os.kill(e.proc.pid, signal.SIGCONT)
        print(f"frozen for {time.monotonic() - t0:.1f} s")


def lapse(r, timeout=8.0):
    """Wait out the frozen primary's lock (5 s TTL, last refreshed up to 1 s before the freeze)."""
    deadline = time.monotonic() + timeout
    while r.exists(LOCK):
        assert time.monotonic() < deadline, "the frozen primary's lock did not expire"
        time.sleep(0.05)


def wait_exit(e, timeout=10.0) -> int:
    return e.proc.proc.wait(timeout)


def said(e, text: str, timeout=3.0) -> bool:
    """The engine's stderr (drained by a thread) contains `text`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(text in line for line in e.proc.stderr_lines):
            return True
        time.sleep(0.05)
    return False


def test_a_second_primary_is_refused_and_the_woken_primary_runs_its_show_on(engine, redis_url, r, tmp_path):
    primary = engine("--redis", redis_url, db=tmp_path / "primary.db")
    secondary = engine("--redis", redis_url, "--role", "secondary", db=tmp_path / "secondary.db")
    poll = primary.open_poll("yesno")
    show, epoch = r.hget(SHOW, "id"), int(r.get(EPOCH) or 0)
    with frozen(primary):
        lapse(r)
        # Redis still names the frozen primary's show: a primary for another database must not adopt it.
        with pytest.raises(RuntimeError, match="carries another show.*--takeover"):
            engine("--redis", redis_url, db=tmp_path / "other.db")
    # Nobody took over: woken, the primary confirms that and retakes its lock under a new epoch.
    deadline = time.monotonic() + 5
    while not (r.exists(LOCK) and int(r.get(EPOCH) or 0) > epoch):
        assert time.monotonic() < deadline, "the woken primary did not retake its lock"
        time.sleep(0.05)
    assert r.hget(SHOW, "id") == show

    async def vote_on_secondary():
        async with Phones(secondary.url) as phones:
            await phones.connect(30)
            return await phones.vote_all(poll, CHOICES, timeout=8)

    ballots = asyncio.run(vote_on_secondary())
    assert all(b.ok for b in ballots), {b.error for b in ballots if not b.ok}
    stored = {v for v, _, _ in stored_ballots(str(primary.db), poll)}
    assert {voter_id(b.token) for b in ballots} <= stored  # the old primary's database, the one show
    assert secondary.api(f"/api/polls/{poll}")[1]["title"] == "fault"
    assert primary.proc.proc.poll() is None and secondary.proc.proc.poll() is None


def test_a_takeover_fences_the_frozen_primary_and_stops_its_secondary(engine, redis_url, r, tmp_path):
    primary = engine("--redis", redis_url, db=tmp_path / "primary.db")
    secondary = engine("--redis", redis_url, "--role", "secondary", db=tmp_path / "secondary.db")
    old_poll = primary.open_poll("yesno")
    with frozen(primary):
        lapse(r)
        successor = engine("--redis", redis_url, "--takeover", db=tmp_path / "successor.db")
        # The secondary followed the old show: it stops rather than switch its phones to another show.
        assert wait_exit(secondary) == 1
        assert said(secondary, "another show")
        # The successor adopted nothing of the old show.
        assert successor.api("/api/polls")[1]["polls"] == []
    # Woken, the old primary finds another show on Redis: it stops deciding and exits 1.
    assert wait_exit(primary) == 1
    assert said(primary, "stepped down: Redis now carries another show"), "".join(primary.proc.stderr_lines)
    # Nothing it did after waking reached Redis: the mirror and the lock are the successor's.
    snapshot = json.loads(r.get("wenzheng:snapshot"))
    assert snapshot["show"] == r.hget(SHOW, "id").decode() == r.get(LOCK).decode()
    assert snapshot["polls"] == [] and str(tmp_path / "successor.db") in snapshot["show_db"]
    assert successor.open_poll("yesno") == 1  # the successor runs its own show
    assert len(stored_ballots(str(primary.db), old_poll)) == 0


def test_a_woken_primary_acts_on_no_request_queued_after_it_lost_the_lock(engine, redis_url, r, tmp_path):
    primary = engine("--redis", redis_url, db=tmp_path / "primary.db")
    poll = primary.open_poll("yesno")
    show = (r.hget(SHOW, "id") or b"").decode()
    with frozen(primary):
        lapse(r)
        # Another engine takes the lock (a new epoch), and a secondary's ballot waits in the queue.
        r.set(LOCK, "another-engine", px=30_000)
        r.incr(EPOCH)
        r.rpush(REQUESTS, json.dumps({"id": "q1", "reply_to": "wenzheng:reply:test", "op": "vote", "show": show,
                                      "args": ["t:queued", "remote", "main", {"poll": poll, "choice": "yes"}],
                                      "expires": time.time() + 30}))
    # Woken with the request waiting, it checks its lock before popping anything: lost, so it steps down.
    assert wait_exit(primary) == 1
    assert said(primary, "another engine took the primary lock")
    assert "t:queued" not in {v for v, _, _ in stored_ballots(str(primary.db), poll)}
    assert r.llen(REQUESTS) == 1 and not r.exists("wenzheng:reply:test")  # left for the lock's holder
