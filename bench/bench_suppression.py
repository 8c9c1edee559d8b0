"""Suppression-check benchmark (docs/api.md, "Suppression check"): 10,000 identities checked
against a controller's list of N entries, against a bare indexed ``IN`` SELECT of the same
10,000 precomputed hashes measured in the same run.

    python bench/bench_suppression.py [--rows N] [--repeat R] [--identities K]

Builds a fresh SQLite database in a temporary folder with one controller and N suppression
entries (and as many for a second controller, which must not be read). The check normalises
and hashes every value and makes a constant number of queries, so its time is the bare
SELECT plus the normalising and hashing of K values. Goal: under one second for 10,000
identities; ratio printed for information.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import rights.models  # noqa: E402, F401
from rights.db import Base  # noqa: E402
from rights.engine import make_engine  # noqa: E402
from rights.identifiers import identifier_hash, normalise_email  # noqa: E402
from rights.models.org import Organisation, OrganisationKind  # noqa: E402
from rights.models.source import SuppressionEntry  # noqa: E402
from rights.opendsr.suppression_check import Identity, check  # noqa: E402

GOAL_SECONDS = 1.0
KEY = b"b" * 32
NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def populate(session: Session, rows: int) -> list[Organisation]:
    orgs = [
        Organisation(kind=OrganisationKind.CONTROLLER, name=n, slug=n, created_at=NOW)
        for n in ("bakkerij", "sportclub")
    ]
    session.add_all(orgs)
    session.flush()
    for org in orgs:
        session.execute(
            insert(SuppressionEntry),
            [
                {
                    "organisation_id": org.id,
                    "identifier_hash": identifier_hash(KEY, "email", f"p{i}@{org.slug}.example"),
                    "reason": "objection",
                    "created_at": NOW,
                }
                for i in range(rows)
            ],
        )
    session.commit()
    return orgs


def _best(repeat: int, work: object) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        best = min(best, time.perf_counter() - started)
    return best


def run(rows: int, repeat: int, identities: int, out: TextIO = sys.stdout) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            org, _ = populate(session, rows)
            values = [f"P{i * 7}@Bakkerij.example" for i in range(identities)]
            asked = [Identity("email", v) for v in values]
            hashes = [identifier_hash(KEY, "email", normalise_email(v) or v) for v in values]

            def bare() -> None:
                set(
                    session.scalars(
                        select(SuppressionEntry.identifier_hash).where(
                            SuppressionEntry.organisation_id == org.id,
                            SuppressionEntry.identifier_hash.in_(hashes),
                        )
                    )
                )

            def checked() -> None:
                found = check(session, org, asked, KEY)
                assert sum(r.suppressed for r in found) == sum(
                    i * 7 < rows for i in range(identities)
                )

            base, full = _best(repeat, bare), _best(repeat, checked)
        engine.dispose()
    ratio = full / base if base else float("inf")
    print(
        f"suppression check of {identities} identities against {rows} entries: "
        f"{full * 1000:.0f} ms (goal < {GOAL_SECONDS * 1000:.0f} ms), bare IN select "
        f"{base * 1000:.0f} ms, ratio {ratio:.1f}",
        file=out,
    )
    return {"seconds": full, "bare": base, "ratio": ratio}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--identities", type=int, default=10_000)
    args, _ = parser.parse_known_args()
    figures = run(args.rows, args.repeat, args.identities)
    return 0 if figures["seconds"] < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
