"""The HTTP benchmark keeps running (tiny sizes); its figures are read by people (bench/README.md)."""

import io

import pytest

from bench import bench_http


@pytest.mark.slow
def test_http_benchmark_runs_against_gunicorn_with_a_few_requests() -> None:
    out = io.StringIO()
    figures = bench_http.run(rows=200, rounds=3, seconds=2, out=out)
    assert set(figures["pages"]) == {"queue", "case", "status"}
    assert all(page["ratio"] > 0 for page in figures["pages"].values())
    # the server's CPU time per request came back in the X-Bench-CPU-us header
    assert all(page["ours_cpu_ms"] > 0 for page in figures["pages"].values())
    assert figures["intake"]["cpu_ratio"] > 0 and "CPU ratio" in out.getvalue()
    assert figures["intake"]["ours_tps"] > 0 and figures["intake"]["bare_tps"] > 0
    assert "goal >= 0.5" in out.getvalue()
