"""Socket.IO client managers whose disconnect is O(1), not O(connections).

python-socketio's BaseManager.basic_disconnect copies and scans every room of the
namespace — and every connection has a room of its own — and keeps the connections being
(dis)connected in lists. When a vote ends or a cell tower drops, thousands of phones hang
up together and that is O(n²) on the event loop: 42 s of frozen clocks at 10,000 phones
(docs/PERFORMANCE.md). This mixin keeps an index from (namespace, sid) to its rooms and
makes the pending collections sets; everything else is python-socketio's own code.
"""

from __future__ import annotations

import socketio


class _PendingSet(set):
    """The list API python-socketio uses on pending members (append/remove/in/len), O(1)."""

    def append(self, item) -> None:
        self.add(item)


class _PendingByNamespace(dict):
    """python-socketio assigns a fresh list per namespace; store a _PendingSet instead."""

    def __setitem__(self, namespace, members) -> None:
        super().__setitem__(namespace, members if isinstance(members, _PendingSet) else _PendingSet(members))


class RoomIndexMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending_connect = _PendingByNamespace()
        self.pending_disconnect = _PendingByNamespace()
        self._rooms_of: dict[tuple, set] = {}

    def basic_enter_room(self, sid, namespace, room, eio_sid=None):
        super().basic_enter_room(sid, namespace, room, eio_sid=eio_sid)
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid, namespace, room):
        super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def basic_disconnect(self, sid, namespace, **kwargs):
        if namespace not in self.rooms:
            return
        # The sid's own room and None (the namespace's member list) go last, as in the original.
        for room in sorted(self._rooms_of.pop((namespace, sid), ()), key=lambda r: (r is None, r == sid)):
            super().basic_leave_room(sid, namespace, room)
        self.callbacks.pop(sid, None)
        for pending in (self.pending_connect, self.pending_disconnect):
            members = pending.get(namespace)
            if members is not None and sid in members:
                members.remove(sid)
                if not members:
                    del pending[namespace]

    def get_rooms(self, sid, namespace):
        return [r for r in self._rooms_of.get((namespace, sid), ()) if r is not None]


class FastAsyncManager(RoomIndexMixin, socketio.AsyncManager):
    """The single-engine manager."""


class FastAsyncRedisManager(RoomIndexMixin, socketio.AsyncRedisManager):
    """The scale-out manager: broadcasts through Redis, python-socketio's own pub/sub."""
