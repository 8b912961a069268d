"""Whose show a Redis database carries: the primary lock, its epoch, and the show id.

Three keys, all set together by one script whenever a primary takes the lock:
  wenzheng:primary   the lock: the primary engine's id, 5 s TTL, refreshed every second
  wenzheng:epoch     raised at every take (max(previous + 1, Redis time in ms), so a Redis that
                     restarted empty never hands out an older epoch); every snapshot and reply
                     carries it, and secondaries ignore anything older than the newest they saw
  wenzheng:show      hash {id, db}: the show the rest of the keys belong to (the primary's
                     host and database file); another show never adopts them unless --takeover

A primary frozen past the TTL (SIGSTOP, a VM pause, a hung disk) wakes believing it is still
primary. It trusts its lock only until a local monotonic deadline (TTL minus a margin after
the last confirmed refresh) and asks Redis again before acting on anything from Redis; every
write it makes to the shared state runs in a script that checks, inside Redis, that the lock
and the epoch are still its own. A primary that finds another engine, another show or a newer
epoch in Redis has lost the show: it is fenced and steps down (docs/SCALING.md).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable

log = logging.getLogger(__name__)
PREFIX = "wenzheng"
LOCK, EPOCH, SHOW = f"{PREFIX}:primary", f"{PREFIX}:epoch", f"{PREFIX}:show"
LOCK_TTL_MS = 5000
# Trust the lock locally for a little less than its TTL: Redis started the TTL after we sent the refresh.
TRUST_S = LOCK_TTL_MS / 1000 - 0.5


class ClusterError(RuntimeError):
    """A start-up refusal with a message for the operator (wrong role, no primary, no Redis)."""


ANOTHER_PRIMARY = ("another primary engine already runs on this Redis; start this one with --role secondary, "
                   "or stop the other first")


def another_show(db: str) -> str:
    return (f"this Redis database carries another show (the primary on {db}), whose engine did not stop cleanly: "
            "it crashed, hangs, or lost Redis. One Redis database carries one show: give this show another "
            "database number (redis://HOST:6379/1), or, if that show is over, start this engine with --takeover "
            "(its secondaries then stop; restart them to follow this show)")


# KEYS[1..3] = lock, show, epoch; ARGV[1..3] = engine id, TTL ms, db label.
_TAKE = """
local function take()
  local t = redis.call('time')
  local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local epoch = string.format('%.0f', math.max(tonumber(redis.call('get', KEYS[3]) or '0') + 1, now_ms))
  redis.call('set', KEYS[3], epoch)
  redis.call('hset', KEYS[2], 'id', ARGV[1], 'db', ARGV[3])
  redis.call('set', KEYS[1], ARGV[1], 'px', ARGV[2])
  return epoch
end
"""
# At start. ARGV[4] = '1' for --takeover; KEYS[4..] = the other show's keys to clear on a takeover.
_CLAIM = _TAKE + """
local holder = redis.call('get', KEYS[1])
if holder and holder ~= ARGV[1] then return {'held', holder} end
local show = redis.call('hget', KEYS[2], 'id')
if show and show ~= ARGV[1] then
  if ARGV[4] ~= '1' then return {'show', redis.call('hget', KEYS[2], 'db') or show} end
  for i = 4, #KEYS do redis.call('del', KEYS[i]) end
end
return {'ok', take()}
"""
# Every second, and before acting on a request once the local deadline has passed. ARGV[4] = our epoch.
_HOLD = _TAKE + """
local holder = redis.call('get', KEYS[1])
local epoch = redis.call('get', KEYS[3])
if holder == ARGV[1] and epoch == ARGV[4] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  return {'ok', epoch}
end
local show = redis.call('hget', KEYS[2], 'id')
if show and show ~= ARGV[1] then return {'lost', 'show', redis.call('hget', KEYS[2], 'db') or show} end
if holder and holder ~= ARGV[1] then return {'lost', 'held', holder} end
if epoch and epoch ~= ARGV[4] then return {'lost', 'epoch', epoch} end
return {'retaken', take()}
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] and redis.call('get', KEYS[3]) == ARGV[2] then
  redis.call('del', KEYS[1], KEYS[2])
end
return 0
"""
_LOST = {"held": "another engine took the primary lock ({}) while this one could not refresh it for over 5 s "
                 "(frozen, or cut off from Redis)",
         "show": "Redis now carries another show (the primary on {})",
         "epoch": "another primary ran this show on Redis meanwhile (epoch {})"}


def guarded(body: str) -> str:
    """A write script that does nothing (returns 0) unless KEYS[1] (the lock) is ARGV[1] (our id) and
    KEYS[2] (the epoch) is ARGV[2] (ours): a primary that lost the show can no longer touch it."""
    return ("if redis.call('get', KEYS[1]) ~= ARGV[1] or redis.call('get', KEYS[2]) ~= ARGV[2] then return 0 end\n"
            f"{body}\nreturn 1")


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def read_show(r) -> tuple[str, str] | None:
    """(id, db) of the show this Redis database carries, or None (no primary has joined, or it stopped cleanly)."""
    data = {_text(k): _text(v) for k, v in (r.hgetall(SHOW) or {}).items()}
    return (data["id"], data.get("db", "?")) if "id" in data else None


class PrimaryLock:
    """A primary's hold on the Redis database: checked and claimed at start (sync client), held
    and confirmed while running (async client), released on a clean stop."""

    def __init__(self, engine_id: str, label: str):
        self.id, self.label = engine_id, label
        self.epoch = 0
        self.trusted_until = 0.0  # time.monotonic(): the lock is surely ours before this
        self.lost: str | None = None
        self.on_lost: Callable[[str], None] = lambda reason: None
        self._redis = None
        self._hold_script = self._release_script = None
        self._holding = asyncio.Lock()  # two concurrent holds would each see the other's new epoch as "lost"

    # --- start-up --------------------------------------------------------------------------
    def check(self, r, takeover: bool) -> None:
        """Refuse before this engine writes anything to Redis (it may never get to claim)."""
        holder = r.get(LOCK)
        if holder is not None and _text(holder) != self.id:
            raise ClusterError(ANOTHER_PRIMARY)
        show = read_show(r)
        if show and show[0] != self.id and not takeover:
            raise ClusterError(another_show(show[1]))

    def claim(self, r, takeover: bool, clear: list[str]) -> None:
        """Take the lock at start, under a new epoch; on a takeover, clear the other show's `clear` keys."""
        sent = time.monotonic()
        status, value = r.eval(_CLAIM, 3 + len(clear), LOCK, SHOW, EPOCH, *clear,
                               self.id, LOCK_TTL_MS, self.label, "1" if takeover else "0")
        if _text(status) == "held":
            raise ClusterError(ANOTHER_PRIMARY)
        if _text(status) == "show":
            raise ClusterError(another_show(_text(value)))
        self._confirmed(int(value), sent)

    # --- running ---------------------------------------------------------------------------
    def attach(self, redis_async, on_lost: Callable[[str], None]) -> None:
        self._redis, self.on_lost = redis_async, on_lost
        self._hold_script = redis_async.register_script(_HOLD)
        self._release_script = redis_async.register_script(_RELEASE)

    def trusted(self) -> bool:
        """Surely ours right now, without asking Redis."""
        return self.lost is None and time.monotonic() < self.trusted_until

    async def hold(self) -> bool:
        """Refresh the lock, or take it again if it lapsed with nobody else taking it (Redis restarted
        empty, or this engine was frozen). True when retaken: the caller republishes the show. Finding
        another holder, show or epoch is final: `lost` is set and on_lost called. Raises RedisError."""
        async with self._holding:
            if self.lost is not None:
                return False
            sent = time.monotonic()
            reply = await self._hold_script(keys=[LOCK, SHOW, EPOCH], args=[self.id, LOCK_TTL_MS, self.label, self.epoch])
            status = _text(reply[0])
            if status == "lost":
                self.lost = _LOST[_text(reply[1])].format(_text(reply[2]))
                self.on_lost(self.lost)
                return False
            self._confirmed(int(reply[1]), sent)
            if status == "retaken":
                log.warning("took the primary lock again (epoch %s): it had lapsed and no other primary took it",
                            self.epoch)
            return status == "retaken"

    async def write(self, script, keys: list[str], args: list[Any]) -> bool:
        """Run a `guarded` script: False (nothing written) if the lock or the epoch is no longer ours."""
        return bool(await script(keys=[LOCK, EPOCH, *keys], args=[self.id, self.epoch, *args]))

    async def release(self) -> None:
        """A clean stop frees the lock and the show (another show may then start without --takeover)."""
        if self.lost is None and self._release_script is not None:
            await self._release_script(keys=[LOCK, SHOW, EPOCH], args=[self.id, self.epoch])

    def _confirmed(self, epoch: int, sent: float) -> None:
        self.epoch = epoch
        self.trusted_until = sent + TRUST_S


class ShowFollower:
    """A secondary's filter: believe only replies and snapshots of its own show, no older than the
    newest epoch it has seen (a primary that lost the lock may still be talking)."""

    def __init__(self, show_id: str):
        self.show = show_id
        self.epoch = 0

    def accept(self, message: dict[str, Any]) -> bool:
        epoch = message.get("epoch")
        if message.get("show") != self.show or not isinstance(epoch, int) or epoch < self.epoch:
            return False
        self.epoch = epoch
        return True
