"""The O(1)-disconnect manager keeps python-socketio's bookkeeping exactly, only faster."""

import asyncio
import time

import socketio

from wenzheng_studio.server.rooms import FastAsyncManager


def snapshot(mgr):
    return ({ns: {room: dict(members) for room, members in rooms.items()} for ns, rooms in mgr.rooms.items()},
            {ns: set(m) for ns, m in mgr.pending_connect.items()},
            {ns: set(m) for ns, m in mgr.pending_disconnect.items()})


async def churn(mgr, n, disconnect_every=1):
    socketio.AsyncServer(client_manager=mgr)  # gives the manager its server (sid generation)
    sids = []
    for i in range(n):
        sid = await mgr.connect(f"eio{i}", "/audience")
        sids.append(sid)
        if i % 3 == 0:
            await mgr.enter_room(sid, "/audience", "venue-main")
    pending = await mgr.pre_connect("eio-pending", "/audience")  # a connect still authenticating
    for sid in sids[::disconnect_every]:
        mgr.pre_disconnect(sid, "/audience")
        await mgr.disconnect(sid, "/audience")
    return sids, pending


def test_same_bookkeeping_as_python_socketio():
    fast, stock = FastAsyncManager(), socketio.AsyncManager()
    sids_fast, _ = asyncio.run(churn(fast, 300, disconnect_every=2))
    asyncio.run(churn(stock, 300, disconnect_every=2))
    f, s = snapshot(fast), snapshot(stock)
    # sids are random; compare the shape: rooms, members per room, pending counts
    assert {ns: {(r if r in (None, "venue-main") else "sid"): len(m) for r, m in rooms.items()} for ns, rooms in f[0].items()} == \
           {ns: {(r if r in (None, "venue-main") else "sid"): len(m) for r, m in rooms.items()} for ns, rooms in s[0].items()}
    assert {k: len(v) for k, v in f[1].items()} == {k: len(v) for k, v in s[1].items()}
    assert f[2] == s[2] == {}
    survivor = sids_fast[1]
    assert fast.get_rooms(survivor, "/audience") == [survivor] or set(fast.get_rooms(survivor, "/audience")) == {survivor}
    assert fast.is_connected(survivor, "/audience") and not fast.is_connected(sids_fast[0], "/audience")


def test_mass_hang_up_is_linear():
    fast = FastAsyncManager()
    t0 = time.perf_counter()
    asyncio.run(churn(fast, 10_000))
    elapsed = time.perf_counter() - t0
    assert fast.rooms["/audience"][None] and len(fast.rooms["/audience"][None]) == 1  # only the pending one
    assert elapsed < 5, f"10,000 connects and hang-ups took {elapsed:.1f} s"
