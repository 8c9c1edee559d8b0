"""The embedded default under load (issue 16): ``dsr-portal dev`` as ``make run`` starts
it (SQLite, web server and worker), mail over real SMTP, 1,000 intakes (GET the form, POST
it with its CSRF token) from 16 threads. Zero 5xx, every accepted intake stored, every
queued mail delivered exactly once (by Message-ID)."""

from __future__ import annotations

import statistics
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.proof.dbcheck import outbox, wait_for_outbox
from tests.proof.live import Visitor, cli, portal_env, start, wait_http
from tests.smtp import free_port, smtp_server

pytestmark = pytest.mark.slow

INTAKES = 1000
CONCURRENCY = 16


def _one(base: str) -> tuple[int, float]:
    began = time.perf_counter()
    visitor = Visitor(base)
    url, data = visitor.form(["access"])
    answer = visitor.call(url, data)
    return answer.status, time.perf_counter() - began


def test_a_thousand_intakes_at_concurrency_16_on_sqlite(tmp_path: Path) -> None:
    port = free_port()
    with smtp_server() as inbox:
        env = portal_env(
            tmp_path,
            port,
            PORTAL_MAIL_MODE="smtp",
            PORTAL_SMTP_HOST="127.0.0.1",
            PORTAL_SMTP_PORT=str(inbox.port),
        )
        server = start(cli("dev", "--port", str(port)), env, tmp_path / "server.log")
        try:
            base = f"http://127.0.0.1:{port}"
            wait_http(base + "/", server)
            db_url = f"sqlite:///{tmp_path / 'portal.db'}"
            before = outbox(db_url)
            began = time.perf_counter()
            with ThreadPoolExecutor(CONCURRENCY) as pool:
                results = list(pool.map(lambda _: _one(base), range(INTAKES)))
            elapsed = time.perf_counter() - began
            statuses = Counter(status for status, _ in results)
            accepted = statuses[302]
            after = wait_for_outbox(db_url, timeout=60)
            delivered = Counter(str(r.message["Message-ID"]) for r in inbox.messages)
        finally:
            server.stop()
    latencies = sorted(latency for _, latency in results)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"\nload (SQLite, make run): {INTAKES} intakes at concurrency {CONCURRENCY} in "
        f"{elapsed:.1f} s = {INTAKES / elapsed:.0f} intakes/s; GET+POST median "
        f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms; "
        f"statuses {dict(statuses)}; {len(after.sent_ids)} mails delivered"
    )
    assert not [s for s in statuses if s >= 500], statuses
    assert accepted == INTAKES, statuses
    assert after.requests - before.requests == accepted  # stored = accepted
    assert after.pending == 0 and after.dead == 0
    # Every intake queued its mail, and every queued mail arrived exactly once.
    assert len(after.sent_ids) - len(before.sent_ids) - before.pending >= accepted
    assert set(delivered) == after.sent_ids
    assert max(delivered.values()) == 1, [m for m, n in delivered.items() if n > 1][:5]
