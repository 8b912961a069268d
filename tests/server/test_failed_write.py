"""A command whose write fails changes nothing: what the engine serves is what is on disk.

The store is made to fail for real, inside its writer thread (every SQL apply raises while
`broken` is set), and after each failed command the engine's show is compared with the
show rebuilt from the database.
"""

import asyncio
import copy

import pytest

from wenzheng_studio.core.clock import FakeClock
from wenzheng_studio.core.errors import DomainError
from wenzheng_studio.core.scene import load_scene
from wenzheng_studio.core.show import Show
from wenzheng_studio.paths import scenes_dir
from wenzheng_studio.server.engine import Engine

from faulty_store import BreakableStore

SCENE = load_scene(scenes_dir() / "baixing-wenzheng.toml")




def picture(show: Show) -> tuple:
    """Everything a view can see of the show, tallies included (a copy: the show moves on)."""
    return copy.deepcopy((show.meta(), {p: (poll.to_dict(), poll.tally, poll.venue_tally, sorted(poll.voters))
                          for p, poll in sorted(show.polls.items())},
            {q: question.to_dict() for q, question in sorted(show.questions.items())},
            show._next_poll_id, show._next_question_id))


def on_disk(engine: Engine) -> tuple:
    snap = engine.store.read_back()
    show = Show(SCENE)
    show.restore(snap.meta.get("show"), snap.polls, snap.questions, snap.ballots)
    return picture(show)


async def prepared(tmp_path):
    clock = FakeClock()
    engine = Engine(SCENE, BreakableStore(tmp_path / "show.db"), clock)
    engine.recover()
    await engine.start()
    await engine.control({"action": "show.start"})
    poll = await engine.create_poll({"title": "满意吗", "kind": "satisfaction"})
    await engine.poll_action(poll.id, "open")
    assert (await engine.vote("t:1", "remote", "remote", {"poll": poll.id, "choice": "basic"}))["ok"]
    q = await engine.add_question({"text": "路灯坏了"}, operator=True)
    await engine.question_action(q.id, {"action": "screen"})
    await engine.question_action(q.id, {"action": "approve", "override": True})  # one director: both reviews
    return engine, clock, poll.id, q.id


COMMANDS = {
    "segment.next": lambda e, p, q: e.control({"action": "segment.next"}),
    "timer.start": lambda e, p, q: e.control({"action": "timer.start", "seconds": 30, "label": "张局长"}),
    "overlay.set": lambda e, p, q: e.control({"action": "overlay.set", "element": "qr", "mode": "hide"}),
    "show.end": lambda e, p, q: e.control({"action": "show.end"}),
    "poll.create": lambda e, p, q: e.create_poll({"title": "第二轮", "kind": "yesno"}),
    "poll.close": lambda e, p, q: e.poll_action(p, "close"),
    "question.create": lambda e, p, q: e.add_question({"text": "新问题"}, operator=False),
    "question.on_air": lambda e, p, q: e.question_action(q, {"action": "on_air"}),
    "question.edit": lambda e, p, q: e.question_action(q, {"action": "edit", "air_text": "改过的"}),
    "question.reject": lambda e, p, q: e.question_action(q, {"action": "reject", "reason": "重复"}),
}


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_whose_write_fails_changes_nothing(tmp_path, name):
    async def go():
        engine, clock, poll, q = await prepared(tmp_path)
        before = picture(engine.show)
        heard = []
        engine.listeners.append(lambda kind, detail: heard.append(kind))
        engine.store.broken = True
        with pytest.raises(DomainError) as refused:
            await COMMANDS[name](engine, poll, q)
        assert (refused.value.code, refused.value.status) == ("unavailable", 503)
        assert picture(engine.show) == before, "memory changed although nothing was written"
        assert picture(engine.show) == on_disk(engine)
        assert heard == [], "no view may hear of a change that did not happen"
        assert engine.health() is not None
        # The disk is back: the same command now works, and ids were not used up.
        engine.store.broken = False
        await COMMANDS[name](engine, poll, q)
        assert engine.health() is None
        assert picture(engine.show) == on_disk(engine)
        if name == "poll.create":
            assert max(engine.show.polls) == poll + 1
        if name == "question.create":
            assert max(engine.show.questions) == q + 1
        await engine.stop()

    asyncio.run(go())


def test_a_ballot_in_flight_survives_a_failed_command(tmp_path):
    """Putting the show back must not drop tallies: ballots are durable on their own."""
    async def go():
        engine, clock, poll, q = await prepared(tmp_path)
        vote = asyncio.ensure_future(engine.vote("t:2", "remote", "remote", {"poll": poll, "choice": "satisfied"}))
        await asyncio.sleep(0.05)
        assert (await vote)["ok"]
        engine.store.broken = True
        with pytest.raises(DomainError):
            await engine.poll_action(poll, "close")
        engine.store.broken = False
        assert engine.show.polls[poll].state == "open"
        assert engine.show.polls[poll].ballots == 2
        assert (await engine.vote("t:3", "remote", "remote", {"poll": poll, "choice": "basic"}))["ok"]
        assert engine.show.polls[poll].ballots == 3
        assert picture(engine.show) == on_disk(engine)
        await engine.stop()

    asyncio.run(go())


def test_a_timed_close_that_fails_is_retried_and_the_ticker_lives(tmp_path):
    async def go():
        clock = FakeClock()
        engine = Engine(SCENE, BreakableStore(tmp_path / "show.db"), clock)
        engine.recover()
        await engine.start()
        poll = await engine.create_poll({"title": "倒计时", "kind": "yesno"})
        await engine.poll_action(poll.id, "open", {"countdown_s": 5})
        engine.store.broken = True
        clock.advance(6)
        await asyncio.sleep(0.3)  # several ticks, each failing
        assert engine.show.polls[poll.id].state == "open", "a close that is not on disk is not shown"
        assert picture(engine.show) == on_disk(engine)
        engine.store.broken = False
        for _ in range(40):
            await asyncio.sleep(0.05)
            if engine.show.polls[poll.id].state == "closed":
                break
        assert engine.show.polls[poll.id].state == "closed"
        assert picture(engine.show) == on_disk(engine)
        await engine.stop()

    asyncio.run(go())


def test_seats_that_cannot_be_saved_are_not_issued(tmp_path):
    async def go():
        engine, *_ = await prepared(tmp_path)
        engine.store.broken = True
        with pytest.raises(DomainError) as refused:
            await engine.issue_seats({"venue": "main", "count": 5})
        assert refused.value.code == "unavailable"
        assert engine.seats == {}
        engine.store.broken = False
        issued = await engine.issue_seats({"venue": "main", "count": 5})
        assert [s for s, _ in issued][0] == "main-001"
        await engine.stop()

    asyncio.run(go())
