"""The in-process rate-limit storage (portal/ratelimit.py) counts as ``limits``' own memory
storage does, without starting a timer thread on its hits."""

from __future__ import annotations

import threading

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from portal.ratelimit import SCHEME, SweptMemoryStorage, storage_uri


def _hits(storage: MemoryStorage, started: list[object], monkeypatch) -> list[bool]:
    real = threading.Timer

    def timer(*args, **kwargs):  # the library starts its clean-up in one of these
        started.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(threading, "Timer", timer)
    limit, limiter = parse("5 per minute"), FixedWindowRateLimiter(storage)
    try:
        return [limiter.hit(limit, "ip", "1.2.3.4") for _ in range(8)]
    finally:
        monkeypatch.setattr(threading, "Timer", real)


def test_it_counts_as_the_library_does_and_starts_no_timer(monkeypatch):
    ours, stock = SweptMemoryStorage(), MemoryStorage()
    for storage in (ours, stock):  # both start one at creation; let it end first
        storage.timer.join()
    ours_started: list[object] = []
    stock_started: list[object] = []
    got = _hits(ours, ours_started, monkeypatch)
    want = _hits(stock, stock_started, monkeypatch)
    assert got == want == [True] * 5 + [False] * 3
    assert ours_started == [] and stock_started  # the library's own does start one


def test_only_the_memory_default_is_swapped():
    assert storage_uri("memory://") == f"{SCHEME}://"
    assert storage_uri("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"
