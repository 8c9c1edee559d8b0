"""Data-file benchmark: ingest and look-up against bare SQL, and memory growth.

    python bench/bench_sources.py [--rows N] [--lookups L]

(1) Ingest an N-row Dutch CSV (``;``, Windows-1252) with ``rights.sources.ingest`` into a
SQLite database, against a bare ``csv.reader`` + ``executemany`` of the same rows into the
same table of a fresh database of the same kind: rows per second, the time ratio and the
ratio of the process's CPU time (SQLite runs in the process, so it is all of the work).
(2) Memory: the growth of a child process's peak RSS during the ingest, above its size
with everything imported and the database made, for N/10 and N rows (must stay flat).
(3) Look up one subject among the N records as discovery does: normalise the identifiers as
the subject typed them (e-mail, phone, customer number, name and address:
``rights.sources.subject.subject_keys``), then the probe query, against a bare indexed
``SELECT ... WHERE email = ?`` of the already lower-cased address:
median and p95 over L look-ups, and the ratio of the medians.
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


def fresh_db(folder: Path, name: str) -> tuple[Engine, int]:
    engine = make_engine(f"sqlite:///{folder / name}")
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


def bare(engine: Engine, path: Path) -> tuple[float, float]:
    """csv.reader + executemany of the raw rows into the same table (no normalisation)."""
    start, cpu = time.perf_counter(), time.process_time()
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("BEGIN")
        cur.execute(
            "INSERT INTO data_file (source_id, filename, file_kind, columns, column_roles,"
            " row_count, uploaded_at, expires_at) VALUES (1, 'b', 'csv', '[]', '{}', 0,"
            " '2026-01-01', '2026-02-01')"
        )
        file_id = cur.lastrowid
        sql = (
            'INSERT INTO data_record (file_id, row_number, "values", email, phone,'
            " customer_number, address_key, name_key, restricted)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)"
        )
        with path.open(encoding="cp1252", newline="") as f:
            reader = csv.reader(f, delimiter=";")
            names = next(reader)
            batch: list[tuple[Any, ...]] = []
            for number, cells in enumerate(reader, start=2):
                batch.append(
                    (file_id, number, json.dumps(dict(zip(names, cells, strict=False))),
                     cells[3], cells[4], cells[0], cells[5] + ":" + cells[6], cells[1])
                )  # fmt: skip
                if len(batch) >= 5000:
                    cur.executemany(sql, batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
        cur.execute("COMMIT")
    finally:
        raw.close()
    return time.perf_counter() - start, time.process_time() - cpu


def child_ingest(rows: int) -> None:
    """In a child: write an N-row file, ingest it, print the peak RSS before the ingest
    (the interpreter with everything imported and the database made) and after, in KiB."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "data.csv"
        write_csv(path, rows)
        engine, source_id = fresh_db(folder, "ours.sqlite")
        baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        ours(engine, source_id, path)
        engine.dispose()
    print(baseline, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def peak_kib(rows: int) -> tuple[int, int]:
    """(baseline, peak) RSS in KiB of a child that ingests ``rows`` rows."""
    result = subprocess.run(
        [sys.executable, __file__, "--child-ingest", str(rows)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    baseline, peak = result.stdout.strip().splitlines()[-1].split()
    return int(baseline), int(peak)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def lookups(engine: Engine, source_id: int, rows: int, count: int) -> dict[str, float]:
    rng = random.Random(7)
    picks = [rng.randrange(rows) for _ in range(count)]
    ours_t: list[float] = []
    bare_t: list[float] = []
    with Session(engine) as session:
        source = session.get(DataSource, source_id)
        assert source is not None
        for i in picks:
            cells = row(i).split(";")
            # What a request holds: the identifiers as the subject typed them.
            subject = RightsRequest(
                requester_name=f"{cells[1]} {cells[2]}",
                requester_email=cells[3],
                requester_phone=cells[4],
                requester_customer_number=cells[0],
                requester_address=f"Dorpsstraat {cells[6]}, {cells[5]} {cells[7]}",
                identity_status=IdentityStatus.EMAIL_CONFIRMED,
            )
            start = time.perf_counter()
            found = file_matches(session, source, subject_keys(subject))
            ours_t.append(time.perf_counter() - start)
            assert found, i
        conn = session.connection()
        stmt = text("SELECT * FROM data_record WHERE email = :e")
        for i in picks:
            email = row(i).split(";")[3].lower()
            start = time.perf_counter()
            assert conn.execute(stmt, {"e": email}).fetchall()
            bare_t.append(time.perf_counter() - start)
    return {
        "ours_median_ms": statistics.median(ours_t) * 1000,
        "ours_p95_ms": percentile(ours_t, 0.95) * 1000,
        "bare_median_ms": statistics.median(bare_t) * 1000,
        "bare_p95_ms": percentile(bare_t, 0.95) * 1000,
        "ratio": statistics.median(ours_t) / statistics.median(bare_t),
    }


def run(rows: int = 1_000_000, lookup_count: int = 500, out: TextIO = sys.stdout) -> dict[str, Any]:
    figures: dict[str, Any] = {"rows": rows}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = folder / "data.csv"
        write_csv(path, rows)
        base_engine, _ = fresh_db(folder, "bare.sqlite")
        base_s, base_cpu = bare(base_engine, path)
        base_engine.dispose()
        engine, source_id = fresh_db(folder, "ours.sqlite")
        ours_s, ours_cpu = ours(engine, source_id, path)
        figures["ingest"] = {
            "bare_s": base_s,
            "ours_s": ours_s,
            "rows_per_s": rows / ours_s,
            "ratio": ours_s / base_s,
            "bare_cpu_s": base_cpu,
            "ours_cpu_s": ours_cpu,
            "cpu_ratio": ours_cpu / base_cpu,
        }
        print(
            f"ingest {rows:,} rows: bare executemany {base_s:.2f} s, ours {ours_s:.2f} s "
            f"({rows / ours_s:,.0f} rows/s), ratio {ours_s / base_s:.2f}, goal <= 2",
            file=out,
        )
        print(
            f"ingest CPU time: bare {base_cpu:.2f} s, ours {ours_cpu:.2f} s, CPU ratio "
            f"{ours_cpu / base_cpu:.2f}, goal <= 2",
            file=out,
        )
        figures["lookup"] = lookups(engine, source_id, rows, lookup_count)
        lk = figures["lookup"]
        print(
            f"look-up among {rows:,}: ours median {lk['ours_median_ms']:.3f} ms, "
            f"p95 {lk['ours_p95_ms']:.3f} ms; bare indexed select median "
            f"{lk['bare_median_ms']:.3f} ms, p95 {lk['bare_p95_ms']:.3f} ms; "
            f"ratio of medians {lk['ratio']:.2f}, goal <= 1.5",
            file=out,
        )
        engine.dispose()
    (base_s, peak_s), (base_l, peak_l) = peak_kib(max(rows // 10, 1)), peak_kib(rows)
    # Growth below 1 MiB is allocator noise: the ratio counts it as 1 MiB.
    small, large = max(peak_s - base_s, 1024), max(peak_l - base_l, 1024)
    figures["memory"] = {
        "small_kib": small, "large_kib": large, "ratio": large / small,
        "baseline_kib": base_l,
    }  # fmt: skip
    print(
        f"memory growth of the ingest above the interpreter's {base_l / 1024:.1f} MiB: "
        f"{max(rows // 10, 1):,} rows {small / 1024:.1f} MiB, {rows:,} rows "
        f"{large / 1024:.1f} MiB, ratio {large / small:.2f} (goal <= 1.2: flat)",
        file=out,
    )
    return figures


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--child-ingest", type=int, default=None)
    parser.add_argument("--only", default=None, help="ignored (run_all passes options on)")
    parser.add_argument("--repeat", default=None, help="ignored")
    args = parser.parse_args()
    if args.child_ingest is not None:
        child_ingest(args.child_ingest)
        return 0
    run(args.rows, args.lookups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
