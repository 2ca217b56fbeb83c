"""The in-memory rate-limit store (memory://) counts as the library's does, forgets expired
windows, and starts no timer thread per request."""

import threading
import time

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from petition.web import memory_counters
from petition.web.memory_counters import MemoryCounters


def test_memory_addresses_make_this_store() -> None:
    assert isinstance(storage_from_string("memory://"), MemoryCounters)


def test_it_counts_a_window_and_forgets_it_once_over(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = FixedWindowRateLimiter(MemoryCounters())
    two_a_minute = parse("2 per minute")
    assert limiter.hit(two_a_minute, "sign", "a") and limiter.hit(two_a_minute, "sign", "a")
    assert not limiter.hit(two_a_minute, "sign", "a"), "the third in the window is refused"
    assert limiter.hit(two_a_minute, "sign", "b"), "another key counts apart"
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert limiter.hit(two_a_minute, "sign", "a"), "a new window, without any thread's help"


def test_no_thread_is_started_and_expired_counters_are_swept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = MemoryCounters()
    limiter = FixedWindowRateLimiter(store)
    store.timer.join()  # the library's constructor started one, which ours cancelled
    threads = threading.active_count()
    for n in range(500):
        limiter.hit(parse("1 per second"), "sign", f"signer-{n}")
    assert threading.active_count() == threads
    assert not store.timer.is_alive()
    assert len(store.expirations) == 500
    now, monotonic = time.time(), time.monotonic()
    monkeypatch.setattr(time, "time", lambda: now + 2)
    monkeypatch.setattr(time, "monotonic", lambda: monotonic + memory_counters.SWEEP_SECONDS + 1)
    limiter.hit(parse("1 per second"), "sign", "one more")
    assert set(store.expirations) <= {"LIMITER/sign/one more/1/1/second"}, "the rest are swept"
