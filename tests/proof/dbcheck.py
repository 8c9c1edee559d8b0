"""What a live portal's database holds, read from outside the server (its own engine)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import text

from rights.engine import make_engine


@dataclass(frozen=True)
class Outbox:
    requests: int
    pending: int
    dead: int
    sent_ids: frozenset[str]


def scalar(url: str, sql: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def outbox(url: str) -> Outbox:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            requests = conn.execute(text("SELECT count(*) FROM rights_request")).scalar_one()
            rows = conn.execute(text("SELECT status, message_id FROM outbox_mail")).all()
    finally:
        engine.dispose()
    statuses = [str(status).lower() for status, _ in rows]
    return Outbox(
        requests=int(requests),
        pending=statuses.count("pending"),
        dead=statuses.count("dead"),
        sent_ids=frozenset(str(mid) for status, mid in rows if str(status).lower() == "sent"),
    )


def wait_for_outbox(url: str, timeout: float) -> Outbox:
    """The outbox once nothing is pending any more, or once ``timeout`` seconds passed
    without a single mail going out (a busy machine delivers slowly, a stuck one never)."""
    deadline = time.monotonic() + timeout
    pending = None
    while True:
        state = outbox(url)
        if state.pending == 0 or time.monotonic() > deadline:
            return state
        if pending is None or state.pending < pending:
            pending, deadline = state.pending, time.monotonic() + timeout
        time.sleep(0.5)
