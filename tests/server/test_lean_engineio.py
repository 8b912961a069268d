"""The lean Engine.IO websocket loop (server/lean_engineio.py) speaks python-engineio's protocol.

Each test runs a LeanSocketIOServer under uvicorn on 127.0.0.1 and talks to it with
python-socketio's own client (long-polling then the upgrade, as a phone's browser does, or
websocket only, as the control room does) or with a raw websocket; after every bad client
it proves a normal client is still served.
"""

from __future__ import annotations

import asyncio
import json
import contextlib
import socket
import time

import aiohttp
import socketio
import uvicorn

from wenzheng_studio.server.lean_engineio import LeanSocket, LeanSocketIOServer
from wenzheng_studio.server.lean_websocket import LeanWebSocketProtocol

NS = "/audience"


def make_server(**options) -> LeanSocketIOServer:
    sio = LeanSocketIOServer(async_mode="asgi", async_handlers=False, max_http_buffer_size=16 * 1024, **options)

    @sio.on("connect", namespace=NS)
    async def connect(sid, environ, auth=None):
        for n in range(5):  # before and across the switch to the websocket: must arrive in order
            await sio.emit("hello", n, to=sid, namespace=NS)

    @sio.on("echo", namespace=NS)
    async def echo(sid, data=None):
        if isinstance(data, dict) and data.get("sleep"):
            await asyncio.sleep(data["sleep"])
        return data

    @sio.on("boom", namespace=NS)
    async def boom(sid, data=None):
        raise RuntimeError("a handler's bug")

    return sio


@contextlib.asynccontextmanager
async def serving(sio):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(socketio.ASGIApp(sio), log_level="error", lifespan="off",
                                           ws=LeanWebSocketProtocol))  # as `serve` runs it
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 10)


async def client(url, transports):
    c = socketio.AsyncClient(reconnection=False)
    hellos: list[int] = []
    c.on("hello", lambda n: hellos.append(n), namespace=NS)
    await c.connect(url, namespaces=[NS], transports=transports, wait_timeout=5)
    return c, hellos


async def wait_until(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def still_served(url):
    """A fresh, well-behaved client gets its answer: the server is doing its job."""
    c, _ = await client(url, ["websocket"])
    try:
        assert await c.call("echo", {"n": 42}, namespace=NS, timeout=5) == {"n": 42}
    finally:
        await c.disconnect()


def test_polling_then_upgrade_and_websocket_only_both_work():
    async def main():
        sio = make_server()
        async with serving(sio) as url:
            for transports in (["polling", "websocket"], ["websocket"]):
                c, hellos = await client(url, transports)
                await wait_until(lambda: len(hellos) == 5)
                assert hellos == [0, 1, 2, 3, 4]
                await wait_until(lambda: c.transport() == "websocket")
                for n in range(20):
                    assert await c.call("echo", {"n": n}, namespace=NS, timeout=5) == {"n": n}
                sockets = list(sio.eio.sockets.values())
                assert sockets and all(type(s) is LeanSocket and s.ws is not None for s in sockets)
                await c.disconnect()
                await wait_until(lambda: not sio.eio.sockets)

    asyncio.run(main())


def test_a_failing_handler_is_logged_and_the_connection_goes_on(caplog):
    async def main():
        sio = make_server()
        async with serving(sio) as url:
            c, _ = await client(url, ["websocket"])
            await c.emit("boom", {}, namespace=NS)
            assert await c.call("echo", "after", namespace=NS, timeout=5) == "after"
            await c.disconnect()

    asyncio.run(main())
    assert "message async handler error" in caplog.text


def test_a_clients_messages_are_answered_in_turn():
    """The second message is handled once the first is answered (module docstring)."""
    async def main():
        sio = make_server()
        async with serving(sio) as url:
            c, _ = await client(url, ["websocket"])
            order: list[str] = []
            done = asyncio.Event()

            def answered(name):
                order.append(name)
                if len(order) == 2:
                    done.set()

            await c.emit("echo", {"sleep": 0.2}, namespace=NS, callback=lambda *_: answered("slow"))
            await c.emit("echo", {"n": 1}, namespace=NS, callback=lambda *_: answered("fast"))
            await asyncio.wait_for(done.wait(), 5)
            assert order == ["slow", "fast"]
            await c.disconnect()

    asyncio.run(main())


async def raw_websocket(session, url):
    ws = await session.ws_connect(url.replace("http", "ws") + "/socket.io/?EIO=4&transport=websocket")
    opened = await ws.receive(timeout=5)
    assert opened.type == aiohttp.WSMsgType.TEXT and opened.data.startswith("0{")
    return ws


async def closed_within(ws, seconds) -> float:
    t0 = time.monotonic()
    while True:
        msg = await ws.receive(timeout=seconds)
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
            return time.monotonic() - t0


def test_a_silent_client_is_hung_up_after_ping_interval_plus_timeout():
    async def main():
        sio = make_server(ping_interval=0.3, ping_timeout=0.3)
        async with serving(sio) as url, aiohttp.ClientSession() as session:
            ws = await raw_websocket(session, url)  # never answers a PING, never sends anything
            took = await closed_within(ws, 5)
            assert took < 3, f"a silent websocket stayed open {took:.1f} s"
            await wait_until(lambda: not sio.eio.sockets)
            await still_served(url)

    asyncio.run(main())


def test_an_oversized_message_ends_only_that_connection():
    async def main():
        sio = make_server()
        async with serving(sio) as url, aiohttp.ClientSession() as session:
            ws = await raw_websocket(session, url)
            await ws.send_str('40' + NS + ',')
            await ws.send_str('42' + NS + ',["echo","' + "x" * 20_000 + '"]')  # above max_http_buffer_size
            await closed_within(ws, 5)
            await wait_until(lambda: not sio.eio.sockets)
            await still_served(url)

    asyncio.run(main())


def test_garbage_and_unknown_packets_leave_the_connection_usable():
    async def main():
        sio = make_server()
        async with serving(sio) as url, aiohttp.ClientSession() as session:
            ws = await raw_websocket(session, url)
            await ws.send_str('40' + NS + ',')
            for junk in ("", "x", "9", "4", "42" + NS + ",[", "6", "\u0000"):
                await ws.send_str(junk)
            await ws.send_str('42' + NS + ',7["echo",{"n":7}]')
            while True:
                msg = await ws.receive(timeout=5)
                assert msg.type == aiohttp.WSMsgType.TEXT, msg
                if msg.data.startswith("43"):
                    assert msg.data == '43' + NS + ',7[{"n":7}]'
                    break
            await ws.close()
            await still_served(url)

    asyncio.run(main())


def test_hang_up_closes_the_transport_from_our_side():
    async def main():
        sio = make_server()
        async with serving(sio) as url, aiohttp.ClientSession() as session:
            ws = await raw_websocket(session, url)
            await wait_until(lambda: sio.eio.sockets)
            (eio_socket,) = sio.eio.sockets.values()
            await eio_socket.hang_up()
            assert await closed_within(ws, 5) < 2
            await wait_until(lambda: not sio.eio.sockets)
            await still_served(url)

    asyncio.run(main())


def test_a_client_gone_mid_answer_changes_nothing_for_the_others():
    async def main():
        sio = make_server()
        async with serving(sio) as url:
            c, _ = await client(url, ["websocket"])
            await c.emit("echo", {"sleep": 0.3}, namespace=NS, callback=lambda *_: None)
            await asyncio.sleep(0.05)
            await c.eio.ws.close()  # hang up while the server is still answering
            await asyncio.sleep(0.5)  # the late answer meets a closed websocket
            await wait_until(lambda: not sio.eio.sockets)
            await still_served(url)
            with contextlib.suppress(Exception):
                await c.disconnect()

    asyncio.run(main())


def test_an_upgrade_that_dies_before_its_probe_leaves_polling_working():
    """A phone's upgrade websocket that hangs up before its probe, or sends an oversized or
    empty probe, must end the upgrade: left "upgrading", every poll answered NOOP and every
    packet for that phone (its vote's ack) was lost (found by tests/fuzz/test_frame_fuzz.py)."""
    async def main():
        sio = make_server()
        async with serving(sio) as url, aiohttp.ClientSession() as session:
            base = url + "/socket.io/?EIO=4&transport=polling"
            for attack in ("hang up", "oversized probe", "empty probe"):
                async with session.get(base) as r:
                    sid = json.loads((await r.text())[1:])["sid"]
                polling = f"{base}&sid={sid}"
                await session.post(polling, data="40" + NS + ",")
                seen: list[str] = []
                while sum(p.startswith("42" + NS) for p in seen) < 5:  # the connect's five hellos
                    async with session.get(polling) as r:
                        seen += (await r.text()).split("\x1e")
                upgrade = url.replace("http", "ws") + f"/socket.io/?EIO=4&transport=websocket&sid={sid}"
                ws = await session.ws_connect(upgrade)
                if attack == "oversized probe":
                    await ws.send_str("2probe" + "x" * 20_000)
                elif attack == "empty probe":
                    await ws.send_str("")
                await ws.close()
                await wait_until(lambda: not sio.eio.sockets[sid].upgrading)
                await session.post(polling, data="42" + NS + ',9["echo",{"n":7}]')
                answers: list[str] = []
                for _ in range(5):
                    async with session.get(polling, timeout=aiohttp.ClientTimeout(total=5)) as r:
                        answers += (await r.text()).split("\x1e")
                    if any(p.startswith("43" + NS + ",9") for p in answers):
                        break
                assert "43" + NS + ',9[{"n":7}]' in answers, (attack, answers)
                await session.post(polling, data="1")
            await still_served(url)

    asyncio.run(main())
