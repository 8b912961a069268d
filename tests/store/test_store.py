"""The store: group commit resolves only after COMMIT, and a restart rebuilds the show."""

import asyncio

import pytest

from wenzheng_studio.core.clock import FakeClock
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.paths import scenes_dir
from wenzheng_studio.server.engine import Engine
from wenzheng_studio.store import Store


def run(coro):
    return asyncio.run(coro)


def test_many_writes_share_few_commits(tmp_path):
    store = Store(tmp_path / "s.db")

    async def burst():
        store.start(asyncio.get_running_loop())
        await asyncio.gather(*(store.write([("ballot", 1, f"v{i}", "remote", "remote", "yes", 1.0)])
                               for i in range(2000)))
    run(burst())
    commits = store.commits
    store.close()
    assert commits < 200, f"{commits} commits for 2000 ballots: group commit is not grouping"
    again = Store(tmp_path / "s.db")
    assert len(again.load().ballots) == 2000
    again.close()


def test_a_failing_submission_does_not_fail_its_neighbours(tmp_path):
    store = Store(tmp_path / "s.db")

    async def go():
        store.start(asyncio.get_running_loop())
        ok1 = store.write([("ballot", 1, "a", "remote", "remote", "yes", 1.0)])
        dup = store.write([("ballot", 1, "a", "remote", "remote", "no", 1.0)])  # same primary key
        ok2 = store.write([("ballot", 1, "b", "remote", "remote", "no", 1.0)])
        return await asyncio.gather(ok1, dup, ok2, return_exceptions=True)
    r = run(go())
    store.close()
    assert r[0] is None and r[2] is None and isinstance(r[1], Exception)


def test_restart_resumes_segment_timer_polls_and_questions(tmp_path):
    scene = load_scene(scenes_dir() / "baixing-wenzheng.toml")
    clock = FakeClock()

    async def first_life():
        engine = Engine(scene, Store(tmp_path / "show.db"), clock)
        engine.recover()
        await engine.start()
        await engine.control({"action": "segment.goto", "index": 0})
        await engine.control({"action": "speaker.next"})
        poll = await engine.create_poll({"title": "满意吗", "kind": "satisfaction"})
        await engine.poll_action(poll.id, "open")
        for i in range(25):
            assert (await engine.vote(f"t:{i}", "remote", "remote", {"poll": poll.id, "choice": "basic"}))["ok"]
        assert (await engine.vote("s:main-001", "studio", "main", {"poll": poll.id, "choice": "satisfied"}))["ok"]
        q = await engine.add_question({"text": "路灯坏了", "name": "张先生"}, operator=False)
        await engine.question_action(q.id, {"action": "screen"})
        await engine.stop()
        return poll.id

    poll_id = run(first_life())
    clock.advance(12)

    async def second_life():
        engine = Engine(scene, Store(tmp_path / "show.db"), clock)
        engine.recover()
        state = engine.state(operator=True)
        assert state["segment"]["key"] == "pledge"
        assert state["speaker"]["index"] == 0
        assert state["timer"]["running"] and state["timer"]["remaining_s"] == pytest.approx(18)
        assert state["poll"]["state"] == "open" and state["poll"]["ballots"] == 26
        assert state["poll"]["tally"]["studio"]["satisfied"] == 1
        # The voters are remembered: a second ballot is still a duplicate after restart.
        await engine.start()
        assert (await engine.vote("t:3", "remote", "remote", {"poll": poll_id, "choice": "satisfied"}))["error"] == "duplicate"
        assert engine.show.questions[1].state == "screened"
        await engine.stop()
    run(second_life())


def test_one_engine_per_database(tmp_path):
    from wenzheng_studio.store import StoreLocked, read_holder

    first = Store(tmp_path / "show.db")
    first.lock.announce("http://127.0.0.1:9999")
    with pytest.raises(StoreLocked) as err:
        Store(tmp_path / "show.db")
    assert "http://127.0.0.1:9999" in str(err.value)
    assert read_holder(tmp_path / "show.db")["url"] == "http://127.0.0.1:9999"
    first.close()
    second = Store(tmp_path / "show.db")  # released on close (and by the OS on kill -9)
    second.close()
