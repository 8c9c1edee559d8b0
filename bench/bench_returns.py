"""Return of data: peak memory of a controller's return-of-data package for N/10 and N
uploaded data-file records (constant memory: records stream from the database through the
exporters into the encrypted store).

    .venv/bin/python bench/bench_returns.py                 # 200,000 records
    .venv/bin/python bench/bench_returns.py --rows 1000000

Each size is built in its own child process against a SQLite database made beforehand;
peak memory is the child's own ``ru_maxrss``. Target: ratio <= 1.2.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KEY_TEXT = "qh1r3xq6O3qV7mS0b1aQn8f1cH4m2bC3dE5fG6hJ7kA"
COLUMNS = ["email", "naam", "straat", "postcode", "plaats", "telefoon", "klantnummer"]


def make_db(path: Path, count: int) -> None:
    from rights.db import Base
    from rights.models import Organisation, OrganisationKind
    from rights.models.source import DataFileUpload, DataRecord, DataSource, SourceKind

    now = datetime.now(UTC)
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        org = Organisation(
            kind=OrganisationKind.CONTROLLER, name="Bench B.V.", slug="bench", created_at=now
        )
        session.add(org)
        session.flush()
        source = DataSource(
            slug="bench-file", name="Klantenlijst", kind=SourceKind.FILE,
            organisation_id=org.id, purposes=["Bench"], legal_basis=["contract"],
            created_at=now, updated_at=now,
        )  # fmt: skip
        session.add(source)
        session.flush()
        upload = DataFileUpload(
            source_id=source.id, filename="lijst.csv", file_kind="csv", columns=COLUMNS,
            column_roles={}, row_count=count, uploaded_at=now, expires_at=now + timedelta(days=30),
        )  # fmt: skip
        session.add(upload)
        session.flush()
        batch = []
        for i in range(count):
            batch.append(
                {
                    "file_id": upload.id,
                    "row_number": i + 1,
                    "values": {
                        "email": f"klant{i}@example.nl",
                        "naam": f"Klant {i} de Vries",
                        "straat": f"Dorpsstraat {i % 300}",
                        "postcode": "1234 AB",
                        "plaats": "Utrecht",
                        "telefoon": f"+316{i:08d}",
                        "klantnummer": f"K-{i}",
                    },
                    "restricted": i % 1000 == 0,
                }
            )
            if len(batch) == 10_000:
                session.execute(insert(DataRecord), batch)
                batch = []
        if batch:
            session.execute(insert(DataRecord), batch)
        session.commit()
    engine.dispose()


def child(db: Path, store_dir: Path) -> None:
    from operations.context import Context, Settings
    from operations.packages import build_return_package
    from rights.keys import Keyring
    from rights.models import Organisation

    engine = create_engine(f"sqlite:///{db}")
    keyring = Keyring.from_text(KEY_TEXT)
    start = time.perf_counter()
    with Session(engine) as session:
        org = session.query(Organisation).one()
        ctx = Context(session=session, keyring=keyring, settings=Settings(package_dir=store_dir))
        pkg = build_return_package(ctx, org)
        size = pkg.size
        session.commit()
    seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"maxrss_kib": rss, "seconds": seconds, "size": size}))


def run_child(db: Path, store_dir: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(db), str(store_dir)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--child", nargs=2)
    args, _unknown = parser.parse_known_args(argv)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return 0
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for count in (args.rows // 10, args.rows):
            db = Path(tmp) / f"bench-{count}.db"
            make_db(db, count)
            figures[count] = run_child(db, Path(tmp) / f"store-{count}")
    small, large = figures[args.rows // 10], figures[args.rows]
    ratio = large["maxrss_kib"] / small["maxrss_kib"]
    for count, fig in figures.items():
        print(
            f"{count:>9,} records: peak {fig['maxrss_kib'] / 1024:.1f} MiB, "
            f"{fig['seconds']:.1f} s, package {fig['size'] / 1e6:.1f} MB"
        )
    print(f"peak memory ratio {args.rows:,} vs {args.rows // 10:,}: {ratio:.2f} (target <= 1.2)")
    return 0 if ratio <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(main())
