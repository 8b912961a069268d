"""Simulated phones for the fault tests and the kill/recover bench (one process, asyncio)."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from dataclasses import dataclass

import aiohttp
import socketio
from itsdangerous import URLSafeTimedSerializer


def voter_id(token: str) -> str:
    """The voter id the engine derives from a token (the payload is signed, not secret)."""
    return "t:" + URLSafeTimedSerializer("unused").loads_unsafe(token)[1]


@dataclass
class Ballot:
    token: str
    choice: str
    sent: float
    url: str = ""
    answered: float | None = None
    ok: bool = False
    error: str | None = None


class Phones:
    """N phones: tokens from POST /api/voter, one Socket.IO /audience connection each."""

    def __init__(self, urls: list[str] | str):
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        self.session: aiohttp.ClientSession | None = None
        self.clients: list[tuple[str, socketio.AsyncClient, str]] = []

    async def __aenter__(self):
        self.session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        return self

    async def __aexit__(self, *exc):
        await asyncio.gather(*(c.disconnect() for _, c, _ in self.clients), return_exceptions=True)
        await self.session.close()

    async def tokens(self, n: int) -> list[str]:
        gate = asyncio.Semaphore(32)

        async def one(i: int) -> str:
            async with gate:
                async with self.session.post(self.urls[i % len(self.urls)] + "/api/voter") as r:
                    assert r.status == 200, await r.text()
                    return (await r.json())["token"]

        return list(await asyncio.gather(*(one(i) for i in range(n))))

    async def connect(self, n: int, tokens: list[str] | None = None) -> None:
        tokens = tokens if tokens is not None else await self.tokens(n)
        gate = asyncio.Semaphore(64)

        async def one(i: int, token: str) -> None:
            c = socketio.AsyncClient(http_session=self.session, reconnection=False)
            url = self.urls[i % len(self.urls)]
            async with gate:
                await c.connect(url, auth={"token": token}, transports=["websocket"], namespaces=["/audience"],
                                wait_timeout=30)
            self.clients.append((token, c, url))

        await asyncio.gather(*(one(i, t) for i, t in enumerate(tokens)))

    async def vote_all(self, poll: int, choices: tuple[str, ...], timeout: float = 10.0,
                       on_ack=None, spread_s: float = 0.0) -> list[Ballot]:
        """Every phone votes at once (or spread evenly over `spread_s`); `on_ack(ballot)` runs
        as each answer arrives."""
        n = len(self.clients)

        async def one(i: int, token: str, c: socketio.AsyncClient, url: str) -> Ballot:
            if spread_s:
                await asyncio.sleep(spread_s * i / n)
            b = Ballot(token, choices[i % len(choices)], time.monotonic(), url)
            try:
                ack = await c.call("vote", {"poll": poll, "choice": b.choice}, namespace="/audience",
                                   timeout=timeout)
                b.ok, b.error = bool(ack.get("ok")), ack.get("error")
            except Exception as exc:  # no ack (engine killed, connection dropped): not acknowledged
                b.error = type(exc).__name__
            b.answered = time.monotonic()
            if on_ack is not None:
                on_ack(b)
            return b

        return list(await asyncio.gather(*(one(i, t, c, u) for i, (t, c, u) in enumerate(self.clients))))


def stored_ballots(db_path: str, poll: int) -> list[tuple[str, str, float]]:
    """(voter, choice, t) rows straight from the database, read-only (operator's view)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT voter, choice, t FROM ballots WHERE poll = ?", (poll,)).fetchall()
    finally:
        conn.close()
