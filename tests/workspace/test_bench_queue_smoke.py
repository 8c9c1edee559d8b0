"""The queue benchmark keeps running; its figures are read by people (README), not here."""

import io

import pytest

from bench import bench_queue


@pytest.mark.slow
def test_queue_benchmark_runs_with_a_few_requests() -> None:
    out = io.StringIO()
    figures = bench_queue.run(rows=2000, repeat=2, out=out)
    assert figures["rows"] == 2000 and figures["baseline_ms"] > 0
    assert set(figures["filters"]) >= {"default (all open)", "overdue", "assignee"}
    assert "USING COVERING INDEX ix_rights_request_queue" in out.getvalue()
