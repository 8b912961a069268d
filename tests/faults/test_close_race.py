"""Closing a poll in the middle of a burst: nothing counts after the close."""

import asyncio
import time

from phones import Phones, stored_ballots, voter_id

CHOICES = ("yes", "no")


async def burst_with_close(e, poll: int):
    async with Phones(e.url) as phones:
        await phones.connect(200)
        loop = asyncio.get_running_loop()
        closed = {}

        async def close_soon():
            await asyncio.sleep(0.05)
            closed["sent"] = time.monotonic()
            closed["reply"] = await loop.run_in_executor(None, e.api, f"/api/polls/{poll}/close", "POST", {})
            closed["answered"] = time.monotonic()

        ballots, _ = await asyncio.gather(phones.vote_all(poll, CHOICES), close_soon())
        return ballots, closed


def test_no_ballot_counts_after_close(engine):
    e = engine()
    poll = e.open_poll("yesno")
    ballots, closed = asyncio.run(burst_with_close(e, poll))
    status, view = closed["reply"]
    assert status == 200 and view["state"] == "closed"
    acked = [b for b in ballots if b.ok]
    refused = [b for b in ballots if not b.ok]
    assert all(b.error == "not_open" for b in refused), {b.error for b in refused}
    # A vote sent after the close was answered can never be acknowledged.
    assert not [b for b in acked if b.sent > closed["answered"]]
    # What the close returned is final: every acked ballot, nothing more, now and later.
    assert view["ballots"] == len(acked)
    time.sleep(0.3)
    assert e.api(f"/api/polls/{poll}")[1]["ballots"] == len(acked)
    rows = stored_ballots(str(e.db), poll)
    assert {v for v, _, _ in rows} == {voter_id(b.token) for b in acked}
    assert all(t <= view["closed_at"] for _, _, t in rows)
