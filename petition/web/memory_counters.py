"""Rate-limit counters in this process's memory (`memory://`), kept without a thread per moment.

The `limits` library's own memory store starts a timer thread whenever its last one has ended
(10 ms after it started) and that thread walks every counter kept: under a steady load, a thread
for almost every request, and a walk that grows with every signer's address counted for a day.
Measured with 20,000 signers (two counters each), that was 331 µs of CPU per signer, the most
expensive part of a signature. This store, registered for the same `memory://` address, forgets
expired counters when they are read, and walks them all at most once every SWEEP_SECONDS, in the
request that comes due; what it counts is the library's own.
"""

import time
from typing import Any

from limits.storage import MemoryStorage

# How often at most the whole store is walked for expired counters.
SWEEP_SECONDS = 5.0


class MemoryCounters(MemoryStorage):
    """The library's memory store, expired counters forgotten without a timer thread."""

    STORAGE_SCHEME = ["memory"]  # the library's registry now makes this store for memory://

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: Any):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.timer.cancel()  # the library's constructor starts its first timer
        self._next_sweep = time.monotonic() + SWEEP_SECONDS

    def _MemoryStorage__schedule_expiry(self) -> None:  # the library calls it on every count
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + SWEEP_SECONDS
            self._MemoryStorage__expire_events()  # type: ignore[attr-defined]

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        self.get(key)  # forgets the counter if its window is over, as the timer would have
        return super().incr(key, expiry, amount)

    def decr(self, key: str, amount: int = 1) -> int:
        self.get(key)
        return super().decr(key, amount)
