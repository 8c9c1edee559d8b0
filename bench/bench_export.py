"""Export benchmark: our CSV and XLSX exporters against bare loops, and memory growth.

    python bench/bench_export.py [--rows N] [--repeat R]

Times (1) ``exporters.csv_format.write_csv`` against a bare ``csv.writer`` loop (N rows) and
(2) ``exporters.xlsx_format.write_xlsx`` against a bare openpyxl write-only loop (N / 5
rows), on the same synthetic records (10 columns: ints, strings, dates) produced by a
generator, each writing to a temporary file; the best of R runs of each, bare and ours
alternating. Targets: time ratio <= 1.3. Then builds the whole ZIP package (JSON, CSV,
XLSX, HTML) in a child process for N/10 and N rows and compares the peak RSS of the children
(target ratio <= 1.2: memory must not grow with the number of rows).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from bench.timing import best_interleaved  # noqa: E402
from exporters.csv_format import write_csv  # noqa: E402
from exporters.model import (  # noqa: E402
    CategoryData,
    ExportPackage,
    FieldSpec,
    ProcessingInfo,
    SourceSection,
)
from exporters.package import build_package  # noqa: E402
from exporters.xlsx_format import write_xlsx  # noqa: E402

TIME_TARGET = 1.3
MEMORY_TARGET = 1.2
# The XLSX timing writes rows // XLSX_SHARE rows (openpyxl takes about 30 times as long per
# row as csv.writer: a million rows is three minutes a run); the ratio is per row alike.
XLSX_SHARE = 5

FIELDS = (
    FieldSpec("id", "Klantnummer", "integer"),
    FieldSpec("first_name", "Voornaam"),
    FieldSpec("last_name", "Achternaam"),
    FieldSpec("email", "E-mailadres"),
    FieldSpec("phone", "Telefoon"),
    FieldSpec("street", "Straat"),
    FieldSpec("city", "Plaats"),
    FieldSpec("born", "Geboortedatum", "date"),
    FieldSpec("member_since", "Lid sinds", "date"),
    FieldSpec("orders", "Bestellingen", "integer"),
)
NAMES = ["Jan", "Piet", "Klaas", "Anna", "Fatima", "Mohammed", "Sanne", "Daan", "Emma", "Lars"]
SURNAMES = ["de Vries", "Jansen", "van Dijk", "Bakker", "Visser", "Smit", "Meijer", "de Boer"]
CITIES = ["Amsterdam", "Rotterdam", "Den Haag", "Utrecht", "Eindhoven", "Groningen", "Tilburg"]
# Some values start with formula triggers, as real data does (+31..., -, =).
PHONES = ["+31612345678", "0201234567", "-", "06-12345678", "=1+1"]
EPOCH = date(1950, 1, 1)


def records(count: int) -> Iterator[dict[str, Any]]:
    """``count`` synthetic customer records, generated on the fly."""
    for i in range(count):
        yield {
            "id": i,
            "first_name": NAMES[i % 10],
            "last_name": SURNAMES[i % 8],
            "email": f"klant{i}@example.nl",
            "phone": PHONES[i % 5],
            "street": f"Dorpsstraat {i % 300 + 1}",
            "city": CITIES[i % 7],
            "born": EPOCH + timedelta(days=i % 20000),
            "member_since": EPOCH + timedelta(days=20000 + i % 5000),
            "orders": i % 97,
        }


def category(count: int) -> CategoryData:
    return CategoryData(
        key="customers",
        label="Klanten",
        fields=FIELDS,
        records=lambda: records(count),
        provided_by_subject=True,
        legal_basis="contract",
    )


def package(count: int) -> ExportPackage:
    now = datetime(2025, 1, 1, tzinfo=UTC)
    info = ProcessingInfo(purposes=["Benchmark"], legal_basis=["Overeenkomst"], retention="-")
    return ExportPackage(
        reference="BENCH",
        language="nl",
        right="access",
        received_at=now,
        generated_at=now,
        subject_name="Benchmark",
        sources=[SourceSection("CRM", "Bench B.V.", info, [category(count)])],
    )


# --- the four contenders ----------------------------------------------------------------


def bare_csv(count: int, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow([f.name for f in FIELDS])
        for record in records(count):
            writer.writerow(record.values())


def ours_csv(count: int, path: Path) -> None:
    with path.open("wb") as out:
        write_csv(category(count), out, ";")


def bare_xlsx(count: int, path: Path) -> None:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Klanten")
    sheet.append([f.label for f in FIELDS])
    for record in records(count):
        sheet.append(list(record.values()))
    workbook.save(path)


def ours_xlsx(count: int, path: Path) -> None:
    with path.open("wb") as out:
        write_xlsx(package(count), out)


def timed_pair(
    bare: Callable[[int, Path], None],
    ours: Callable[[int, Path], None],
    count: int,
    repeat: int,
) -> tuple[float, float]:
    """The best of ``repeat`` runs of each, bare and ours alternating (``best_interleaved``),
    each writing ``count`` rows to the same temporary file."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out"
        base, mine = best_interleaved([lambda: bare(count, out), lambda: ours(count, out)], repeat)
    return base, mine


# --- memory, in a child process -----------------------------------------------------------


def child(count: int) -> None:
    """Build the full package for ``count`` rows to a temp file; print peak RSS in KiB."""
    with tempfile.TemporaryFile() as out:
        build_package(package(count), out)
    print(json.dumps({"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def child_rss(count: int) -> tuple[int, float]:
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, __file__, "--child", "--rows", str(count)],
        check=True,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    return int(json.loads(result.stdout.strip().splitlines()[-1])["maxrss_kib"]), elapsed


# --- report ------------------------------------------------------------------------------


def run(
    rows: int, repeat: int = 1, out: Any = None, only: Sequence[str] = ("csv", "xlsx", "memory")
) -> dict[str, Any]:
    """Run the benchmarks in ``only`` and print a summary table; returns the figures."""
    out = out or sys.stdout
    figures: dict[str, Any] = {"rows": rows}
    lines = [f"{'benchmark':<28}{'rows':>10}{'baseline s':>12}{'ours s':>10}{'ratio':>8}  target"]
    contenders = [
        ("CSV", bare_csv, ours_csv, rows),
        ("XLSX", bare_xlsx, ours_xlsx, max(rows // XLSX_SHARE, 1)),
    ]
    for name, bare, ours, count in contenders:
        if name.lower() not in only:
            continue
        base, mine = timed_pair(bare, ours, count, repeat)
        ratio = mine / base
        figures[name.lower()] = {"rows": count, "baseline_s": base, "ours_s": mine, "ratio": ratio}
        verdict = "ok" if ratio <= TIME_TARGET else "MISSED"
        lines.append(
            f"{name + ' exporter vs bare':<28}{count:>10,}{base:>12.2f}{mine:>10.2f}{ratio:>8.2f}"
            f"  <= {TIME_TARGET} {verdict} (best of {repeat}, interleaved)"
        )
    if "memory" not in only:
        print("\n".join(lines), file=out)
        return figures
    small_rows = max(rows // 10, 1)
    small, small_s = child_rss(small_rows)
    large, large_s = child_rss(rows)
    ratio = large / small
    figures["memory"] = {
        "small_rows": small_rows,
        "small_kib": small,
        "small_s": small_s,
        "large_kib": large,
        "large_s": large_s,
        "ratio": ratio,
    }
    verdict = "ok" if ratio <= MEMORY_TARGET else "MISSED"
    lines.append(
        f"{'package peak RSS (MiB)':<28}{f'{small_rows:,}/{rows:,}':>10}{small / 1024:>12.1f}"
        f"{large / 1024:>10.1f}{ratio:>8.2f}  <= {MEMORY_TARGET} {verdict}"
    )
    lines.append(
        f"full package build (json, csv, xlsx, html): {small_s:.1f} s for {small_rows:,} rows, "
        f"{large_s:.1f} s for {rows:,} rows (child process, incl. start-up)"
    )
    print("\n".join(lines), file=out)
    return figures


def main(argv: Sequence[str] | None = None) -> dict[str, Any] | None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="best of R interleaved timing runs of each"
    )
    parser.add_argument(
        "--only", action="append", choices=["csv", "xlsx", "memory"], help="run only these"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args(argv)  # run_all passes every bench's options
    if args.child:
        child(args.rows)
        return None
    return run(args.rows, args.repeat, only=args.only or ("csv", "xlsx", "memory"))


def missed(figures: dict[str, Any]) -> list[str]:
    """The benchmarks in ``figures`` whose ratio misses its target."""
    targets = {"csv": TIME_TARGET, "xlsx": TIME_TARGET, "memory": MEMORY_TARGET}
    return [
        name for name, target in targets.items() if figures.get(name, {}).get("ratio", 0) > target
    ]


if __name__ == "__main__":
    results = main()
    sys.exit(1 if results is not None and missed(results) else 0)
