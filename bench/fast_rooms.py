"""Experiment: O(1) Socket.IO disconnects (python-socketio's are O(connections)).

python-socketio's BaseManager.basic_disconnect copies and scans every room of the
namespace (each connection has its own room) and searches list-based pending sets, so n
phones hanging up together cost O(n²) on the event loop: 42 s of frozen loop at 10,000
phones (docs/PERFORMANCE.md). This keeps an index from (namespace, sid) to its rooms and
makes the pending lists sets. `install()` patches BaseManager in place, for the bench
(`WZ_FAST_ROOMS=1` with bench/sitecustomize_fast_rooms); a product fix belongs in the
server's manager, see the report.
"""

from __future__ import annotations

from socketio import base_manager

_orig_enter = base_manager.BaseManager.basic_enter_room
_orig_leave = base_manager.BaseManager.basic_leave_room


class _PendingSet(set):
    """The list API python-socketio uses (append/remove/len/in) with O(1) membership."""

    def append(self, item):
        self.add(item)


def _index(self) -> dict:
    idx = self.__dict__.get("_wz_rooms_of")
    if idx is None:
        idx = self.__dict__["_wz_rooms_of"] = {}
    return idx


def basic_enter_room(self, sid, namespace, room, eio_sid=None):
    _orig_enter(self, sid, namespace, room, eio_sid=eio_sid)
    _index(self).setdefault((namespace, sid), set()).add(room)


def basic_leave_room(self, sid, namespace, room):
    _orig_leave(self, sid, namespace, room)
    rooms = _index(self).get((namespace, sid))
    if rooms is not None:
        rooms.discard(room)


def basic_disconnect(self, sid, namespace, **kwargs):
    if namespace not in self.rooms:
        return
    # Leave the sid room and None (the namespace's member list) last, as the original does by order.
    for room in sorted(_index(self).pop((namespace, sid), ()), key=lambda r: (r is None, r == sid)):
        _orig_leave(self, sid, namespace, room)
    self.callbacks.pop(sid, None)
    for pending in (self.pending_connect, self.pending_disconnect):
        members = pending.get(namespace)
        if members is not None and sid in members:
            members.remove(sid)
            if not members:
                del pending[namespace]


def pre_disconnect(self, sid, namespace):
    self.pending_disconnect.setdefault(namespace, _PendingSet()).append(sid)
    return self.rooms[namespace][None].get(sid)


def install() -> None:
    bm = base_manager.BaseManager
    bm.basic_enter_room = basic_enter_room
    bm.basic_leave_room = basic_leave_room
    bm.basic_disconnect = basic_disconnect
    bm.pre_disconnect = pre_disconnect
