"""Token buckets: per client IP for HTTP, per connection for votes."""

from __future__ import annotations

import time


class TokenBucket:
    """`rate` tokens per `per` seconds, bursting to `burst`. rate 0 means unlimited."""

    def __init__(self, rate: float, per: float = 60.0, burst: float | None = None, clock=time.monotonic):
        self.rate = rate
        self.per = per
        self.burst = burst if burst is not None else rate
        self.tokens = self.burst
        self.clock = clock
        self.stamp = clock()

    def take(self) -> bool:
        if self.rate <= 0:
            return True
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate / self.per)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class KeyedLimiter:
    """A bucket per key (an IP address), forgetting idle keys so memory stays bounded."""

    def __init__(self, rate: float, per: float = 60.0, burst: float | None = None, max_keys: int = 100_000,
                 clock=time.monotonic):
        self.rate, self.per, self.burst, self.max_keys, self.clock = rate, per, burst, max_keys, clock
        self.buckets: dict[str, TokenBucket] = {}

    def take(self, key: str) -> bool:
        if self.rate <= 0:
            return True
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self._forget_full()
            bucket = self.buckets[key] = TokenBucket(self.rate, self.per, self.burst, self.clock)
        return bucket.take()

    def _forget_full(self) -> None:
        now = self.clock()
        # A bucket idle long enough to have refilled is indistinguishable from a new one.
        refill = self.per * (self.burst or self.rate) / self.rate
        self.buckets = {k: b for k, b in self.buckets.items() if now - b.stamp < refill}
        if len(self.buckets) >= self.max_keys:
            self.buckets.clear()
