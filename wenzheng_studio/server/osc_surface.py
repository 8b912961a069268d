"""OSC for a control surface: Bitfocus Companion (a Stream Deck's buttons) drives the show over
UDP, and is told the countdown, the phase and the segment back (docs/COMPANION.md).

OSC has no authentication: whoever can send a datagram to the port presses the director's
buttons. So `serve` listens only when `--osc-port` is given, on 127.0.0.1 unless `--osc-host`
says otherwise. Every press runs through Engine.surface_command as the built-in actor
CONTROL_SURFACE ("控制台 OSC"): the same lock, validation, refusals and history as a control
action over HTTP. Bad input (not OSC, unknown address, wrong types, huge or invalid text) is
refused with a log line; nothing a datagram holds stops the listener.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import socket
import time
from typing import Any

from pythonosc.osc_message_builder import OscMessageBuilder
from pythonosc.osc_packet import OscPacket

from ..core import surface
from ..core.errors import DomainError
from ..core.operators import CONTROL_SURFACE, Actor

log = logging.getLogger(__name__)
MAX_DATAGRAM = 8192  # bytes; a button's message is tens of bytes, a long message line a few hundred
QUEUE_LIMIT = 8  # presses of one sender waiting for their turn; beyond this a stuck button is refused, not queued
RECEIVE_BUFFER = 1 << 20  # bytes
FLOOD_RATE, FLOOD_SENDERS = 50, 256  # datagrams a second per sender; senders remembered
TAKE_GUARD_S = 0.6  # as the control room's: a double press of TAKE must not skip a segment
FEEDBACK_RATE, FEEDBACK_BURST = 5.0, 3.0  # feedback rounds a second at most (a burst of 3), however fast the show changes
FEEDBACK_IDLE_S = 5.0  # with no clock moving, the values are repeated this often (a restarted Companion catches up)


def parse_target(text: str) -> tuple[str, int]:
    """HOST:PORT or [IPv6]:PORT → (host, port); ValueError saying what is wrong."""
    host, sep, port = text.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not HOST:PORT (e.g. 127.0.0.1:12321)")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise ValueError(f"{text!r}: write an IPv6 address in brackets, [::1]:PORT")
    return host, int(port)


class _Bucket:
    """A token bucket: `take()` is False once more than `burst` came faster than `rate` a second."""

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


class _RefusalLog:
    """Refusals are logged, but a flood of bad datagrams must not flood the log (or block a full pipe)."""

    def __init__(self) -> None:
        self.bucket = _Bucket(rate=2.0, burst=20)
        self.hidden = 0

    def __call__(self, message: str, *args: Any) -> None:
        if not self.bucket.take():
            self.hidden += 1
            return
        if self.hidden:
            message += " (and %d more refusals not logged)"
            args = (*args, self.hidden)
            self.hidden = 0
        log.warning(message, *args)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:120] + "…"


class OscSurface:
    """The OSC listener of one engine: presses in, one at a time, as `actor`."""

    def __init__(self, engine: Any, host: str, port: int, actor: Actor = CONTROL_SURFACE):
        self.engine, self.host, self.port, self.actor = engine, host, port, actor
        self.queue: asyncio.Queue = asyncio.Queue()  # bounded per sender (`waiting`), so one cannot crowd out another
        self.waiting: dict[str, int] = {}
        self.refuse = _RefusalLog()
        # Datagrams a second per sender (address and port): buttons are pressed by hand, and a flood
        # from one sender must not lock out Companion on another.
        self.floods: dict[Any, _Bucket] = {}
        self.transport: asyncio.DatagramTransport | None = None
        self._worker: asyncio.Task | None = None
        self._last_take = float("-inf")
        self.done = self.refused = 0

    async def start(self) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        try:
            self.transport, _ = await loop.create_datagram_endpoint(
                lambda: _Listener(self), local_addr=(self.host, self.port), family=family)
        except OSError as exc:  # asyncio's own words name neither OSC nor the reason
            reason = exc.__cause__ or exc.__context__ or exc
            raise OSError(f"the OSC port udp://{self.host}:{self.port} cannot be opened (--osc-port, --osc-host): "
                          f"{getattr(reason, 'strerror', None) or reason}") from None
        sock = self.transport.get_extra_info("socket")
        with contextlib.suppress(OSError):  # a deeper kernel buffer: a burst of junk drops fewer presses (capped by the OS)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        self.host, self.port = self.transport.get_extra_info("sockname")[:2]
        self._worker = asyncio.create_task(self._work(), name="osc-surface")
        return self.host, self.port

    @property
    def loopback(self) -> bool:
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    async def stop(self) -> None:
        if self.transport:
            self.transport.close()
        if self._worker:
            self._worker.cancel()
            await asyncio.gather(self._worker, return_exceptions=True)

    # --- in: datagram → presses → the engine, one at a time --------------------------------
    def received(self, data: bytes, sender: Any) -> None:
        who = f"{sender[0]}:{sender[1]}" if isinstance(sender, tuple) else str(sender)
        if not self._flood_bucket(sender).take():
            self._refused("OSC from %s refused: more than %d datagrams a second", who, FLOOD_RATE)
            return
        if len(data) > MAX_DATAGRAM:
            self._refused("OSC from %s refused: a datagram of %d bytes (at most %d)", who, len(data), MAX_DATAGRAM)
            return
        try:
            messages = [timed.message for timed in OscPacket(data).messages]
        except Exception as exc:  # ParseError, and text that is not UTF-8 (UnicodeDecodeError)
            self._refused("OSC from %s refused: not an OSC message (%s)", who, _shown(str(exc)))
            return
        for message in messages:  # a bundle's messages run now and in order: its time tag is not waited for
            try:
                press = surface.parse_press(message.address, message.params)
            except DomainError as exc:
                self._refused("OSC from %s refused: %s (%s)", who, exc.message, exc.code)
                continue
            if self.waiting.get(who, 0) >= QUEUE_LIMIT:
                self._refused("OSC from %s refused: %s, %d presses of this sender are already waiting", who,
                              press.address, QUEUE_LIMIT)
                continue
            self.waiting[who] = self.waiting.get(who, 0) + 1
            self.queue.put_nowait((press, who))

    def _flood_bucket(self, sender: Any) -> _Bucket:
        bucket = self.floods.pop(sender, None) or _Bucket(rate=FLOOD_RATE, burst=2 * FLOOD_RATE)
        self.floods[sender] = bucket  # most recent last: the oldest sender is forgotten first
        if len(self.floods) > FLOOD_SENDERS:
            del self.floods[next(iter(self.floods))]
        return bucket

    def _refused(self, message: str, *args: Any) -> None:
        self.refused += 1
        self.refuse(message, *args)

    async def _work(self) -> None:
        while True:
            press, who = await self.queue.get()
            try:
                await self._run(press, who)
            except Exception:  # the listener outlives any one press
                self.refused += 1
                log.exception("OSC %s from %s failed", press.address, who)
            finally:
                left = self.waiting.pop(who, 1) - 1
                if left > 0:
                    self.waiting[who] = left

    async def _run(self, press: surface.Press, who: str) -> None:
        if press.address == "/wenzheng/take":
            now = time.monotonic()
            if now - self._last_take < TAKE_GUARD_S:
                self._refused("OSC from %s refused: /wenzheng/take %.2f s after the last one (a double press; "
                              "at least %.1f s apart)", who, now - self._last_take, TAKE_GUARD_S)
                return
            self._last_take = now
        try:
            done = await self.engine.surface_command(lambda show: surface.decide(show, press), self.actor)
        except DomainError as exc:
            self._refused("OSC from %s refused: %s: %s (%s)", who, press.address, exc.message, exc.code)
            return
        self.done += 1
        log.info("OSC from %s: %s → %s", who, press.address, done)


class _Listener(asyncio.DatagramProtocol):
    def __init__(self, owner: OscSurface):
        self.owner = owner

    def datagram_received(self, data: bytes, addr: Any) -> None:
        try:
            self.owner.received(data, addr)
        except Exception:  # never let one datagram close the endpoint
            log.exception("OSC datagram from %s could not be handled", addr)

    def error_received(self, exc: Exception) -> None:  # e.g. ICMP port unreachable: nothing to do
        log.debug("OSC socket error: %s", exc)


# --- out: feedback to Companion ---------------------------------------------------------------
class OscFeedback:
    """Sends the feedback values to each target: on every change (at most 5 times a second),
    on every second of a running countdown, and every few seconds otherwise. Plain
    non-blocking UDP: a target that is down, slow or unreachable costs the engine nothing."""

    def __init__(self, engine: Any, targets: tuple[tuple[str, int], ...], variables: tuple[tuple[str, int], ...]):
        self.engine = engine
        self.targets, self.variable_targets = targets, variables
        self._addresses: list[tuple[tuple, bool]] = []  # (sockaddr, as Companion custom variables)
        self._sockets: dict[int, socket.socket] = {}
        self._changed = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.rounds = self.failures = 0
        self.refuse = _RefusalLog()

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        for targets, as_variables in ((self.targets, False), (self.variable_targets, True)):
            for host, port in targets:
                try:
                    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_DGRAM)
                except OSError as exc:  # said at start, not discovered during the show
                    flag = "--osc-variables" if as_variables else "--osc-feedback"
                    raise OSError(f"{flag} {host}:{port}: this address cannot be found ({exc.strerror or exc})") from None
                family, _, _, _, sockaddr = infos[0]
                if family not in self._sockets:
                    sock = socket.socket(family, socket.SOCK_DGRAM)
                    sock.setblocking(False)
                    self._sockets[family] = sock
                self._addresses.append(((family, sockaddr), as_variables))
        self.engine.listeners.append(self._on_change)
        self._task = asyncio.create_task(self._run(), name="osc-feedback")

    async def stop(self) -> None:
        if self._on_change in self.engine.listeners:
            self.engine.listeners.remove(self._on_change)
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for sock in self._sockets.values():
            sock.close()

    def _on_change(self, kind: str, _detail: Any) -> None:
        if kind in ("state", "poll"):  # not "tally": a vote changes nothing a button shows
            self._changed.set()

    async def _run(self) -> None:
        # Rounds are paced by a token bucket: 5 a second at most, but a press right after a
        # second's tick is still shown at once (a burst of 3).
        tokens, at = FEEDBACK_BURST, time.monotonic()
        self._changed.set()  # the first round at once: a Companion already running learns the show now
        while True:
            try:
                state = self.engine.state(operator=True)
                wait = surface.next_second_in(state) + 0.01 if surface.clock_running(state) else FEEDBACK_IDLE_S
                try:
                    await asyncio.wait_for(self._changed.wait(), wait)
                except asyncio.TimeoutError:
                    pass
                now = time.monotonic()
                tokens, at = min(FEEDBACK_BURST, tokens + (now - at) * FEEDBACK_RATE), now
                if tokens < 1:
                    await asyncio.sleep((1 - tokens) / FEEDBACK_RATE)
                    tokens, at = 1.0, time.monotonic()
                tokens -= 1
                self._changed.clear()
                self.send()
            except asyncio.CancelledError:
                raise
            except Exception:  # the feedback must never take the engine down, nor stop by itself
                log.exception("OSC feedback failed")
                await asyncio.sleep(1)

    def send(self) -> None:
        values = surface.feedback(self.engine.show, self.engine.state(operator=True))
        plain = [_message(address, value) for address, value in values]
        variables = [_message(f"/custom-variable/{surface.variable_name(address)}/value", str(value))
                     for address, value in values]
        self.rounds += 1
        for (family, sockaddr), as_variables in self._addresses:
            for dgram in variables if as_variables else plain:
                try:
                    self._sockets[family].sendto(dgram, sockaddr)
                except OSError as exc:  # buffer full (BlockingIOError), network unreachable…: skip this round
                    self.failures += 1
                    self.refuse("OSC feedback to %s not sent: %s", sockaddr, exc)
                    break


def _message(address: str, value: int | str) -> bytes:
    builder = OscMessageBuilder(address)
    builder.add_arg(value, OscMessageBuilder.ARG_TYPE_INT if isinstance(value, int) else OscMessageBuilder.ARG_TYPE_STRING)
    return builder.build().dgram
