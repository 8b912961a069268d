"""The audit's stuffing checks: ballots per address and per minute, a burst from one address
flagged. Real votes from two loopback addresses (127.0.0.1 and the alias 127.0.0.2)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from rawsio import RawSocket

from wenzheng_studio.server.exports import BURST_BALLOTS

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def live(single_live):
    return single_live


async def vote_from(url: str, addr: str, poll: int, n: int) -> list[dict]:
    """n phones (a token and a connection each) voting from local address `addr`."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(addr, 0))) as session:
        acks = []
        for _ in range(n):
            async with session.post(url + "/api/voter") as r:
                token = (await r.json())["token"]
            c = RawSocket(session, url, "/audience")
            await c.connect({"token": token}, timeout=10)
            acks.append(await c.call("vote", {"poll": poll, "choice": "yes"}, timeout=10))
            await c.disconnect()
        return acks


def test_audit_counts_ballots_per_address_and_flags_a_burst(live):
    _, created = live.api("/api/polls", "POST", {"title": "刷票", "kind": "yesno"})
    poll = created["id"]
    live.api(f"/api/polls/{poll}/open", "POST", {})
    few, many = 3, BURST_BALLOTS + 5
    assert asyncio.run(vote_from(live.url, "127.0.0.1", poll, few)) == [{"ok": True}] * few
    assert asyncio.run(vote_from(live.url, "127.0.0.2", poll, many)) == [{"ok": True}] * many

    status, audit = live.api(f"/api/polls/{poll}/audit")
    assert status == 200 and audit["match"] is True and audit["ballots_logged"] == few + many  # old fields kept
    assert audit["addresses"] == 2
    by = {r["addr"]: r for r in audit["by_address"]}
    assert by["127.0.0.2"]["ballots"] == many and by["127.0.0.1"]["ballots"] == few
    assert audit["by_address"][0]["addr"] == "127.0.0.2"  # most ballots first
    assert by["127.0.0.2"]["peak_per_window"] == many and by["127.0.0.2"]["first_at"] <= by["127.0.0.2"]["last_at"]
    assert sum(m["ballots"] for m in audit["per_minute"]) == few + many
    assert all(m["minute"] % 60 == 0 and m["minute"] <= time.time() for m in audit["per_minute"])
    assert [(f["kind"], f["addr"], f["ballots"]) for f in audit["flags"]] == [("address_burst", "127.0.0.2", many)]
    assert audit["burst_rule"] == {"ballots": BURST_BALLOTS, "window_s": 60.0}

    status, csv_text = live.api(f"/api/polls/{poll}/ballots.csv")
    assert status == 200 and csv_text.count("127.0.0.2") == many
