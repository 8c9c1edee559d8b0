"""Data-file benchmark: ingest and look-up against bare SQL, and memory growth.

    python bench/bench_sources.py [--rows N] [--lookups L] [--repeat R] [--url URL]

(1) Ingest an N-row Dutch CSV (``;``, Windows-1252) with ``rights.sources.ingest`` into a
fresh database, against a bare ``csv.reader`` + ``executemany`` of the same rows into the
same table of a fresh database of the same kind (on PostgreSQL, also a bare ``COPY`` of
the raw cells, the product's own path without its work: bench/README.md says why): the
time ratio and the ratio of this process's CPU time, best of R interleaved runs.
(2) Memory: the growth of a child process's peak RSS during the ingest, above its size
with everything imported and the database made, for N/10 and N rows (must stay flat).
(3) Look up one subject among the N records as discovery does: normalise the identifiers as
the subject typed them (e-mail, phone, customer number, name and address:
``rights.sources.subject.subject_keys``), then the probe query, against a bare indexed
``SELECT ... WHERE email = ?`` of the already lower-cased address:
median and p95 over L look-ups, interleaved with the bare select after one untimed pass
of both, and the ratio of the medians.

SQLite by default (database files in a temporary folder); ``--url`` names an EMPTY
PostgreSQL database, whose tables are made and dropped for each run. Exits 1 when a ratio
misses its goal.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import rights.models  # noqa: E402, F401
from rights.audit import SYSTEM  # noqa: E402
from rights.db import Base  # noqa: E402
from rights.engine import make_engine  # noqa: E402
from rights.models.org import Organisation, OrganisationKind  # noqa: E402
from rights.models.request import IdentityStatus, RightsRequest  # noqa: E402
from rights.models.source import DataSource, SourceKind  # noqa: E402
from rights.sources.adapters.file import file_matches  # noqa: E402
from rights.sources.datafile import FileLimits  # noqa: E402
from rights.sources.ingest import ingest_data_file  # noqa: E402
from rights.sources.subject import subject_keys  # noqa: E402

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
HEADER = "Klantnummer;Voornaam;Achternaam;E-mailadres;Telefoon;Postcode;Huisnummer;Woonplaats"
LIMITS = FileLimits(max_bytes=2 * 1024**3, max_rows=20_000_000)


def row(i: int) -> str:
    return (
        f"K{i:07d};Jan{i % 97};de Vries-{i % 1013};jan.{i}@Example.nl;06-{10000000 + i:08d};"
        f"{1000 + i % 8999} {chr(65 + i % 26)}{chr(65 + (i // 26) % 26)};{1 + i % 300};"
        f"Plaats {i % 50}"
    )


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="cp1252", newline="") as f:
        f.write(HEADER + "\r\n")
        for i in range(rows):
            f.write(row(i) + "\r\n")


def fresh_db(folder: Path, name: str, url: str | None = None) -> tuple[Engine, int]:
    """A database with the portal's tables and one file source: a new SQLite file, or on
    PostgreSQL the tables of ``url`` dropped and made again (each run starts empty)."""
    engine = make_engine(url or f"sqlite:///{folder / name}")
    if url:
        Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        org = Organisation(
            kind=OrganisationKind.CONTROLLER, name="Bench", slug="bench", created_at=NOW
        )
        session.add(org)
        session.flush()
        source = DataSource(
            slug="bench", name="Bench", kind=SourceKind.FILE, organisation_id=org.id,
            purposes=["bench"], created_at=NOW, updated_at=NOW,
        )  # fmt: skip
        session.add(source)
        session.commit()
        return engine, source.id


# Each of ours() and bare() returns (wall seconds, CPU seconds of this process). SQLite runs
# in the process, so the CPU time covers the database's work too and does not depend on
# what else the machine runs.
def ours(engine: Engine, source_id: int, path: Path) -> tuple[float, float]:
    start, cpu = time.perf_counter(), time.process_time()
    with Session(engine) as session, path.open("rb") as handle:
        source = session.get(DataSource, source_id)
        assert source is not None
        ingest_data_file(session, source, handle, path.name, actor=SYSTEM, now=NOW, limits=LIMITS)
        session.commit()
    return time.perf_counter() - start, time.process_time() - cpu


_BARE_FILE = (
    "INSERT INTO data_file (source_id, filename, file_kind, columns, column_roles,"
    " row_count, uploaded_at, expires_at) VALUES (1, 'b', 'csv', '[]', '{}', 0,"
    " '2026-01-01', '2026-02-01')"
)
_BARE_COLUMNS = (
    'file_id, row_number, "values", email, phone, customer_number, address_key, name_key,'
    " restricted"
)


def _bare_rows(path: Path, file_id: int) -> Iterator[tuple[Any, ...]]:
    """The raw cells as the bare baselines store them: no checks, no normalisation."""
    with path.open(encoding="cp1252", newline="") as f:
        reader = csv.reader(f, delimiter=";")
        names = next(reader)
        for number, cells in enumerate(reader, start=2):
            yield (
                file_id, number, json.dumps(dict(zip(names, cells, strict=False))),
                cells[3], cells[4], cells[0], cells[5] + ":" + cells[6], cells[1], False,
            )  # fmt: skip


def bare(engine: Engine, path: Path) -> tuple[float, float]:
    """csv.reader + executemany of the raw rows into the same table (no normalisation)."""
    start, cpu = time.perf_counter(), time.process_time()
    raw = engine.raw_connection()
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    sql = f"INSERT INTO data_record ({_BARE_COLUMNS}) VALUES ({', '.join([mark] * 9)})"
    try:
        cur = raw.cursor()
        if sqlite:
            cur.execute("BEGIN")
            cur.execute(_BARE_FILE)
            file_id = cur.lastrowid
        else:
            cur.execute(_BARE_FILE + " RETURNING id")
            file_id = _first(cur.fetchone())
        batch: list[tuple[Any, ...]] = []
        for record in _bare_rows(path, file_id):
            batch.append(record)
            if len(batch) >= 5000:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - start, time.process_time() - cpu


def _first(row: Any) -> Any:
    """The first column of a row the cursor must have returned."""
    assert row is not None
    return row[0]


def bare_copy(engine: Engine, path: Path) -> tuple[float, float]:
    """PostgreSQL: the raw rows through one ``COPY ... FROM STDIN`` (no normalisation)."""
    start, cpu = time.perf_counter(), time.process_time()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(_BARE_FILE + " RETURNING id")
        file_id = _first(cur.fetchone())
        with cur.copy(f"COPY data_record ({_BARE_COLUMNS}) FROM STDIN") as copy:
            for record in _bare_rows(path, file_id):
                copy.write_row(record)
        raw.commit()
    finally:
        raw.close()
    return time.perf_counter() - start, time.process_time() - cpu


def child_ingest(rows: int, url: str | None) -> None:
    """In a child: write an N-row file, ingest it, print the peak RSS before the ingest
    (the interpreter with everything imported and the database made) and after, in KiB."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "data.csv"
        write_csv(path, rows)
        engine, source_id = fresh_db(folder, "ours.sqlite", url)
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        ours(engine, source_id, path)
        engine.dispose()
    print(baseline, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_kib(rows: int, url: str | None) -> tuple[int, int]:
    """(baseline, peak) RSS in KiB of a child that ingests ``rows`` rows."""
    result = subprocess.run(
        [sys.executable, __file__, "--child-ingest", str(rows), *(["--url", url] if url else [])],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    baseline, peak = result.stdout.strip().splitlines()[-1].split()
    return int(baseline), int(peak)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _subject(i: int) -> RightsRequest:
    """What a request holds: the identifiers as the subject typed them."""
    cells = row(i).split(";")
    return RightsRequest(
        requester_name=f"{cells[1]} {cells[2]}",
        requester_email=cells[3],
        requester_phone=cells[4],
        requester_customer_number=cells[0],
        requester_address=f"Dorpsstraat {cells[6]}, {cells[5]} {cells[7]}",
        identity_status=IdentityStatus.EMAIL_CONFIRMED,
    )


def lookups(engine: Engine, source_id: int, rows: int, count: int) -> dict[str, float]:
    """Ours and the bare select on the same picks, interleaved (alternating which goes
    first), after one untimed pass of both over every pick: without it whichever ran first
    paid for reading the index pages into the cache and the other found them warm."""
    rng = random.Random(7)
    picks = [rng.randrange(rows) for _ in range(count)]
    ours_t: list[float] = []
    bare_t: list[float] = []
    stmt = text("SELECT * FROM data_record WHERE email = :e")
    with Session(engine) as session:
        source = session.get(DataSource, source_id)
        assert source is not None
        conn = session.connection()

        def ours_once(i: int) -> float:
            subject = _subject(i)
            start = time.perf_counter()
            found = file_matches(session, source, subject_keys(subject))
            took = time.perf_counter() - start
            assert found, i
            return took

        def bare_once(i: int) -> float:
            email = row(i).split(";")[3].lower()
            start = time.perf_counter()
            assert conn.execute(stmt, {"e": email}).fetchall()
            return time.perf_counter() - start

        for i in picks:  # warm-up, untimed
            ours_once(i)
            bare_once(i)
        for n, i in enumerate(picks):
            if n % 2:
                bare_t.append(bare_once(i))
                ours_t.append(ours_once(i))
            else:
                ours_t.append(ours_once(i))
                bare_t.append(bare_once(i))
    return {
        "ours_median_ms": statistics.median(ours_t) * 1000,
        "ours_p95_ms": percentile(ours_t, 0.95) * 1000,
        "bare_median_ms": statistics.median(bare_t) * 1000,
        "bare_p95_ms": percentile(bare_t, 0.95) * 1000,
        "ratio": statistics.median(ours_t) / statistics.median(bare_t),
    }


INGEST_GOAL = 2.0
LOOKUP_GOAL = 1.5
MEMORY_GOAL = 1.2
Timing = tuple[float, float]  # (wall seconds, CPU seconds of this process)


def ingest_runs(
    folder: Path, path: Path, url: str | None, repeat: int
) -> tuple[dict[str, list[Timing]], Engine, int]:
    """R rounds of each bare baseline, then ours, each into an empty database, interleaved
    so a change in the machine's load hits them alike; the engine of ours' last run stays
    open for the look-ups."""
    baselines: dict[str, Callable[[Engine, Path], Timing]] = {"executemany": bare}
    if url:
        baselines["COPY"] = bare_copy
    times: dict[str, list[Timing]] = {name: [] for name in [*baselines, "ours"]}
    engine, source_id = None, 0
    for round_ in range(repeat):
        for name, baseline in baselines.items():
            base_engine, _ = fresh_db(folder, f"bare-{name}-{round_}.sqlite", url)
            times[name].append(baseline(base_engine, path))
            base_engine.dispose()
        if engine is not None:
            engine.dispose()
        engine, source_id = fresh_db(folder, f"ours-{round_}.sqlite", url)
        times["ours"].append(ours(engine, source_id, path))
    assert engine is not None
    return times, engine, source_id


def _ingest_figures(times: dict[str, list[Timing]], rows: int, out: TextIO) -> dict[str, Any]:
    """Best of the rounds (wall and CPU each), the ratios against each baseline, printed."""
    ours_s, ours_cpu = min(t[0] for t in times["ours"]), min(t[1] for t in times["ours"])
    figures: dict[str, Any] = {
        "ours_s": ours_s, "ours_cpu_s": ours_cpu, "rows_per_s": rows / ours_s, "against": {},
    }  # fmt: skip
    for name, runs in times.items():
        if name == "ours":
            continue
        base_s, base_cpu = min(t[0] for t in runs), min(t[1] for t in runs)
        figures["against"][name] = {
            "bare_s": base_s, "bare_cpu_s": base_cpu,
            "ratio": ours_s / base_s, "cpu_ratio": ours_cpu / base_cpu,
        }  # fmt: skip
        print(
            f"ingest {rows:,} rows: bare {name} {base_s:.2f} s, ours {ours_s:.2f} s "
            f"({rows / ours_s:,.0f} rows/s), ratio {ours_s / base_s:.2f}, goal <= {INGEST_GOAL:g}"
            f"; CPU time of this process: bare {base_cpu:.2f} s, ours {ours_cpu:.2f} s, "
            f"CPU ratio {ours_cpu / base_cpu:.2f} (best of {len(runs)})",
            file=out,
        )
    # The goal's baseline is the fastest bare way (bench/README.md): on PostgreSQL a bare
    # COPY, as the product's own path; on SQLite executemany, the only one.
    goal = min(figures["against"].values(), key=lambda f: f["bare_s"])
    figures.update(ratio=goal["ratio"], cpu_ratio=goal["cpu_ratio"], bare_s=goal["bare_s"])
    figures["bare_cpu_s"] = goal["bare_cpu_s"]
    return figures


def run(
    rows: int = 1_000_000,
    lookup_count: int = 500,
    out: TextIO = sys.stdout,
    url: str | None = None,
    repeat: int = 3,
) -> dict[str, Any]:
    figures: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "data.csv"
        write_csv(path, rows)
        times, engine, source_id = ingest_runs(folder, path, url, repeat)
        figures["ingest"] = _ingest_figures(times, rows, out)
        # Statistics, as autovacuum (PostgreSQL) or ANALYZE would leave them.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE data_record"))
        figures["lookup"] = lookups(engine, source_id, rows, lookup_count)
        lk = figures["lookup"]
        print(
            f"look-up among {rows:,} on {engine.dialect.name}: ours median "
            f"{lk['ours_median_ms']:.3f} ms, p95 {lk['ours_p95_ms']:.3f} ms; bare indexed "
            f"select median {lk['bare_median_ms']:.3f} ms, p95 {lk['bare_p95_ms']:.3f} ms; "
            f"ratio of medians {lk['ratio']:.2f}, goal <= {LOOKUP_GOAL:g}",
            file=out,
        )
        if url:
            Base.metadata.drop_all(engine)
        engine.dispose()
    (base_s, peak_s), (base_l, peak_l) = peak_kib(max(rows // 10, 1), url), peak_kib(rows, url)
    # Growth below 1 MiB is allocator noise: the ratio counts it as 1 MiB.
    small, large = max(peak_s - base_s, 1024), max(peak_l - base_l, 1024)
    figures["memory"] = {
        "small_kib": small, "large_kib": large, "ratio": large / small,
        "baseline_kib": base_l,
    }  # fmt: skip
    print(
        f"memory growth of the ingest above the interpreter's {base_l / 1024:.1f} MiB: "
        f"{max(rows // 10, 1):,} rows {small / 1024:.1f} MiB, {rows:,} rows "
        f"{large / 1024:.1f} MiB, ratio {large / small:.2f} (goal <= {MEMORY_GOAL:g}: flat)",
        file=out,
    )
    figures["missed"] = [
        name
        for name, ratio, goal in (
            ("ingest", figures["ingest"]["ratio"], INGEST_GOAL),
            ("look-up", lk["ratio"], LOOKUP_GOAL),
            ("memory", figures["memory"]["ratio"], MEMORY_GOAL),
        )
        if ratio > goal
    ]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="ingest rounds (best of)")
    parser.add_argument("--url", default=None, help="an EMPTY PostgreSQL database")
    parser.add_argument("--child-ingest", type=int, default=None)
    args, _unknown = parser.parse_known_args()  # run_all passes every bench's options
    if args.child_ingest is not None:
        child_ingest(args.child_ingest, args.url)
        return 0
    figures = run(args.rows, args.lookups, url=args.url, repeat=args.repeat)
    if figures["missed"]:
        print("goal missed: " + ", ".join(figures["missed"]))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
