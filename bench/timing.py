"""Timing shared by the benchmarks that compare ours with a bare baseline in one process."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence


def best_interleaved(contenders: Sequence[Callable[[], object]], repeat: int) -> list[float]:
    """The best wall-clock time of ``repeat`` runs of each contender, run in turn (a, b, a,
    b, ...) so that a machine whose speed drifts during the benchmark moves them alike."""
    best = [float("inf")] * len(contenders)
    for _ in range(repeat):
        for index, contender in enumerate(contenders):
            start = time.perf_counter()
            contender()
            best[index] = min(best[index], time.perf_counter() - start)
    return best
