"""A Store whose writes fail on demand, as a full disk would: `store.broken = True`."""

from __future__ import annotations

from wenzheng_studio.store import Store


class BreakableStore(Store):
    broken = False

    def _apply(self, ops):
        if self.broken:
            raise OSError(28, "No space left on device")
        return super()._apply(ops)
