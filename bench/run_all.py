"""Run every benchmark in this folder (``bench_*.py``) in its own process, one after the
other, so each measures its ratio against a baseline taken in the same run.
Extra arguments are passed on to each benchmark (e.g. ``--rows 100000``).

    python bench/run_all.py [--postgres URL] [args...]

With ``--postgres URL`` (``make bench`` passes it when the server answers), the benchmarks
that have a PostgreSQL variant (``bench_http``, ``bench_queue``, ``bench_sources``) run once
more against a fresh database made on that server and dropped afterwards. Each benchmark
prints its ratios with their goals and exits 1 when one is missed; so does this script."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:
    sys.path.insert(0, str(HERE.parent))

POSTGRES = ("bench_http.py", "bench_queue.py", "bench_sources.py")


def _run(script: Path, args: list[str]) -> bool:
    print(f"== {script.name} {' '.join(args)} ==", flush=True)
    return subprocess.run([sys.executable, str(script), *args], cwd=HERE.parent).returncode == 0


def main() -> int:
    args = sys.argv[1:]
    postgres = None
    if "--postgres" in args:
        at = args.index("--postgres")
        postgres = args[at + 1]
        args = args[:at] + args[at + 2 :]
    scripts = sorted(HERE.glob("bench_*.py"))
    if not scripts:
        print("no benchmarks found")
        return 1
    failed = sum(not _run(script, args) for script in scripts)
    if postgres:
        from bench.bench_http import database  # only when PostgreSQL is asked for

        for script in scripts:
            if script.name not in POSTGRES:
                continue
            if script.name == "bench_http.py":
                failed += not _run(script, [*args, "--url", postgres])
                continue
            with tempfile.TemporaryDirectory() as tmp, database(postgres, Path(tmp)) as url:
                failed += not _run(script, [*args, "--url", url])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
