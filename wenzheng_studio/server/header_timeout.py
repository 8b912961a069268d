"""uvicorn's HTTP protocol with a deadline for the request line and headers (slowloris).

uvicorn bounds only the idle time *after* a response (`timeout_keep_alive`): its httptools
and h11 protocols start no timer in `connection_made`, so a connection that sends half a
request line or half its headers and then idles is held, with its file descriptor, for as
long as the client likes. A few thousand of them exhaust the engine's descriptors and no
phone can connect. Here every request must have its headers complete within
HEADER_TIMEOUT_S of its connection (or, on a kept-alive connection, of its first byte);
otherwise the connection is closed. A request whose headers are in (the body may follow at
any pace, a WebSocket may stay for the whole show) is never touched.
"""

from __future__ import annotations

import asyncio
from typing import Any

HEADER_TIMEOUT_S = 10.0


class _HeaderDeadline:
    """Mixin for a uvicorn HTTP protocol: `_arm()` when a request starts, `_disarm()` when
    its headers are complete. Uses only `loop` and `transport`, which both protocols have."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._arm()  # a connection that sends nothing at all is bounded too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm(self) -> None:
        if self._header_timer is None:  # keep the first deadline: trickling bytes does not extend it
            loop = self.loop  # type: ignore[attr-defined]
            self._header_timer = loop.call_later(HEADER_TIMEOUT_S, self._headers_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        self._header_timer = None
        self.transport.close()  # type: ignore[attr-defined]  (connection_lost follows and cleans up)


def protocol_class() -> type[asyncio.Protocol]:
    """The protocol uvicorn's `http="auto"` would pick (httptools if installed, else h11),
    with the header deadline."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    except ImportError:  # httptools is missing (it comes with uvicorn[standard])
        return _h11_protocol()

    class HttpToolsWithHeaderTimeout(_HeaderDeadline, HttpToolsProtocol):
        def on_message_begin(self) -> None:  # the first byte of a (next) request
            self._arm()
            super().on_message_begin()

        def on_headers_complete(self) -> None:  # also runs before a WebSocket upgrade
            self._disarm()
            super().on_headers_complete()

    return HttpToolsWithHeaderTimeout


def _h11_protocol() -> type[asyncio.Protocol]:
    import h11
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class H11WithHeaderTimeout(_HeaderDeadline, H11Protocol):
        def data_received(self, data: bytes) -> None:
            # h11 has no header callback: the peer's state leaves IDLE once a Request event
            # (all the headers) has been parsed, and returns to IDLE for a kept-alive next one.
            if self.conn.their_state is h11.IDLE:
                self._arm()
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm()

    return H11WithHeaderTimeout
