"""An in-process engine on a real socket, for tests that also need the app object itself."""

import asyncio
import contextlib
import threading

from harness import RedisServer, http
from wenzheng_studio.server.app import EngineServer, ServeConfig

ADMIN = "security-admin-token"


class LiveEngine:
    """An EngineServer on its own event loop in a thread: a real socket, and its app in reach."""

    def __init__(self, db, **config):
        config = {"voter_token_rate": 0, **config}
        self.server = EngineServer(ServeConfig(db=str(db), host="127.0.0.1", port=0, admin_token=ADMIN, **config))
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-engine", daemon=True)
        self.thread.start()
        self.url = self.run(self.server.start())

    def run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def api(self, path: str, method: str = "GET", body=None, token: str | None = ADMIN):
        return http(self.url + path, method, body, token)

    def prove_alive(self) -> None:
        """The engine still does its job — a question is stored, a ballot is acked and
        counted — not merely "no 5xx". Run after every bad input in the fuzz and security suites."""
        import socketio  # the client library, only for tests that attack the engine

        status, reply = self.api("/api/questions", "POST", {"text": "引擎还在工作吗？"})
        assert status == 201, ("a normal question was refused", status, reply)
        status, poll = self.api("/api/polls", "POST", {"title": "心跳", "kind": "yesno"})
        assert status == 201, ("a normal poll was refused", status, poll)
        status, view = self.api(f"/api/polls/{poll['id']}/open", "POST", {})
        assert status == 200, ("a normal poll did not open", status, view)
        token = self.api("/api/voter", "POST", token=None)[1]["token"]
        phone = socketio.Client(reconnection=False)
        phone.connect(self.url, auth={"token": token}, transports=["websocket"], namespaces=["/audience"],
                      wait_timeout=10)
        try:
            ack = phone.call("vote", {"poll": poll["id"], "choice": "yes"}, namespace="/audience", timeout=10)
        finally:
            phone.disconnect()
        assert ack == {"ok": True}, ("a normal vote was not acknowledged", ack)
        status, view = self.api(f"/api/polls/{poll['id']}/close", "POST", {})
        assert status == 200 and view["ballots"] == 1, ("the acked ballot is not counted", status, view)

    @property
    def routes(self):
        return self.server.app.other_asgi_app.routes

    def close(self):
        self.run(self.server.stop())
        self.run(_cancel_the_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@contextlib.contextmanager
def live_secondary(tmp_path, **config):
    """A private RedisServer, a primary and a secondary LiveEngine sharing one show.
    Yields the secondary, with `.primary` set (its database is the durable record)."""
    redis = RedisServer()
    engines: list[LiveEngine] = []
    try:
        engines.append(LiveEngine(tmp_path / "primary.db", redis=redis.url, **config))
        engines.append(LiveEngine(tmp_path / "secondary.db", redis=redis.url, role="secondary", **config))
        engines[1].primary = engines[0]
        yield engines[1]
    finally:
        for e in reversed(engines):
            e.close()
        redis.stop()


async def _cancel_the_rest() -> None:
    """Socket.IO's per-connection tasks outlive the server; end them before the loop closes."""
    tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
