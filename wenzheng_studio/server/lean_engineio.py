"""A leaner Engine.IO websocket loop for python-engineio (issue #17).

python-engineio's websocket loop pays, for every message, a Task and a `wait_for` around the
read, a Task for the message handler (via `_trigger_event`), a queue put and a writer Task
woken through `wait_for(queue.get())` for every packet sent. Under a vote burst that asyncio
machinery was the largest share of the event loop's time (docs/PERFORMANCE.md). This socket
does the same protocol with one reader and no writer task:

- a packet for a websocket client is written at once, in the caller's turn (uvicorn's
  websocket send writes to the transport without waiting unless the client is not reading);
- the reader awaits the next message directly; a client silent for `ping_interval +
  ping_timeout` is hung up by one timer per socket, re-armed from a timestamp (not a
  `wait_for` per message);
- a client's messages are handled in turn, each awaited before the next is read, instead of
  a task per message. Measured, this is most of the gain: 5,000 phones' burst went from
  8,400 (python-engineio's loop) and 10,200 (this loop, a task per message) to 13,300
  votes/s (docs/PERFORMANCE.md). It also bounds what one client costs: a flooder's packets
  are handled one at a time, and until one is answered TCP holds the rest back, where
  python-engineio created a task for every packet read. It is safe because no handler of
  ours waits for the same client to send something (no `sio.call`): the longest wait is a
  vote's durable commit, a few milliseconds, and a client's PONG or hang-up is read after it.

Everything else — long-polling, the upgrade from polling to websocket (a phone's browser
starts on polling), pings, close — is python-engineio's own code or follows it line by line,
except that every failed upgrade ends the upgrade (see `_websocket_handler`).
"""

from __future__ import annotations

import asyncio

import engineio
import socketio
from engineio import async_socket, exceptions, packet


class LeanSocket(async_socket.AsyncSocket):
    """An Engine.IO socket whose websocket transport skips the writer task and the per-message waits."""

    ws = None  # the websocket, once every packet queued before it has been written to it
    _heard_at = 0.0  # loop time of the last message read from the websocket
    _watchdog: asyncio.TimerHandle | None = None

    async def send(self, pkt):
        ws = self.ws
        if ws is None:  # long-polling, or still upgrading: python-engineio's queue
            return await super().send(pkt)
        if not await self.check_ping_timeout():
            return
        try:
            await ws.send(pkt.encode())
        except Exception:  # the client is gone: the reader sees the hang-up and ends the socket
            self.ws = None
            await ws.close()

    async def hang_up(self) -> None:
        """Close the transport from our side now (a flooder must not be read any longer)."""
        ws = self.ws
        if ws is not None:
            self.ws = None
            await ws.close()
        else:
            self.queue.put_nowait(None)  # polling or upgrading: python-engineio's writer ends on None

    async def _websocket_handler(self, ws):
        """Engine.IO over a websocket, as python-engineio's, without a writer task."""
        server = self.server
        limit = server.max_http_buffer_size

        if self.connected:  # upgrading from long-polling: the probe, then UPGRADE (as python-engineio)
            self.upgrading = True  # hold packet sends during the upgrade
            try:
                upgraded = await self._upgrade(ws, limit)
            finally:
                # Every way out of the upgrade ends it. python-engineio leaves `upgrading` set when
                # the client hangs up before its probe or sends an oversized or undecodable one; the
                # session then stays on polling, whose every GET answers NOOP, so each packet queued
                # for the phone (a counted vote's ack, the poll) is lost until the ping times out.
                self.upgrading = False
            if not upgraded:
                return
            self.upgraded = True
        else:
            self.connected = True
            self.upgraded = True

        if await self._flush_queue_to(ws):
            await self._read_messages(ws, limit)
        await ws.close()
        await self.close(wait=False, abort=True, reason=server.reason.TRANSPORT_CLOSE)

    async def _read_messages(self, ws, limit: int) -> None:
        """One reader until the client hangs up, goes silent or sends too much."""
        server = self.server
        loop = asyncio.get_running_loop()
        self._heard_at = loop.time()
        self._arm_watchdog(loop, ws)
        handle = server.handlers.get('message')
        try:
            while True:
                try:
                    p = await ws.wait()
                except Exception:  # OSError: the client hung up; CancelledError: shutting down
                    break
                if p is None or len(p) > limit:
                    break
                self._heard_at = loop.time()
                try:
                    pkt = packet.Packet(encoded_packet=p)
                except Exception:  # not Engine.IO: python-engineio's loop would log and go on
                    server.logger.info('%s: undecodable packet', self.sid)
                    continue
                if pkt.packet_type == packet.MESSAGE and handle is not None:
                    # In turn, not in a task per message as python-engineio does: see the module's note.
                    await _run_message(server, handle, self.sid, pkt.data)
                    continue
                try:
                    await self.receive(pkt)
                except exceptions.UnknownPacketError:
                    pass
                except exceptions.SocketIsClosedError:
                    server.logger.info('Receive error -- socket is closed')
                    break
                except Exception:
                    server.logger.exception('Unknown receive error')
        finally:
            if self._watchdog is not None:
                self._watchdog.cancel()
                self._watchdog = None
            self.ws = None

    async def _upgrade(self, ws, limit: int) -> bool:
        """python-engineio's upgrade handshake: PING "probe" → PONG "probe", then UPGRADE."""
        server = self.server
        decoded = await _upgrade_packet(ws, limit)
        if decoded is None or decoded.packet_type != packet.PING or decoded.data != 'probe':
            server.logger.info('%s: Failed websocket upgrade, no PING packet', self.sid)
            return False
        await ws.send(packet.Packet(packet.PONG, data='probe').encode())
        await self.queue.put(packet.Packet(packet.NOOP))  # end the pending poll
        decoded = await _upgrade_packet(ws, limit)
        if decoded is None or decoded.packet_type != packet.UPGRADE:
            self.upgraded = False
            server.logger.info('%s: Failed websocket upgrade, expected UPGRADE packet', self.sid)
            return False
        return True

    async def _flush_queue_to(self, ws) -> bool:
        """Write what was queued before the websocket (the OPEN packet, a connect's first
        emits), then send straight to it. No await between the queue found empty and `self.ws`
        being set, so no packet can slip into the queue behind the switch."""
        while True:
            try:
                pkt = self.queue.get_nowait()
            except asyncio.QueueEmpty:
                self.ws = ws
                return True
            self.queue.task_done()
            if pkt is None:  # hung up before the websocket took over
                return False
            try:
                await ws.send(pkt.encode())
            except Exception:
                return False

    def _arm_watchdog(self, loop, ws) -> None:
        self._watchdog = loop.call_at(self._heard_at + self._silence_limit(), self._watch, loop, ws)

    def _silence_limit(self) -> float:
        return self.server.ping_interval + self.server.ping_timeout

    def _watch(self, loop, ws) -> None:
        """python-engineio gives up on a websocket silent for ping_interval + ping_timeout."""
        if loop.time() - self._heard_at < self._silence_limit():
            self._arm_watchdog(loop, ws)
            return
        self._watchdog = None
        self.server.logger.info('%s: websocket silent too long, closing it', self.sid)
        self.ws = None
        loop.create_task(ws.close())  # the reader gets the disconnect and ends the socket


async def _upgrade_packet(ws, limit: int):
    """The upgrade's next packet, or None: the client hung up, or sent too much or no Engine.IO packet."""
    try:
        p = await ws.wait()
    except OSError:
        return None
    if p is None or len(p) > limit:
        return None
    try:
        return packet.Packet(encoded_packet=p)
    except Exception:  # an empty or garbled probe: python-engineio's handler died here, mid-upgrade
        return None


async def _run_message(server, handle, sid, data):
    """As python-engineio's async handler: an exception is logged and the next message is read."""
    try:
        await handle(sid, data)
    except Exception:
        server.logger.exception('message async handler error')


class _LeanSockets(dict):
    """python-engineio's `sockets` table; a socket stored in it becomes a LeanSocket.

    `AsyncServer._handle_connect` builds an AsyncSocket and stores it here straight away,
    before anything else touches it; LeanSocket adds no state of its own at construction,
    so changing its class there is the one-line hook python-engineio allows without copying
    its connect handler."""

    def __setitem__(self, sid, socket) -> None:
        if type(socket) is async_socket.AsyncSocket:
            socket.__class__ = LeanSocket
        super().__setitem__(sid, socket)


class LeanEngineIOServer(engineio.AsyncServer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sockets = _LeanSockets(self.sockets)


class LeanSocketIOServer(socketio.AsyncServer):
    """python-socketio's server on the lean Engine.IO server: same API, same protocol."""

    def _engineio_server_class(self):
        return LeanEngineIOServer
