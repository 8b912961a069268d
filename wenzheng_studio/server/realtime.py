"""Socket.IO: /audience (phones and seats), /overlay (read-only displays), /control (operators).

State and tallies are pushed through throttles: at most 10 a second, and the last change
always goes out within 100 ms. A view that (re)connects gets the whole state first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import socketio

from ..core.errors import DomainError
from ..core.operators import ADMIN, Actor
from ..core.polls import INVALID, RATE_LIMITED, REMOTE, STUDIO
from .auth import VoterTokens, same_secret
from .engine import Engine
from .lean_engineio import LeanSocketIOServer
from .ratelimit import TokenBucket
from .rooms import FastAsyncManager

log = logging.getLogger(__name__)
PUSH_INTERVAL_S = 0.1  # ≤ 10 Hz
HEARTBEAT_S = 1.0
MAX_MESSAGE_BYTES = 16 * 1024
AUD, OVL, CTL = "/audience", "/overlay", "/control"
# A connection refused this often within one window is a script, not a phone (the page sends
# a vote or two a round), and is disconnected: every refused packet still costs the loop its
# parse, task and ack, and 4 such connections (303,200 packets in 12 s) pushed honest votes'
# p99 to 1,050 ms (docs/PERFORMANCE.md). Counted: rate_limited, invalid, unknown events.
FLOOD_REFUSALS = 50
FLOOD_WINDOW_S = 10.0
# ...and its credential may not reconnect for a while: reconnecting at once with the same
# token, a flooder got up to 75,000 frames in per connection before each drop (bench/flood.py).
FLOOD_COOLOFF_S = 60.0


@dataclass
class Refusals:
    """One connection's refusals in its current fixed window."""
    start: float = 0.0
    n: int = 0
    dropped: bool = False


@dataclass
class Voter:
    voter: str
    group: str
    venue: str
    bucket: TokenBucket
    addr: str = ""  # the peer's address at connect, stored with each ballot for the audit
    refusals: Refusals = field(default_factory=Refusals)


def client_addr(environ: dict) -> str:
    """The connection's peer address. python-engineio's ASGI environ hard-codes REMOTE_ADDR to
    127.0.0.1, so the real one comes from the ASGI scope (behind a proxy: the proxy's)."""
    client = (environ.get("asgi.scope") or {}).get("client")
    return str(client[0]) if client else str(environ.get("REMOTE_ADDR", ""))


class Throttle:
    """Coalesces pokes: the first goes out at once, later ones at most every `interval`."""

    def __init__(self, interval: float, send: Callable[[], Any]):
        self.interval = interval
        self.send = send
        self.last = 0.0
        self.handle: asyncio.TimerHandle | None = None
        self.sent = 0

    def poke(self) -> None:
        if self.handle is not None:
            return  # a send is already scheduled and will carry the newest data
        delay = max(0.0, self.last + self.interval - time.monotonic())
        self.handle = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self.handle = None
        self.last = time.monotonic()
        self.sent += 1
        task = asyncio.ensure_future(self.send())
        task.add_done_callback(_log_failure)


def _shows_result(poll) -> bool:
    return poll.state == "closed" and poll.revealed


def _log_failure(task: asyncio.Future) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("push failed", exc_info=task.exception())


class Realtime:
    def __init__(self, engine: Engine, tokens: VoterTokens, admin_token: str,
                 client_manager: socketio.AsyncManager | None = None, vote_rate: float = 5.0,
                 flood_refusals: int = FLOOD_REFUSALS, flood_window_s: float = FLOOD_WINDOW_S):
        self.engine = engine
        self.tokens = tokens
        self.admin_token = admin_token
        self.vote_rate = vote_rate
        self.flood_refusals, self.flood_window_s = flood_refusals, flood_window_s
        self.flood_disconnects = 0  # connections dropped for flooding (seen by tests and benches)
        self.flood_cooloff_s = FLOOD_COOLOFF_S
        self._cooling: dict[str, float] = {}  # voter id → until when its reconnects are refused
        self.sio = LeanSocketIOServer(
            async_mode="asgi", max_http_buffer_size=MAX_MESSAGE_BYTES, ping_interval=20, ping_timeout=25,
            cors_allowed_origins="*", client_manager=client_manager or FastAsyncManager(),
            # Events run in the Engine.IO layer's turn: a websocket phone's messages one after
            # another (lean_engineio.py), a long-polling one's each in a task of python-engineio's.
            # A task per event (python-socketio's default) would undo the first and cost the hot path.
            async_handlers=False)
        self.voters: dict[str, Voter] = {}
        self.crew_sockets: dict[str, Actor] = {}  # /control connections and who signed them in
        self._overlay_refusals: dict[str, Refusals] = {}
        self.connects = 0  # phone connection attempts (activity for the GC pacer)
        self.departures = 0  # phone hang-ups (activity too; garbage for its deep collection)
        self._state = Throttle(PUSH_INTERVAL_S, self._push_state)
        self._tallies: dict[int, Throttle] = {}
        self._last_audience_poll: tuple | None = None
        self._heartbeat: asyncio.Task | None = None
        self._register()
        engine.listeners.append(self._on_change)

    # --- lifecycle -----------------------------------------------------------------------
    def start(self) -> None:
        self._heartbeat = asyncio.create_task(self._beat(), name="realtime-heartbeat")

    async def stop(self) -> None:
        if self._heartbeat:
            self._heartbeat.cancel()

    async def _beat(self) -> None:
        """While clocks run, push state every second so simple displays stay current."""
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            show = self.engine.show
            if show.order.status == "live" or show.timer.running or show.open_poll(self.engine.clock.now()):
                self._state.poke()

    # --- engine → views ------------------------------------------------------------------
    def _on_change(self, kind: str, detail: Any) -> None:
        if kind in ("state", "poll"):
            self._state.poke()
        if kind == "tally" and detail is not None:
            throttle = self._tallies.get(detail)
            if throttle is None:
                throttle = self._tallies[detail] = Throttle(PUSH_INTERVAL_S, lambda pid=detail: self._push_tally(pid))
            throttle.poke()
        if kind == "questions":
            self._state.poke()
            asyncio.ensure_future(self.sio.emit("questions", {"ids": list(detail)}, namespace=CTL))
        if kind == "operators":
            self._drop_signed_out()

    async def _push_state(self) -> None:
        e = self.engine
        await self.sio.emit("state", e.state(operator=True), namespace=CTL)
        await self.sio.emit("state", e.state(operator=False), namespace=OVL)
        await self._push_audience_poll()

    async def _push_audience_poll(self) -> None:
        poll = self.engine.show.current_poll()
        # ballots: a closed, revealed poll carries its result, which must reach the phones again if it changes
        # (attending: the director correcting the head count after the close changes the score)
        key = (poll.id, poll.state, poll.revealed, poll.closes_at,
               _shows_result(poll) and (poll.ballots, poll.attending)) if poll else None
        if key != self._last_audience_poll:
            self._last_audience_poll = key
            await self.sio.emit("poll", self._audience_poll(), namespace=AUD)

    def _audience_poll(self) -> dict[str, Any] | None:
        poll = self.engine.show.current_poll()
        if poll is None:
            return None
        view = self.engine.poll_view(poll, operator=False, with_tally=False)
        if _shows_result(poll):
            # The phones show the result once voting is over and the director has revealed it:
            # the shares and totals only (PROTOCOL: the audience poll carries no `tally`).
            full = self.engine.poll_view(poll, operator=False)
            view.update({k: full[k] for k in ("ballots", "combined", "score", "attending", "attending_source") if k in full})
        view["server_time"] = self.engine.clock.now()
        return view

    async def _push_tally(self, poll_id: int) -> None:
        poll = self.engine.show.polls.get(poll_id)
        if poll is None:
            return
        await self.sio.emit("tally", self.engine.poll_view(poll, operator=True), namespace=CTL)
        if poll.revealed:
            await self.sio.emit("tally", self.engine.poll_view(poll, operator=False), namespace=OVL)

    async def _send_voted(self, sid: str, voter: Voter, polls: list[int]) -> None:
        await self._send(sid, AUD, "voted", {"polls": polls, "group": voter.group, "venue": voter.venue})

    async def _send_voted_later(self, sid: str, voter: Voter) -> None:
        polls = await self.engine.voted(voter.voter)
        if self.voters.get(sid) is voter:  # still connected
            await self._send_voted(sid, voter, polls)

    async def _send(self, sid: str, namespace: str, event: str, data: Any) -> None:
        await self.sio.emit(event, data, to=sid, namespace=namespace, ignore_queue=True)

    # --- floods --------------------------------------------------------------------------
    def _cooling_off(self, voter: str) -> bool:
        until = self._cooling.get(voter)
        if until is None:
            return False
        if until > time.monotonic():
            return True
        del self._cooling[voter]
        return False

    def _refused(self, sid: str, namespace: str, refusals: Refusals) -> None:
        """Count a refusal; past the limit, drop the connection (once)."""
        if refusals.dropped:
            return
        now = time.monotonic()
        if now - refusals.start > self.flood_window_s:
            refusals.start, refusals.n = now, 0
        refusals.n += 1
        if refusals.n >= self.flood_refusals:
            refusals.dropped = True
            self.flood_disconnects += 1
            voter = self.voters.get(sid) if namespace == AUD else None
            if voter is not None:
                if len(self._cooling) > 10_000:  # bounded: forget the expired ones
                    now = time.monotonic()
                    self._cooling = {v: t for v, t in self._cooling.items() if t > now}
                self._cooling[voter.voter] = time.monotonic() + self.flood_cooloff_s
            log.warning("dropping %s %s: %d refusals within %.0f s", namespace, sid, refusals.n, self.flood_window_s)
            # Not awaited here: the ack of this packet goes out, the hang-up follows at once.
            asyncio.ensure_future(self._drop(sid, namespace)).add_done_callback(_log_failure)

    async def _drop(self, sid: str, namespace: str) -> None:
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, namespace)
        # The namespace DISCONNECT first: a Socket.IO client then knows the server hung up
        # ("io server disconnect") and does not reconnect by itself...
        await self.sio.disconnect(sid, namespace=namespace, ignore_queue=True)
        # ...then the transport, or a raw client could keep making us parse its packets.
        eio_socket = self.sio.eio.sockets.get(eio_sid) if eio_sid is not None else None
        if eio_socket is not None:
            await self.sio.eio.disconnect(eio_sid)
            # python-engineio's close only sends CLOSE and waits for the client to hang up,
            # reading (and dispatching) whatever it sends meanwhile: close it from our side.
            await eio_socket.hang_up()

    # --- handlers ------------------------------------------------------------------------
    def _register(self) -> None:
        sio = self.sio

        @sio.on("connect", namespace=AUD)
        async def audience_connect(sid, environ, auth=None):
            self.connects += 1
            voter = await self._authenticate_voter(auth)
            if voter is None:
                raise socketio.exceptions.ConnectionRefusedError({"code": "unauthorized",
                                                                  "message": "凭证无效，请重新扫码"})
            if self._cooling and self._cooling_off(voter.voter):  # dropped for flooding a moment ago
                raise socketio.exceptions.ConnectionRefusedError({"code": RATE_LIMITED,
                                                                  "message": "操作太频繁，请一分钟后再试"})
            voter.addr = client_addr(environ)
            self.voters[sid] = voter
            if voter.group == STUDIO and voter.voter.startswith("s:"):  # a seat's link: it attends (听证评议)
                if voter.voter[2:] not in self.engine.show.signed_in:  # durable in the background: never holds the connect
                    asyncio.ensure_future(self.engine.seat_signed_in(voter.voter[2:], voter.venue)).add_done_callback(
                        _log_failure)
            await self._send(sid, AUD, "poll", self._audience_poll())
            if not self.engine.voters_are_remote:  # the primary knows every voter: answer at once
                await self._send_voted(sid, voter, self.engine.voted_in(voter.voter))
            else:  # a secondary asks the primary through Redis: answer when it replies, not holding the connect
                task = asyncio.ensure_future(self._send_voted_later(sid, voter))
                task.add_done_callback(_log_failure)

        @sio.on("disconnect", namespace=AUD)
        async def audience_disconnect(sid, reason=None):
            self.departures += 1
            self.voters.pop(sid, None)

        @sio.on("vote", namespace=AUD)
        async def vote(sid, data=None):
            voter = self.voters.get(sid)
            if voter is None:
                return {"ok": False, "error": "invalid"}
            if voter.refusals.dropped:  # being hung up: no answer (its ack costs as much as the rest)
                return self.sio.not_handled
            if not voter.bucket.take():
                self._refused(sid, AUD, voter.refusals)
                return {"ok": False, "error": RATE_LIMITED}
            result = await self.engine.vote(voter.voter, voter.group, voter.venue, data, addr=voter.addr)
            if result.get("error") == INVALID:  # a malformed payload: the page never sends one
                self._refused(sid, AUD, voter.refusals)
            return result

        @sio.on("*", namespace=AUD)
        async def audience_other(event, sid, *data):
            voter = self.voters.get(sid)  # an event nobody handles: not from our page
            if voter is not None:
                self._refused(sid, AUD, voter.refusals)
            return self.sio.not_handled  # as before: an unhandled event gets no ack

        @sio.on("*", namespace=OVL)
        async def overlay_other(event, sid, *data):
            self._refused(sid, OVL, self._overlay_refusals.setdefault(sid, Refusals()))  # displays only listen
            return self.sio.not_handled

        @sio.on("disconnect", namespace=OVL)
        async def overlay_disconnect(sid, reason=None):
            self._overlay_refusals.pop(sid, None)

        @sio.on("connect", namespace=OVL)
        async def overlay_connect(sid, environ, auth=None):
            await self._send(sid, OVL, "state", self.engine.state(operator=False))
            poll = self.engine.show.current_poll()
            if poll is not None and poll.revealed:
                await self._send(sid, OVL, "tally", self.engine.poll_view(poll, operator=False))

        @sio.on("connect", namespace=CTL)
        async def control_connect(sid, environ, auth=None):
            actor = self._operator(auth)
            if actor is None:
                raise socketio.exceptions.ConnectionRefusedError({"code": "unauthorized",
                                                                  "message": "an operator token is required"})
            self.crew_sockets[sid] = actor
            await self._send(sid, CTL, "state", self.engine.state(operator=True))
            poll = self.engine.show.current_poll()
            if poll is not None:
                await self._send(sid, CTL, "tally", self.engine.poll_view(poll, operator=True))

        @sio.on("disconnect", namespace=CTL)
        async def control_disconnect(sid, reason=None):
            self.crew_sockets.pop(sid, None)

        @sio.on("control", namespace=CTL)
        async def control(sid, data=None):
            actor = self.crew_sockets.get(sid)
            if actor is None:  # revoked a moment ago: its hang-up is on its way
                return {"ok": False, "error": "unauthorized", "message": "this operator was signed out"}
            try:
                return await self.engine.control(data, actor)  # PROTOCOL: acknowledged with the new state
            except DomainError as exc:
                return {"ok": False, "error": exc.code, "message": exc.message}

    # --- the crew ------------------------------------------------------------------------
    def _operator(self, auth: Any) -> Actor | None:
        token = auth.get("token") if isinstance(auth, dict) else None
        if not isinstance(token, str):
            return None
        if same_secret(token, self.admin_token):
            return ADMIN
        return self.engine.actor_for(token)

    def _drop_signed_out(self) -> None:
        """A revoked operator's connections end at once (its requests already answer 401)."""
        crew = self.engine.show.crew.operators
        for sid, actor in list(self.crew_sockets.items()):
            op = crew.get(actor.id)
            if actor.id != ADMIN.id and (op is None or not op.active):
                del self.crew_sockets[sid]
                log.warning("signing out %s (%s): the operator was revoked", actor.name, actor.role)
                asyncio.ensure_future(self.sio.disconnect(sid, namespace=CTL, ignore_queue=True)).add_done_callback(
                    _log_failure)

    async def _authenticate_voter(self, auth: Any) -> Voter | None:
        if not isinstance(auth, dict):
            return None
        bucket = TokenBucket(self.vote_rate, per=1.0, burst=max(3.0, self.vote_rate * 2))
        if "token" in auth:
            voter = self.tokens.voter(auth.get("token"))
            return Voter(voter, REMOTE, "remote", bucket) if voter else None
        seat, key = auth.get("seat"), auth.get("key")
        if not isinstance(seat, str) or len(seat) > 64:
            return None
        found = await self.engine.seat(seat)
        if found is not None and same_secret(key, found[1]):
            return Voter(f"s:{seat}", STUDIO, found[0], bucket)
        return None
