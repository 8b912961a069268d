"""Scale-out through Redis: one primary engine, any number of secondaries, one show.

The primary is the engine that owns the SQLite file: it is the only writer, it decides
every command and every ballot, and its ack is the durable one. A secondary keeps no
show of its own: it forwards each command and ballot to the primary through a Redis
list, waits for the primary's reply (sent only after the durable COMMIT), and answers
its phone with exactly that reply. Secondaries serve reads (HTTP and the state sent on
connect) from a mirror of the show the primary publishes after every change.

Broadcasts (state, tally, poll) go through python-socketio's own AsyncRedisManager, so
the primary's pushes reach every client on every engine; secondaries never broadcast.

Redis keys (one show per Redis database):
  wenzheng:primary        lock: which engine is primary (refreshed every second)
  wenzheng:credentials    admin token + voter-token secret, so every engine accepts the same
  wenzheng:requests       list: secondaries' commands and ballots, consumed by the primary
  wenzheng:reply:ENGINE   list: the primary's replies to one secondary
  wenzheng:snapshot       the show as the primary last committed it; wenzheng:changes announces it
  wenzheng:seats          the seat cards, written only when seats are issued (the snapshot names their count)
  wenzheng:socketio       python-socketio's pub/sub channel
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import socket
import time
import uuid
from pathlib import Path
from typing import Any

import redis
import redis.asyncio as aioredis
import socketio

from ..core.clock import Clock
from ..core.errors import DomainError
from ..core.polls import Poll
from ..core.questions import Question
from ..core.scene import Scene
from ..core.show import Show
from .engine import Engine
from .rooms import FastAsyncRedisManager

log = logging.getLogger(__name__)
PREFIX = "wenzheng"
LOCK, CREDENTIALS, REQUESTS = f"{PREFIX}:primary", f"{PREFIX}:credentials", f"{PREFIX}:requests"
SNAPSHOT, CHANGES, SOCKETIO_CHANNEL = f"{PREFIX}:snapshot", f"{PREFIX}:changes", f"{PREFIX}:socketio"
SEATS = f"{PREFIX}:seats"  # apart from the snapshot: 20,000 seat cards are 0.8 MB, and they rarely change
LOCK_TTL_MS = 5000
REQUEST_TIMEOUT_S = 5.0
MIRROR_INTERVAL_S = 0.05  # the secondaries' view trails the primary by at most this, plus Redis
UNAVAILABLE = "unavailable"
READ_ONLY_OPS = ("vote", "voted", "seat")  # no read-your-writes wait (a ballot changes no reply of the mirror's)
MIRROR_WAIT_S = 1.0
ROLES = ("primary", "secondary")

# Compare-and-refresh: only the holder may extend the lock.
_REFRESH = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"


class ClusterError(RuntimeError):
    """A start-up refusal with a message for the operator (wrong role, no primary, no Redis)."""


def _dumps(value: Any, *, ascii_only: bool = False) -> str:
    return json.dumps(value, ensure_ascii=ascii_only, separators=(",", ":"))


def _pooled(url: str) -> aioredis.Redis:
    """A client whose callers queue for a connection instead of failing when the pool is busy."""
    pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=32, timeout=REQUEST_TIMEOUT_S,
                                                    socket_connect_timeout=5)
    return aioredis.Redis(connection_pool=pool)


def poll_record(poll: Poll) -> dict[str, Any]:
    """A poll with its live tally (to_dict leaves tallies out: they derive from the ballot log)."""
    return {**poll.to_dict(), "tally": poll.tally, "venue_tally": poll.venue_tally}


def poll_from_record(data: dict[str, Any]) -> Poll:
    poll = Poll.from_dict(data)
    poll.tally = data["tally"]
    poll.venue_tally = data.get("venue_tally", {})
    return poll


class Cluster:
    """This engine's membership of a Redis cluster. Built before the engine, started after it."""

    def __init__(self, url: str, role: str, db_path: Path):
        if role not in ROLES:
            raise ClusterError(f"--role must be primary or secondary, not {role!r}")
        self.url, self.role = url, role
        self.secondary = role == "secondary"
        # A primary restarted on the same database is the same primary: it may retake its lock at once.
        self.engine_id = hashlib.sha256(f"{socket.gethostname()}:{db_path.resolve()}".encode()).hexdigest()[:16] \
            if not self.secondary else uuid.uuid4().hex[:16]
        self._sync = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        try:
            self._sync.ping()
        except redis.RedisError as exc:
            raise ClusterError(f"cannot reach Redis at {url}: {exc}") from None
        if not self.secondary:
            self._take_lock()
        self.service: _PrimaryService | None = None

    def _take_lock(self) -> None:
        if self._sync.set(LOCK, self.engine_id, nx=True, px=LOCK_TTL_MS):
            return
        holder = self._sync.get(LOCK)
        if holder is not None and holder.decode() != self.engine_id:
            raise ClusterError("another primary engine already runs on this Redis; start this one with "
                               "--role secondary, or stop the other first")
        self._sync.set(LOCK, self.engine_id, px=LOCK_TTL_MS)

    def credentials(self, admin_token: str, secret: str) -> tuple[str, str]:
        """The primary shares its admin token and voter-token secret; secondaries adopt them."""
        if not self.secondary:
            self._sync.set(CREDENTIALS, _dumps({"admin_token": admin_token, "secret": secret}))
            return admin_token, secret
        raw = self._sync.get(CREDENTIALS)
        if raw is None:
            raise ClusterError("no primary engine has joined this Redis yet: start the primary first")
        data = json.loads(raw)
        return data["admin_token"], data["secret"]

    def socketio_manager(self) -> socketio.AsyncRedisManager:
        return FastAsyncRedisManager(self.url, channel=SOCKETIO_CHANNEL)

    def secondary_engine(self, scene: Scene, clock: Clock, sensitive_words: tuple[str, ...]) -> "SecondaryEngine":
        snapshot, seats = self._sync.mget([SNAPSHOT, SEATS])
        if snapshot is None:
            raise ClusterError("the primary has not published the show yet: start the primary first")
        engine = SecondaryEngine(scene, clock, self.url, self.engine_id, sensitive_words)
        engine.apply_seats(json.loads(seats or "{}"))
        engine.apply_snapshot(json.loads(snapshot))
        return engine

    async def start(self, engine: Engine) -> None:
        self._sync.close()
        if self.secondary:
            return  # the SecondaryEngine runs its own link
        self.service = _PrimaryService(engine, self.url, self.engine_id)
        await self.service.start()

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()


class _PrimaryService:
    """On the primary: serve the secondaries' requests and publish the show after each change."""

    def __init__(self, engine: Engine, url: str, engine_id: str):
        self.engine, self.engine_id = engine, engine_id
        self.redis = _pooled(url)
        self.boot = uuid.uuid4().hex[:8]
        self.version = 0
        self.seats_published = -1
        self.tasks: list[asyncio.Task] = []
        self.inflight: set[asyncio.Task] = set()
        self._publish_due: asyncio.TimerHandle | None = None
        self._dirty = asyncio.Event()

    async def start(self) -> None:
        self.engine.listeners.append(self._on_change)
        await self._publish()
        self.tasks = [asyncio.create_task(self._serve(), name="cluster-requests"),
                      asyncio.create_task(self._hold_lock(), name="cluster-lock"),
                      asyncio.create_task(self._publisher(), name="cluster-mirror")]

    async def stop(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, *self.inflight, return_exceptions=True)
        try:
            await self.redis.eval(
                "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0",
                1, LOCK, self.engine_id)
        except redis.RedisError:
            pass
        await self.redis.aclose()

    # --- the show, published ---------------------------------------------------------------
    def _on_change(self, kind: str, detail: Any) -> None:
        self._dirty.set()

    async def _publisher(self) -> None:
        while True:
            await self._dirty.wait()
            self._dirty.clear()
            try:
                await self._publish()
            except redis.RedisError as exc:  # Redis down: the secondaries' view waits; we keep serving
                log.warning("cannot publish the show to Redis: %s", exc)
                self._dirty.set()
                await asyncio.sleep(0.5)
            await asyncio.sleep(MIRROR_INTERVAL_S)

    def snapshot(self) -> dict[str, Any]:
        e = self.engine
        self.version += 1
        return {"boot": self.boot, "version": self.version, "meta": e.show.meta(),
                "polls": [poll_record(p) for p in e.show.polls.values()],
                "questions": [q.to_dict() for q in e.show.questions.values()],
                "seats": len(e.seats)}  # seats are only ever added: their count versions them

    async def _publish(self) -> None:
        snap = self.snapshot()
        async with self.redis.pipeline(transaction=False) as pipe:
            if snap["seats"] != self.seats_published:  # before the snapshot that names them
                pipe.set(SEATS, _dumps({seat: list(v) for seat, v in self.engine.seats.items()}))
            pipe.set(SNAPSHOT, _dumps(snap))
            pipe.publish(CHANGES, f"{snap['boot']}:{snap['version']}")
            await pipe.execute()
        self.seats_published = snap["seats"]

    async def _hold_lock(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            try:
                if not await self.redis.eval(_REFRESH, 1, LOCK, self.engine_id, LOCK_TTL_MS):
                    # Redis restarted (keys gone) or the lock expired while it was down: retake it.
                    if not await self.redis.set(LOCK, self.engine_id, nx=True, px=LOCK_TTL_MS):
                        log.error("another engine took the primary lock on Redis")
                    self._dirty.set()  # a restarted Redis also lost the snapshot
            except redis.RedisError as exc:
                log.warning("cannot refresh the primary lock: %s", exc)

    # --- requests from secondaries ---------------------------------------------------------
    async def _serve(self) -> None:
        while True:
            try:
                first = await self.redis.blpop([REQUESTS], timeout=1)
                if first is None:
                    continue
                batch = [first[1], *(await self.redis.lpop(REQUESTS, 1000) or [])]
            except redis.RedisError as exc:
                log.warning("cannot read requests from Redis: %s", exc)
                await asyncio.sleep(0.5)
                continue
            for raw in batch:
                task = asyncio.create_task(self._answer(raw))
                self.inflight.add(task)
                task.add_done_callback(self.inflight.discard)

    async def _answer(self, raw: bytes) -> None:
        try:
            req = json.loads(raw)
            rid, reply_to, op, args = req["id"], req["reply_to"], req["op"], req["args"]
        except (ValueError, KeyError, TypeError):
            log.error("dropped a malformed cluster request")
            return
        if time.time() > req.get("expires", 0):
            return  # the secondary has already told its client "unavailable": doing it now would surprise
        try:
            reply = {"id": rid, "result": await self._run(op, args)}
            if op not in READ_ONLY_OPS:
                # The snapshot published after this version carries the change: the secondary
                # waits for it, so its caller reads back what it just did.
                reply["mirror_after"] = [self.boot, self.version]
        except DomainError as exc:
            reply = {"id": rid, "error": {"code": exc.code, "message": exc.message, "status": exc.status}}
        except Exception:
            log.exception("cluster request %s failed", op)
            reply = {"id": rid, "error": {"code": "internal", "message": "the primary could not do this", "status": 500}}
        try:
            async with self.redis.pipeline(transaction=False) as pipe:
                pipe.rpush(reply_to, _dumps(reply))
                pipe.expire(reply_to, 60)
                await pipe.execute()
        except redis.RedisError as exc:  # the secondary times out and answers "unavailable"
            log.warning("cannot send a reply through Redis: %s", exc)

    async def _run(self, op: str, args: list) -> Any:
        e = self.engine
        if op == "vote":
            return await e.vote(*args)
        if op == "control":
            return await e.control(args[0])
        if op == "create_poll":
            return poll_record(await e.create_poll(args[0]))
        if op == "poll_action":
            return poll_record(await e.poll_action(*args))
        if op == "add_question":
            return (await e.add_question(args[0], operator=bool(args[1]))).to_dict()
        if op == "question_action":
            return (await e.question_action(*args)).to_dict()
        if op == "issue_seats":
            return await e.issue_seats(args[0])
        if op == "voted":
            return e.voted_in(str(args[0]))
        if op == "seat":
            found = e.seats.get(str(args[0]))
            return list(found) if found else None
        raise DomainError("invalid", f"unknown cluster request {op!r}")


class _PrimaryOnly:
    """Stands in for the store on a secondary: the ballot log lives with the primary."""

    def __getattr__(self, name: str):
        raise DomainError("primary_only", "this engine is a secondary; ask the primary engine for exports", 409)


class SecondaryEngine(Engine):
    """The Engine interface over Redis: reads from the mirror, commands and ballots to the primary."""

    def __init__(self, scene: Scene, clock: Clock, url: str, engine_id: str, sensitive_words: tuple[str, ...] = ()):
        super().__init__(scene, _PrimaryOnly(), clock, sensitive_words=sensitive_words)
        self.sensitive_words = sensitive_words
        self.url, self.engine_id = url, engine_id
        self.voters_are_remote = True
        self.reply_to = f"{PREFIX}:reply:{engine_id}"
        self.redis: aioredis.Redis | None = None
        self.pending: dict[str, asyncio.Future] = {}
        self.tasks: list[asyncio.Task] = []
        self.mirror_version: tuple[str, int] = ("", 0)
        self._mirror_changed = asyncio.Event()

    def recover(self) -> None:  # the primary recovers; the mirror arrives from Redis
        pass

    async def start(self) -> None:
        self.redis = _pooled(self.url)
        self.tasks = [asyncio.create_task(self._replies(), name="cluster-replies"),
                      asyncio.create_task(self._follow(), name="cluster-mirror")]

    async def stop(self) -> None:
        for t in self.tasks:
            t.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        if self.redis is not None:
            await self.redis.aclose()

    # --- the mirror ------------------------------------------------------------------------
    def apply_snapshot(self, snap: dict[str, Any]) -> None:
        version = (snap["boot"], snap["version"])
        if version[0] == self.mirror_version[0] and version[1] <= self.mirror_version[1]:
            return  # an older picture than the one we show
        show = Show(self.scene, self.sensitive_words)
        show.restore(snap["meta"], snap["polls"], snap["questions"], [])
        for data in snap["polls"]:  # tallies come as counted by the primary, not from a ballot log
            show.polls[data["id"]] = poll_from_record(data)
        self.show = show
        self.mirror_version = version
        self._mirror_changed.set()
        self._mirror_changed = asyncio.Event()

    def apply_seats(self, seats: dict[str, list]) -> None:
        self.seats = {seat: (v[0], v[1]) for seat, v in seats.items()}

    async def _mirror_past(self, boot: str, version: int) -> None:
        """Wait (at most MIRROR_WAIT_S) until the mirror shows the primary's show after `version`."""
        try:
            async with asyncio.timeout(MIRROR_WAIT_S):
                while not (self.mirror_version[0] == boot and self.mirror_version[1] > version):
                    await self._mirror_changed.wait()
        except TimeoutError:
            pass  # Redis is slow: answer anyway, the mirror catches up by itself

    async def _follow(self) -> None:
        """Fetch the snapshot whenever the primary announces one (and every second regardless)."""
        while True:
            pubsub = self.redis.pubsub()
            try:
                await pubsub.subscribe(CHANGES)
                while True:
                    await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    while await pubsub.get_message(ignore_subscribe_messages=True, timeout=0):
                        pass  # several announcements: one fetch shows the newest
                    raw = await self.redis.get(SNAPSHOT)
                    if raw is not None:
                        snap = json.loads(raw)
                        if snap.get("seats") != len(self.seats):  # new seat cards: fetched only then
                            self.apply_seats(json.loads(await self.redis.get(SEATS) or "{}"))
                        self.apply_snapshot(snap)
            except redis.RedisError as exc:
                log.warning("lost the show mirror from Redis: %s", exc)
                await asyncio.sleep(0.5)
            finally:
                try:
                    await pubsub.aclose()
                except Exception:
                    pass

    # --- requests to the primary ----------------------------------------------------------
    async def _replies(self) -> None:
        while True:
            try:
                first = await self.redis.blpop([self.reply_to], timeout=1)
                if first is None:
                    continue
                batch = [first[1], *(await self.redis.lpop(self.reply_to, 1000) or [])]
            except redis.RedisError as exc:
                log.warning("cannot read replies from Redis: %s", exc)
                await asyncio.sleep(0.5)
                continue
            for raw in batch:
                reply = json.loads(raw)
                fut = self.pending.pop(reply.get("id"), None)
                if fut is not None and not fut.done():
                    fut.set_result(reply)

    async def _call(self, op: str, *args: Any) -> Any:
        rid = uuid.uuid4().hex
        fut = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        req = {"id": rid, "reply_to": self.reply_to, "op": op, "args": list(args),
               "expires": time.time() + REQUEST_TIMEOUT_S}
        try:
            # ASCII escapes: raw input (a lone surrogate, say) reaches the primary as it came,
            # to be refused there exactly as on a single engine, instead of failing to encode here.
            await self.redis.rpush(REQUESTS, _dumps(req, ascii_only=True))
            reply = await asyncio.wait_for(fut, REQUEST_TIMEOUT_S)
        except (redis.RedisError, OSError, asyncio.TimeoutError):
            raise DomainError(UNAVAILABLE, "the primary engine cannot be reached through Redis; try again", 503) \
                from None
        finally:
            self.pending.pop(rid, None)
        if "error" in reply:
            err = reply["error"]
            raise DomainError(err["code"], err["message"], err.get("status", 400))
        if "mirror_after" in reply:
            await self._mirror_past(*reply["mirror_after"])
        return reply["result"]

    async def vote(self, voter: str, group: str, venue: str, data: Any) -> dict[str, Any]:
        # No local checks: the primary alone knows every voter. Its ack is the durable one;
        # anything else (Redis down, primary gone, timeout) is "unavailable", never a false ok.
        try:
            result = await self._call("vote", voter, group, venue, data)
        except DomainError as exc:
            return {"ok": False, "error": exc.code}
        if result.get("ok"):
            self.votes_acked += 1
        return result

    async def control(self, body: Any) -> dict[str, Any]:
        return await self._call("control", body)

    async def create_poll(self, body: Any) -> Poll:
        return poll_from_record(await self._call("create_poll", body))

    async def poll_action(self, poll_id: Any, action: str, body: Any = None) -> Poll:
        return poll_from_record(await self._call("poll_action", poll_id, action, body))

    async def add_question(self, body: Any, *, operator: bool):
        return Question.from_dict(await self._call("add_question", body, operator))

    async def question_action(self, qid: Any, body: Any):
        return Question.from_dict(await self._call("question_action", qid, body))

    async def issue_seats(self, body: Any) -> list[tuple[str, str]]:
        return [tuple(s) for s in await self._call("issue_seats", body)]

    async def seat(self, seat: str) -> tuple[str, str] | None:
        found = self.seats.get(seat)
        if found is None:  # issued a moment ago and not yet in the mirror: ask the primary
            try:
                record = await self._call("seat", seat)
            except DomainError:
                return None
            found = (record[0], record[1]) if record else None
        return found

    async def voted(self, voter: str) -> list[int]:
        """The polls this voter has a ballot in: voters are not mirrored (10,000s of them), the primary knows."""
        try:
            return [int(p) for p in await self._call("voted", voter)]
        except DomainError:
            return []  # primary unreachable: the phone learns "duplicate" if it votes again
