"""The package-encryption benchmark must keep running; its figures are read by people."""

import io

import pytest

from bench import bench_package_crypto


@pytest.mark.slow
def test_crypto_benchmark_runs_small() -> None:
    out = io.StringIO()
    figures = bench_package_crypto.run(mib=2, repeat=1, out=out)
    assert figures["time"]["ratio"] > 0 and figures["memory"]["large_kib"] > 0
    assert "stream encryption" in out.getvalue()
