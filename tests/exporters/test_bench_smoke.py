"""The benchmark must keep running; its figures are checked by people, not here."""

import io

import pytest

from bench import bench_export


@pytest.mark.slow
def test_benchmark_runs_with_a_few_rows() -> None:
    out = io.StringIO()
    figures = bench_export.run(rows=2000, out=out)
    assert figures["rows"] == 2000
    assert figures["csv"]["ratio"] > 0
    assert figures["xlsx"]["ratio"] > 0 and figures["xlsx"]["rows"] == 400
    assert figures["memory"]["large_kib"] > 0
    assert "CSV exporter vs bare" in out.getvalue()
