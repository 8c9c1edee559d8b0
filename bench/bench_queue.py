"""Queue benchmark: the officer's queue page at 100,000 requests against a bare indexed
SELECT measured in the same run.

    python bench/bench_queue.py [--rows N] [--repeat R] [--url DATABASE_URL]

Builds a fresh database (SQLite in a temporary folder unless ``--url`` names an empty
PostgreSQL database) with N requests: 5 % open, spread over 90 days of due dates, the rest
finished. Times everything the queue page asks the database for (the page of 50 requests
with their organisation and assignee, the total for the pager, the counts per state) for
several filters, and compares each with loading 50 requests by primary-key range (the
cheapest indexed read of the same rows). Target: ratio <= 5 for every filter, i.e. the
queue does not degrade into a table scan as requests pile up.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402
from sqlalchemy.orm import Session, selectinload  # noqa: E402

import rights.models  # noqa: E402, F401
from rights.db import Base  # noqa: E402
from rights.engine import make_engine  # noqa: E402
from rights.models.org import Organisation, OrganisationKind, Role, User  # noqa: E402
from rights.models.request import RightsRequest  # noqa: E402
from rights.queue import QueueFilter, queue_page  # noqa: E402

TARGET = 5.0
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OPEN = ["open", "in_progress", "awaiting_information", "forwarded", "awaiting_approval"]
DONE = ["answered", "closed", "withdrawn"]


def populate(session: Session, rows: int) -> dict[str, int]:
    orgs = [
        Organisation(
            kind=OrganisationKind.CONTROLLER, name=f"Org {i}", slug=f"org-{i}", created_at=NOW
        )
        for i in range(20)
    ]
    users = [
        User(email=f"o{i}@x.example", name=f"Officer {i}", role=Role.OFFICER, created_at=NOW)
        for i in range(10)
    ]
    session.add_all([*orgs, *users])
    session.flush()
    rnd = random.Random(7)
    batch: list[dict[str, Any]] = []
    for i in range(rows):
        is_open = rnd.random() < 0.05
        received = NOW - timedelta(days=rnd.randint(0, 1000) if not is_open else rnd.randint(0, 60))
        due = (received + timedelta(days=31)).date()
        extended = is_open and rnd.random() < 0.1
        ext = due + timedelta(days=61)
        batch.append(
            {
                "reference": f"R{i:09d}",
                "right": rnd.choice(["access", "erasure", "rectification", "objection"]),
                "state": rnd.choice(OPEN) if is_open else rnd.choice(DONE),
                "channel": "web",
                "language": "nl",
                "received_at": received,
                "created_at": received,
                "updated_at": received,
                "organisation_id": rnd.choice(orgs).id,
                "assignee_id": rnd.choice(users).id if rnd.random() < 0.7 else None,
                "requester_name": "Naam",
                "requester_email": f"p{i}@example.nl",
                "requester_phone": "",
                "requester_address": "",
                "requester_customer_number": "",
                "details": {},
                "identity_status": "email_confirmed",
                "link_generation": 0,
                "receipt_date": received.date(),
                "paused_days": 0,
                "due": due,
                "due_end": datetime.combine(due + timedelta(days=1), datetime.min.time(), UTC),
                "target_due": due,
                "extended_due": ext,
                "extended_due_end": datetime.combine(ext, datetime.min.time(), UTC),
                "extended": extended,
                "queue_due": (ext if extended else due) if is_open else None,
                "version": 1,
            }
        )
        if len(batch) == 5000:
            session.execute(insert(RightsRequest), batch)
            batch = []
    if batch:
        session.execute(insert(RightsRequest), batch)
    session.commit()
    return {"org": orgs[3].id, "user": users[2].id}


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(
    rows: int = 100_000, repeat: int = 20, url: str | None = None, out: TextIO = sys.stdout
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(url or f"sqlite:///{tmp}/bench.sqlite")
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            ids = populate(session, rows)
        # Statistics and (PostgreSQL) the visibility map, as autovacuum would leave them.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(
                text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE")
            )
        mid = rows // 2

        def baseline() -> None:
            with Session(engine) as s:
                s.scalars(
                    select(RightsRequest)
                    .options(
                        selectinload(RightsRequest.organisation),
                        selectinload(RightsRequest.assignee),
                    )
                    .where(RightsRequest.id.between(mid, mid + 49))
                ).all()

        filters = {
            "default (all open)": (QueueFilter(), 1),
            "page 20": (QueueFilter(), 20),
            "overdue": (QueueFilter(overdue=True), 1),
            "due within 7 days": (QueueFilter(due_soon=True), 1),
            "assignee": (QueueFilter(assignee_id=ids["user"]), 1),
            "organisation": (QueueFilter(organisation_id=ids["org"]), 1),
            "awaiting subject": (QueueFilter(waiting="awaiting_subject"), 1),
        }
        base = best(baseline, repeat)
        print(
            f"requests: {rows:,}  database: {engine.dialect.name}  repeat: best of {repeat}",
            file=out,
        )
        print(f"baseline (50 rows by primary-key range, ORM): {base * 1000:.2f} ms", file=out)
        results: dict[str, Any] = {"rows": rows, "baseline_ms": base * 1000, "filters": {}}
        for name, (f, page) in filters.items():

            def q(f: QueueFilter = f, page: int = page) -> None:
                with Session(engine) as s:
                    queue_page(s, f, now=NOW, page=page)

            t = best(q, repeat)
            ratio = t / base
            results["filters"][name] = {"ms": t * 1000, "ratio": ratio}
            status = "ok" if ratio <= TARGET else "SLOW"
            print(
                f"queue page, {name:<20} {t * 1000:8.2f} ms  ratio {ratio:5.2f}  {status}", file=out
            )
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                plan = conn.execute(
                    text(
                        "EXPLAIN QUERY PLAN SELECT id FROM rights_request "
                        "WHERE queue_due IS NOT NULL ORDER BY queue_due, id LIMIT 50"
                    )
                ).all()
            print("plan: " + "; ".join(str(r[-1]) for r in plan), file=out)
        if url:
            Base.metadata.drop_all(engine)
        engine.dispose()
        results["max_ratio"] = max(v["ratio"] for v in results["filters"].values())
        results["ok"] = results["max_ratio"] <= TARGET
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--url", default=None, help="an EMPTY PostgreSQL database (tables are dropped after)"
    )
    args, _ = parser.parse_known_args()
    results = run(args.rows, args.repeat, args.url)
    print(f"worst ratio {results['max_ratio']:.2f} (target <= {TARGET})")
    return 0 if results["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
