"""The sources benchmark must keep running (tiny size); its figures are read by people."""

import io

import pytest

from bench import bench_sources


@pytest.mark.slow
def test_sources_benchmark_runs_with_a_few_rows() -> None:
    out = io.StringIO()
    figures = bench_sources.run(rows=300, lookup_count=5, out=out)
    assert figures["ingest"]["ratio"] > 0 and figures["lookup"]["ratio"] > 0
    assert figures["ingest"]["cpu_ratio"] > 0
    assert figures["memory"]["large_kib"] > 0
    assert "bare executemany" in out.getvalue()
