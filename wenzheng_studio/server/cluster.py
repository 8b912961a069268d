"""Scale-out through Redis: one primary engine, any number of secondaries, one show.

The primary is the engine that owns the SQLite file: it is the only writer, it decides
every command and every ballot, and its ack is the durable one. A secondary keeps no
show of its own: it forwards each command and ballot to the primary through a Redis
list, waits for the primary's reply (sent only after the durable COMMIT), and answers
its phone with exactly that reply. Secondaries serve reads (HTTP and the state sent on
connect) from a mirror of the show the primary publishes after every change.

Broadcasts (state, tally, poll) go through python-socketio's own AsyncRedisManager, so
the primary's pushes reach every client on every engine; secondaries never broadcast.

Redis keys (one show per Redis database; cluster_lock.py says whose show and fences a primary that lost it):
  wenzheng:primary        lock: which engine is primary (refreshed every second)
  wenzheng:epoch          raised each time a primary takes the lock; every snapshot and reply carries it
  wenzheng:show           the show the keys belong to (the primary's host + database)
  wenzheng:credentials    admin token + voter-token secret, so every engine accepts the same
  wenzheng:requests       list: secondaries' commands and ballots, consumed by the primary
  wenzheng:reply:ENGINE   list: the primary's replies to one secondary
  wenzheng:snapshot       the show as the primary last committed it; wenzheng:changes announces it
  wenzheng:seats          the seat cards, written only when seats are issued (the snapshot names their count)
  wenzheng:socketio:SHOW  python-socketio's pub/sub channel (per show: another show's pushes never reach our clients)
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import socket
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import redis
import redis.asyncio as aioredis
import socketio

from ..core.clock import Clock
from ..core.errors import DomainError
from ..core.operators import ADMIN, SCORES, Actor, Operator, require
from ..core.polls import Poll
from ..core.questions import Question
from ..core.scene import Scene
from ..core.show import Show
from .cluster_lock import PREFIX, ClusterError, PrimaryLock, ShowFollower, guarded, read_show
from .engine import Engine
from .rooms import FastAsyncRedisManager

log = logging.getLogger(__name__)
CREDENTIALS, REQUESTS = f"{PREFIX}:credentials", f"{PREFIX}:requests"
SNAPSHOT, CHANGES, SOCKETIO_CHANNEL = f"{PREFIX}:snapshot", f"{PREFIX}:changes", f"{PREFIX}:socketio"
SEATS = f"{PREFIX}:seats"  # apart from the snapshot: 20,000 seat cards are 0.8 MB, and they rarely change
REQUEST_TIMEOUT_S = 5.0
MIRROR_INTERVAL_S = 0.05  # the secondaries' view trails the primary by at most this, plus Redis
UNAVAILABLE = "unavailable"
COMMAND_OPS = ("control", "create_poll", "poll_action", "add_question", "question_action", "issue_seats",
               "create_operator", "revoke_operator", "issue_signin_code", "import_scores")
READ_ONLY_OPS = ("vote", "voted", "seat", "seat_signin")  # no read-your-writes wait (a ballot changes no reply of the mirror's)
MIRROR_WAIT_S = 1.0
ROLES = ("primary", "secondary")

# The primary's writes to the shared state, done only while the lock and epoch are its own (cluster_lock.guarded).
# KEYS[3..5] = snapshot, changes, seats; ARGV[3..5] = snapshot, announcement, seats ('' = unchanged).
_PUBLISH = guarded("if ARGV[5] ~= '' then redis.call('set', KEYS[5], ARGV[5]) end\n"
                   "redis.call('set', KEYS[3], ARGV[3])\nredis.call('publish', KEYS[4], ARGV[4])")
# KEYS[3] = the secondary's reply list; ARGV[3..4] = reply, list TTL s.
_REPLY = guarded("redis.call('rpush', KEYS[3], ARGV[3])\nredis.call('expire', KEYS[3], ARGV[4])")


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

    def __init__(self, url: str, role: str, db_path: Path, *, takeover: bool = False):
        if role not in ROLES:
            raise ClusterError(f"--role must be primary or secondary, not {role!r}")
        if takeover and role != "primary":
            raise ClusterError("--takeover is for a primary (a secondary follows whichever show Redis carries)")
        self.url, self.role, self.takeover = url, role, takeover
        self.secondary = role == "secondary"
        label = f"{socket.gethostname()}:{db_path.resolve()}"
        # A primary restarted on the same database is the same primary (and the same show): it may
        # retake its lock at once.
        self.engine_id = hashlib.sha256(label.encode()).hexdigest()[:16] if not self.secondary else uuid.uuid4().hex[:16]
        self.engine: Engine | None = None
        self.on_step_down: Callable[[], None] | None = None  # EngineServer.request_stop: `serve` then exits 1
        self.stepped_down: str | None = None
        self._sync = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        try:
            self._sync.ping()
            if self.secondary:
                show = read_show(self._sync)
                if show is None:
                    raise ClusterError("no primary engine runs a show on this Redis (none has joined, or it stopped): "
                                       "start the primary first")
                self.show_id = show[0]
            else:
                self.lock = PrimaryLock(self.engine_id, label)
                self.lock.check(self._sync, takeover)  # claimed in start(), once the database is ours
                self.show_id = self.engine_id
        except redis.RedisError as exc:
            raise ClusterError(f"cannot reach Redis at {url}: {exc}") from None
        self.service: _PrimaryService | None = None
        self._credentials = ""

    def credentials(self, admin_token: str, secret: str) -> tuple[str, str]:
        """The primary shares its admin token and voter-token secret (once it holds the lock); secondaries adopt them."""
        if not self.secondary:
            self._credentials = _dumps({"admin_token": admin_token, "secret": secret})
            return admin_token, secret
        raw = self._sync.get(CREDENTIALS)
        if raw is None:
            raise ClusterError("no primary engine has joined this Redis yet: start the primary first")
        data = json.loads(raw)
        return data["admin_token"], data["secret"]

    def socketio_manager(self) -> socketio.AsyncRedisManager:
        return FastAsyncRedisManager(self.url, channel=f"{SOCKETIO_CHANNEL}:{self.show_id}")

    def secondary_engine(self, scene: Scene, clock: Clock, sensitive_words: tuple[str, ...]) -> "SecondaryEngine":
        snapshot, seats = self._sync.mget([SNAPSHOT, SEATS])
        snap = json.loads(snapshot) if snapshot is not None else None
        if snap is None or snap.get("show") != self.show_id:
            raise ClusterError("the primary has not published the show yet: start the primary first")
        engine = SecondaryEngine(scene, clock, self.url, self.engine_id, sensitive_words,
                                 show_id=self.show_id, on_lost=self.step_down)
        engine.apply_seats(json.loads(seats or "{}"))
        engine.apply_snapshot(snap)
        self.engine = engine
        return engine

    async def start(self, engine: Engine) -> None:
        self.engine = engine
        if self.secondary:
            self._sync.close()
            return  # the SecondaryEngine runs its own link
        try:
            # Only now, with the database opened (so no other engine runs this show), take the lock
            # and a new epoch; then share the credentials, so a refused engine never overwrites them.
            self.lock.claim(self._sync, self.takeover, clear=[SNAPSHOT, SEATS, REQUESTS])
            self._sync.set(CREDENTIALS, self._credentials)
        except redis.RedisError as exc:
            raise ClusterError(f"cannot reach Redis at {self.url}: {exc}") from None
        finally:
            self._sync.close()
        if self.takeover:
            log.warning("took over this Redis database for the show in %s (epoch %s)", self.lock.label, self.lock.epoch)
        self.service = _PrimaryService(engine, self.url, self.lock, self._credentials, self.step_down)
        await self.service.start()

    def step_down(self, reason: str) -> None:
        """This engine no longer serves the show Redis carries: stop deciding at once, and stop the engine."""
        if self.stepped_down is not None:
            return
        self.stepped_down = reason
        if self.engine is not None:
            self.engine.fence(reason)  # commands and ballots answer "unavailable" from now on
        log.error("stepping down: %s. This engine stops now (exit 1).", reason)
        if self.on_step_down is not None:
            self.on_step_down()

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()


class _PrimaryService:
    """On the primary: serve the secondaries' requests and publish the show after each change,
    only while it holds the lock (cluster_lock.py)."""

    def __init__(self, engine: Engine, url: str, lock: PrimaryLock, credentials: str,
                 on_lost: Callable[[str], None]):
        self.engine, self.lock, self.credentials = engine, lock, credentials
        self.redis = _pooled(url)
        lock.attach(self.redis, on_lost)
        self._publish_script = self.redis.register_script(_PUBLISH)
        self._reply_script = self.redis.register_script(_REPLY)
        self.version = 0
        self.seats_published = -1
        self.tasks: list[asyncio.Task] = []
        self.inflight: set[asyncio.Task] = set()
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
            await self.lock.release()
        except redis.RedisError:
            pass
        await self.redis.aclose()

    # --- the lock --------------------------------------------------------------------------
    async def _hold_lock(self) -> None:
        while self.lock.lost is None:
            await asyncio.sleep(1.0)
            await self._hold()

    async def _hold(self) -> None:
        try:
            if await self.lock.hold():  # retaken: a Redis that restarted empty lost the snapshot and credentials
                await self.redis.set(CREDENTIALS, self.credentials)
                self._dirty.set()
        except redis.RedisError as exc:  # Redis down: our own phones keep voting; nothing comes through Redis
            log.warning("cannot refresh the primary lock: %s", exc)

    async def _confirm(self) -> bool:
        """True if the lock is surely ours: at once while the local deadline holds, else asked of Redis
        (a primary frozen past the TTL wakes with requests queued that may now be another's)."""
        if not self.lock.trusted() and self.lock.lost is None:
            await self._hold()
        return self.lock.trusted()

    # --- the show, published ---------------------------------------------------------------
    def _on_change(self, kind: str, detail: Any) -> None:
        self._dirty.set()

    async def _publisher(self) -> None:
        while self.lock.lost is None:
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
        return {"show": self.lock.id, "show_db": self.lock.label, "epoch": self.lock.epoch, "version": self.version,
                "meta": e.show.meta(),
                "polls": [poll_record(p) for p in e.show.polls.values()],
                "questions": [q.to_dict() for q in e.show.questions.values()],
                "operators": [op.to_dict() for op in e.show.crew.operators.values()],  # token hashes only
                "signed_in": {seat: list(v) for seat, v in e.show.signed_in.items()},  # 听证评议's attendance
                "seats": len(e.seats)}  # seats are only ever added: their count versions them

    async def _publish(self) -> None:
        snap = self.snapshot()
        seats = "" if snap["seats"] == self.seats_published else \
            _dumps({seat: list(v) for seat, v in self.engine.seats.items()})  # set before the snapshot naming them
        if await self.lock.write(self._publish_script, [SNAPSHOT, CHANGES, SEATS],
                                 [_dumps(snap), f"{snap['epoch']}:{snap['version']}", seats]):
            self.seats_published = snap["seats"]
        # else: the lock lapsed (Redis restarted, or we were frozen): _hold retakes it and republishes, or steps down

    # --- requests from secondaries ---------------------------------------------------------
    async def _serve(self) -> None:
        while self.lock.lost is None:
            if not await self._confirm():  # never pop a request that may be the new primary's to decide
                await asyncio.sleep(0.5)
                continue
            try:
                first = await self.redis.blpop([REQUESTS], timeout=1)
                if first is None:
                    continue
                batch = [first[1], *(await self.redis.lpop(REQUESTS, 1000) or [])]
            except redis.RedisError as exc:
                log.warning("cannot read requests from Redis: %s", exc)
                await asyncio.sleep(0.5)
                continue
            if not await self._confirm():  # frozen while popping: the secondaries answer "unavailable"
                log.warning("dropped %d requests from Redis: the primary lock could not be confirmed", len(batch))
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
        if req.get("show") != self.lock.id:
            log.warning("dropped a request from a secondary of another show")
            return
        if not self.lock.trusted():
            return  # frozen since the batch was confirmed: not ours to decide any more
        try:
            reply = {"id": rid, "result": await self._run(op, args)}
            if op not in READ_ONLY_OPS:
                # The snapshot published after this version carries the change: the secondary
                # waits for it, so its caller reads back what it just did.
                reply["mirror_after"] = [self.lock.epoch, self.version]
        except DomainError as exc:
            reply = {"id": rid, "error": {"code": exc.code, "message": exc.message, "status": exc.status}}
        except Exception:
            log.exception("cluster request %s failed", op)
            reply = {"id": rid, "error": {"code": "internal", "message": "the primary could not do this", "status": 500}}
        try:
            await self._reply(reply_to, reply)
        except redis.RedisError as exc:  # the secondary times out and answers "unavailable"
            log.warning("cannot send a reply through Redis: %s", exc)

    async def _reply(self, reply_to: str, reply: dict[str, Any]) -> None:
        for attempt in range(2):
            reply.update(show=self.lock.id, epoch=self.lock.epoch)
            if await self.lock.write(self._reply_script, [reply_to], [_dumps(reply), 60]):
                return
            if attempt == 0:  # the lock lapsed (Redis restarted empty a moment ago?): retake it if still ours
                await self._hold()
        log.warning("dropped a reply: this engine does not hold the primary lock")

    async def _run(self, op: str, args: list) -> Any:
        e = self.engine
        if op == "vote":  # voter, group, venue, data[, addr: the phone's address, for the audit]
            return await e.vote(*args[:4], addr=str(args[4]) if len(args) > 4 else "")
        if op == "seat_signin":  # a seat's link opened on a secondary: the primary records it
            found = e.seats.get(str(args[0]))
            if found is not None:
                await e.seat_signed_in(str(args[0]), found[0])
            return None
        if op == "redeem_signin_code":
            op_, token = await e.redeem_signin_code(args[0])
            return {"operator": op_.view(), "token": token}
        # Commands carry the actor the secondary authenticated, last; the primary checks its role.
        actor = Actor.from_record(args[-1]) if args else None
        public_question = op == "add_question" and len(args) > 1 and not args[1]  # a viewer's: no actor
        if op in COMMAND_OPS and actor is None and not public_question:
            raise DomainError("forbidden", "a forwarded command must name its actor", 403)
        if op == "control":
            return await e.control(args[0], actor)
        if op == "create_poll":
            return poll_record(await e.create_poll(args[0], actor))
        if op == "poll_action":
            return poll_record(await e.poll_action(*args[:3], actor))
        if op == "add_question":
            return (await e.add_question(args[0], operator=bool(args[1]), actor=actor)).to_dict()
        if op == "question_action":
            return (await e.question_action(*args[:2], actor)).to_dict()
        if op == "issue_seats":
            return await e.issue_seats(args[0], actor)
        if op == "import_scores":  # the file as base64: JSON carries no bytes
            return await e.import_scores(base64.b64decode(str(args[0])), xlsx=bool(args[1]), actor=actor)
        if op == "create_operator":
            op_, token = await e.create_operator(args[0], actor)
            return {"operator": op_.view(), "token": token}
        if op == "revoke_operator":
            return (await e.revoke_operator(args[0], actor)).view()
        if op == "issue_signin_code":
            return list(await e.issue_signin_code(args[0], actor))
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

    is_secondary = True

    def __init__(self, scene: Scene, clock: Clock, url: str, engine_id: str, sensitive_words: tuple[str, ...] = (),
                 *, show_id: str, on_lost: Callable[[str], None]):
        super().__init__(scene, _PrimaryOnly(), clock, sensitive_words=sensitive_words)
        self.sensitive_words = sensitive_words
        self.url, self.engine_id = url, engine_id
        self.voters_are_remote = True
        self.reply_to = f"{PREFIX}:reply:{engine_id}"
        self.redis: aioredis.Redis | None = None
        self.pending: dict[str, asyncio.Future] = {}
        self.tasks: list[asyncio.Task] = []
        self.follower = ShowFollower(show_id)
        self.on_lost = on_lost  # Cluster.step_down
        self.mirror_version: tuple[int, int] = (0, 0)  # (epoch, version) of the snapshot shown
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
        if snap.get("show") != self.follower.show:  # never switch our phones to another show's polls
            self.on_lost(f"Redis now carries another show (the primary on {snap.get('show_db', '?')}): "
                         "restart this secondary to follow it")
            return
        version = (snap.get("epoch"), snap.get("version"))
        if not self.follower.accept(snap) or version <= self.mirror_version:
            return  # an older picture than the one we show, or from a primary that has since lost the lock
        show = Show(self.base_scene, self.sensitive_words)
        show.restore(snap["meta"], snap["polls"], snap["questions"], [], snap.get("operators", []))
        for data in snap["polls"]:  # tallies come as counted by the primary, not from a ballot log
            show.polls[data["id"]] = poll_from_record(data)
        show.signed_in = {seat: (v[0], v[1]) for seat, v in (snap.get("signed_in") or {}).items()}
        self.show = show
        self.mirror_version = version
        self._notify("operators", None)  # a revocation reaches this engine's sockets through the mirror
        self._mirror_changed.set()
        self._mirror_changed = asyncio.Event()

    def apply_seats(self, seats: dict[str, list]) -> None:
        self.seats = {seat: (v[0], v[1]) for seat, v in seats.items()}

    async def _mirror_past(self, epoch: int, version: int) -> None:
        """Wait (at most MIRROR_WAIT_S) until the mirror shows the primary's show after `version`."""
        try:
            async with asyncio.timeout(MIRROR_WAIT_S):
                while not self.mirror_version > (epoch, version):
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
                if not self.follower.accept(reply):
                    continue  # a stale primary's or another show's: the caller times out with "unavailable"
                fut = self.pending.pop(reply.get("id"), None)
                if fut is not None and not fut.done():
                    fut.set_result(reply)

    async def _call(self, op: str, *args: Any) -> Any:
        if self.fenced is not None:
            raise DomainError(UNAVAILABLE, f"this engine no longer serves the show: {self.fenced}", 503)
        rid = uuid.uuid4().hex
        fut = asyncio.get_running_loop().create_future()
        self.pending[rid] = fut
        req = {"id": rid, "reply_to": self.reply_to, "op": op, "args": list(args), "show": self.follower.show,
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

    async def vote(self, voter: str, group: str, venue: str, data: Any, addr: str = "") -> dict[str, Any]:
        # No local checks: the primary alone knows every voter. Its ack is the durable one;
        # anything else (Redis down, primary gone, timeout) is "unavailable", never a false ok.
        try:
            result = await self._call("vote", voter, group, venue, data, addr)
        except DomainError as exc:
            return {"ok": False, "error": exc.code}
        if result.get("ok"):
            self.votes_acked += 1
        return result

    async def control(self, body: Any, actor: Actor = ADMIN) -> dict[str, Any]:
        return await self._call("control", body, actor.record())

    async def create_poll(self, body: Any, actor: Actor = ADMIN) -> Poll:
        return poll_from_record(await self._call("create_poll", body, actor.record()))

    async def poll_action(self, poll_id: Any, action: str, body: Any = None, actor: Actor = ADMIN) -> Poll:
        return poll_from_record(await self._call("poll_action", poll_id, action, body, actor.record()))

    async def add_question(self, body: Any, *, operator: bool, actor: Actor | None = ADMIN):
        record = actor.record() if actor is not None else None
        return Question.from_dict(await self._call("add_question", body, operator, record))

    async def question_action(self, qid: Any, body: Any, actor: Actor = ADMIN):
        return Question.from_dict(await self._call("question_action", qid, body, actor.record()))

    async def issue_seats(self, body: Any, actor: Actor = ADMIN) -> list[tuple[str, str]]:
        return [tuple(s) for s in await self._call("issue_seats", body, actor.record())]

    async def seat_signed_in(self, seat: str, venue: str) -> None:
        if seat in self.show.signed_in or self.fenced is not None:
            return
        try:
            await self._call("seat_signin", seat)
        except DomainError as exc:  # tried again at the seat's next connect
            log.warning("seat %s's sign-in did not reach the primary: %s", seat, exc.message)

    async def import_scores(self, data: bytes, *, xlsx: bool = False, actor: Actor = ADMIN) -> dict[str, Any]:
        require(actor, SCORES)
        return await self._call("import_scores", base64.b64encode(data).decode("ascii"), xlsx, actor.record())

    async def create_operator(self, body: Any, actor: Actor = ADMIN) -> tuple[Operator, str]:
        reply = await self._call("create_operator", body, actor.record())
        return self._mirrored_operator(reply["operator"]), reply["token"]

    async def revoke_operator(self, oid: Any, actor: Actor = ADMIN) -> Operator:
        return self._mirrored_operator(await self._call("revoke_operator", oid, actor.record()))

    async def issue_signin_code(self, oid: Any, actor: Actor = ADMIN) -> tuple[str, float]:
        code, expires = await self._call("issue_signin_code", oid, actor.record())
        return code, expires

    async def redeem_signin_code(self, code: Any) -> tuple[Operator, str]:
        reply = await self._call("redeem_signin_code", code)
        return self._mirrored_operator(reply["operator"]), reply["token"]

    def _mirrored_operator(self, view: dict[str, Any]) -> Operator:
        return Operator(view["id"], view["name"], view["role"], view["created_at"], view.get("revoked_at"))

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
