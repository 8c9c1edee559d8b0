"""The sources benchmark must keep running (tiny size); its figures are read by people.

On SQLite always; on PostgreSQL too when ``TEST_DATABASE_URL`` names a server (a fresh
database is made on it and dropped after, as ``bench/run_all.py`` does)."""

import io
import os
from pathlib import Path

import pytest

from bench import bench_sources


@pytest.mark.slow
def test_sources_benchmark_runs_with_a_few_rows() -> None:
    out = io.StringIO()
    figures = bench_sources.run(rows=300, lookup_count=5, out=out, repeat=2)
    assert figures["ingest"]["ratio"] > 0 and figures["lookup"]["ratio"] > 0
    assert figures["ingest"]["cpu_ratio"] > 0
    assert figures["memory"]["large_kib"] > 0
    assert "bare executemany" in out.getvalue() and "goal <= 2" in out.getvalue()
    assert "(best of 2)" in out.getvalue() and "goal <= 1.5" in out.getvalue()
    assert set(figures["missed"]) <= {"ingest", "look-up", "memory"}


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL", "").startswith("postgres"),
    reason="needs TEST_DATABASE_URL of a PostgreSQL server",
)
def test_sources_benchmark_runs_on_postgresql(tmp_path: Path) -> None:
    from bench.bench_http import database

    out = io.StringIO()
    with database(os.environ["TEST_DATABASE_URL"], tmp_path) as url:
        figures = bench_sources.run(rows=300, lookup_count=5, out=out, url=url, repeat=1)
    assert set(figures["ingest"]["against"]) == {"executemany", "COPY"}
    assert figures["ingest"]["ratio"] == figures["ingest"]["against"]["COPY"]["ratio"] or (
        figures["ingest"]["against"]["executemany"]["bare_s"]
        < figures["ingest"]["against"]["COPY"]["bare_s"]
    )
    assert figures["lookup"]["ratio"] > 0 and figures["memory"]["large_kib"] > 0
    assert "bare COPY" in out.getvalue() and "on postgresql" in out.getvalue()
