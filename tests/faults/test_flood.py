"""A connection that floods /audience past its limits is hung up; honest phones vote on.

An in-process engine (bench/live_engine.py) so the test can read Realtime's counters; the
flooders are raw Engine.IO/Socket.IO websockets (bench/rawsio.py) that never wait for an ack.
"""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
import socketio
from rawsio import RawSocket

from wenzheng_studio.server.realtime import FLOOD_REFUSALS

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def live(single_live):
    return single_live


def open_poll(live) -> int:
    _, poll = live.api("/api/polls", "POST", {"title": "洪水", "kind": "yesno"})
    live.api(f"/api/polls/{poll['id']}/open", "POST", {})
    return poll["id"]


async def flood(url: str, token: str, frame: str, limit: int = 200_000) -> tuple[int, int, float]:
    """Send `frame` back to back until the server hangs up (or `limit` frames).
    Returns (frames sent, acks received, seconds until the socket closed)."""
    async with aiohttp.ClientSession() as session:
        c = RawSocket(session, url, "/audience")
        await c.connect({"token": token})
        acks = 0
        handle = c._handle

        def count(data: str) -> None:
            nonlocal acks
            acks += data.startswith("43")
            handle(data)

        c._handle = count
        t0, sent = time.monotonic(), 0
        try:
            while sent < limit and not c.ws.closed:
                await c.ws.send_str(frame)
                sent += 1
                if sent % 20 == 0:
                    await asyncio.sleep(0)  # let the reader see the hang-up
        except (ConnectionError, RuntimeError):
            pass  # writing to a closed socket: the server hung up
        await asyncio.wait_for(c._reader, 10)  # ends when the server closes the websocket
        closed_after = time.monotonic() - t0
        await c.disconnect()
        return sent, acks, closed_after


def honest_phone(live) -> socketio.Client:
    c = socketio.Client(reconnection=False)
    c.connect(live.url, auth={"token": live.api("/api/voter", "POST", token=None)[1]["token"]},
              transports=["websocket"], namespaces=["/audience"], wait_timeout=5)
    return c


@pytest.mark.parametrize("frame", [
    '42/audience,["vote",{"poll":1,"choice":"yes"}]',  # over the rate: rate_limited
    '42/audience,1["vote",{"poll":1,"choice":"yes"}]',  # the same, asking for acks
    '42/audience,["hello",1]',  # an event nobody handles (bypasses the vote bucket)
], ids=["votes", "votes-with-acks", "unknown-events"])
def test_a_flooding_connection_is_dropped_and_an_honest_phone_still_votes(live, frame):
    poll = open_poll(live)
    phone = honest_phone(live)
    token = live.api("/api/voter", "POST", token=None)[1]["token"]
    sent, acks, closed_after = asyncio.run(flood(live.url, token, frame.replace('"poll":1', f'"poll":{poll}')))

    assert sent < 200_000 and closed_after < 5, (sent, closed_after)  # hung up, not merely refused forever
    assert live.server.realtime.flood_disconnects == 1
    if ',1["vote"' in frame:  # it was answered (a ballot, then refusals) until the limit, no longer
        assert acks <= FLOOD_REFUSALS + 15, acks
    assert phone.connected
    assert phone.call("vote", {"poll": poll, "choice": "no"}, namespace="/audience", timeout=5) == {"ok": True}
    view = live.api(f"/api/polls/{poll}")[1]
    assert view["tally"]["remote"]["no"] == 1
    phone.disconnect()


def test_refusals_at_a_phone_s_pace_keep_the_connection(live):
    """Well under the limit per window: refused, never hung up (a window is 10 s)."""
    poll = open_poll(live)
    phone = honest_phone(live)
    codes = [phone.call("vote", {"poll": poll, "choice": "yes"}, namespace="/audience", timeout=5).get("error")
             for _ in range(40)]  # 1 ballot, then duplicates and up to 30 rate_limited
    assert "rate_limited" in codes and codes.count("rate_limited") < FLOOD_REFUSALS
    assert phone.connected and live.server.realtime.flood_disconnects == 0
    phone.disconnect()
