"""The rate limiter's in-process storage (``memory://``, docs/security.md, "Rate limits").

``limits``' ``MemoryStorage`` removes expired counters in a ``threading.Timer`` that it
starts again on every hit that comes more than 10 ms after the last one: a new thread per
public POST, which costs more wall time than the rest of the limiter on a busy machine
(issue 17). ``SweptMemoryStorage`` is the same storage with the same counts (an expired
counter is already dropped when it is read); only the clean-up of counters nobody reads
again runs in the request's thread, at most once per ``SWEEP_SECONDS``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from limits.storage import MemoryStorage

SWEEP_SECONDS = 1.0
SCHEME = "swept-memory"


class SweptMemoryStorage(MemoryStorage):
    STORAGE_SCHEME = [SCHEME]  # the registry of ``limits`` reads this list

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **kw: str):
        self._next_sweep = 0.0
        self._sweeping = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **kw)

    def _MemoryStorage__schedule_expiry(self) -> None:  # noqa: N802 - overrides the private hook
        now = time.monotonic()
        if now < self._next_sweep or not self._sweeping.acquire(blocking=False):
            return
        try:
            self._next_sweep = now + SWEEP_SECONDS
            sweep: Any = self._MemoryStorage__expire_events  # type: ignore[attr-defined]
            sweep()
        finally:
            self._sweeping.release()


# The two private hooks the subclass relies on; a ``limits`` release without them keeps its
# own timer (slower, the same counts) instead of failing at the first hit.
HOOKS = ("_MemoryStorage__schedule_expiry", "_MemoryStorage__expire_events")


def storage_uri(configured: str) -> str:
    """``memory://`` (the default) is served by ``SweptMemoryStorage``; others as given."""
    swept = all(hasattr(MemoryStorage, hook) for hook in HOOKS)
    return f"{SCHEME}://" if configured == "memory://" and swept else configured
