"""kill -9 at the worst moments (issue 16): the worker mid-send, the web server during
intake POSTs, the data-file import. Nothing lost, nothing half-written, and at most one
duplicate mail per crash (recognisable by its Message-ID)."""

from __future__ import annotations

import asyncio
import http.client
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import text

from rights.engine import make_engine
from tests.proof.dbcheck import outbox, scalar, wait_for_outbox
from tests.proof.live import Proc, Visitor, cli, gunicorn, portal_env, start, wait_http
from tests.smtp import free_port

pytestmark = pytest.mark.slow


class StallingInbox:
    """Keeps every message it receives; from the ``stall_at``-th on, it holds the DATA reply
    back (the message is already here), so a sender killed then never learns it was sent."""

    def __init__(self) -> None:
        self.port = free_port()
        self.ids: list[str] = []
        self.stall_at: int | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.ids.append(str(msg["Message-ID"]))
        if self.stall_at is not None and len(self.ids) >= self.stall_at:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"


def _prepared(tmp_path: Path, port: int, **extra: str) -> dict[str, str]:
    env = portal_env(tmp_path, port, **extra)
    for args in (("db", "upgrade"), ("demo", "load")):
        subprocess.run(cli(*args), env=env, check=True, capture_output=True, timeout=180)
    return env


def _expire_leases(url: str) -> None:
    """What five minutes do to a crashed worker's claims: its lease runs out."""
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE outbox_mail SET next_attempt_at = created_at"))
    engine.dispose()


def _intake(base: str) -> None:
    visitor = Visitor(base)
    url, data = visitor.form(["access"])
    assert visitor.call(url, data).status == 302


def test_worker_killed_mid_send_loses_nothing_and_repeats_at_most_one_mail_per_crash(
    tmp_path: Path,
) -> None:
    inbox = StallingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    port = free_port()
    env = _prepared(
        tmp_path,
        port,
        PORTAL_MAIL_MODE="smtp",
        PORTAL_SMTP_HOST="127.0.0.1",
        PORTAL_SMTP_PORT=str(inbox.port),
    )
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    web = start(gunicorn(port), env, tmp_path / "web.log")
    crashes = 3
    try:
        wait_http(f"http://127.0.0.1:{port}/", web)
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda _: _intake(f"http://127.0.0.1:{port}"), range(20)))
        web.stop()
        total = outbox(url).pending
        for _ in range(crashes):
            inbox.release.clear()
            inbox.stalled.clear()
            inbox.stall_at = len(inbox.ids) + 5  # a few mails in, then hold the reply
            worker = start(cli("worker", "run"), env, tmp_path / "worker.log")
            assert inbox.stalled.wait(60), worker.output()[-2000:]
            worker.kill()  # SIGKILL while the worker waits for the DATA reply
            inbox.release.set()
            _expire_leases(url)
        inbox.stall_at = None
        worker = start(cli("worker", "run"), env, tmp_path / "worker.log")
        try:
            after = wait_for_outbox(url, timeout=90)
        finally:
            worker.stop()
    finally:
        web.stop()
        inbox.release.set()
        controller.stop()
    received = Counter(inbox.ids)
    duplicates = {mid: n for mid, n in received.items() if n > 1}
    print(f"\nkill -9 worker: {total} mails, {crashes} crashes, {len(duplicates)} sent twice")
    assert after.pending == 0 and after.dead == 0
    assert set(received) == after.sent_ids  # none lost
    assert len(after.sent_ids) >= total
    assert len(duplicates) <= crashes and all(n == 2 for n in duplicates.values())


def test_server_killed_during_intake_leaves_no_half_request_and_a_retry_keeps_the_reference(
    tmp_path: Path,
) -> None:
    port = free_port()
    env = _prepared(tmp_path, port)
    base = f"http://127.0.0.1:{port}"
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    before = scalar(url, "SELECT count(*) FROM rights_request")
    last = scalar(url, "SELECT max(id) FROM rights_request")
    visitors = [Visitor(base) for _ in range(40)]
    web = start(gunicorn(port, workers=2, threads=4), env, tmp_path / "web.log")
    wait_http(base + "/", web)
    forms = [v.form(["access"]) for v in visitors]
    first: dict[int, str | None] = {}

    def post(i: int) -> None:
        try:
            answer = visitors[i].call(*forms[i], timeout=20)
            first[i] = visitors[i].reference() if answer.status == 302 else None
        except (OSError, http.client.HTTPException):
            first[i] = None  # the connection died with the server

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(visitors))]
    for thread in threads:
        thread.start()
    _kill_when_some_are_stored(web, url, before)
    for thread in threads:
        thread.join(30)
    stored = scalar(url, "SELECT count(*) FROM rights_request") - before
    assert 0 < stored < len(visitors) or stored == len(visitors)
    _assert_every_request_whole(url, last)
    web = start(gunicorn(port, workers=2, threads=4), env, tmp_path / "web2.log")
    try:
        wait_http(base + "/", web)
        again = {}
        for i, visitor in enumerate(visitors):  # the person sends the same form again
            answer = visitor.call(*forms[i])
            assert answer.status == 302, (i, answer.status, answer.body[:300])
            again[i] = visitor.reference()
    finally:
        web.stop()
    print(f"\nkill -9 server: {stored} of {len(visitors)} intakes stored before the kill")
    assert all(again[i] == ref for i, ref in first.items() if ref), (first, again)
    assert None not in again.values() and len(set(again.values())) == len(visitors), again
    assert scalar(url, "SELECT count(*) FROM rights_request") - before == len(visitors)
    _assert_every_request_whole(url, last)


def _kill_when_some_are_stored(web: Proc, url: str, before: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if scalar(url, "SELECT count(*) FROM rights_request") - before >= 5:
            break
        time.sleep(0.02)
    web.kill()


def _assert_every_request_whole(url: str, last: int) -> None:
    """Every request stored after ``last`` has its audit event and its queued mail."""
    without_audit = scalar(
        url,
        f"SELECT count(*) FROM rights_request r WHERE r.id > {last} AND NOT EXISTS "
        "(SELECT 1 FROM audit_event a WHERE a.request_id = r.id)",
    )
    without_mail = scalar(
        url,
        f"SELECT count(*) FROM rights_request r WHERE r.id > {last} AND NOT EXISTS "
        "(SELECT 1 FROM outbox_mail m WHERE m.request_id = r.id)",
    )
    assert (without_audit, without_mail) == (0, 0)


ROWS = 200_000


def test_killed_during_a_data_file_import_leaves_the_file_whole_or_absent(tmp_path: Path) -> None:
    env = _prepared(tmp_path, free_port())
    url = f"sqlite:///{tmp_path / 'portal.db'}"
    big = tmp_path / "mailing-large.csv"
    with big.open("w", encoding="utf-8") as out:
        out.write("Klantnummer;Voornaam;Achternaam;E-mailadres;Postcode\n")
        for n in range(ROWS):
            out.write(f"K-{n};Voor{n};Achter{n};p{n}@example.nl;1234 AB\n")
    command = cli("sources", "upload", "mailing-bakkerij-jansen", str(big))
    files_before = scalar(url, "SELECT count(*) FROM data_file")
    importer = start(command, env, tmp_path / "import.log")
    _wait_until_writing(tmp_path / "portal.db", importer)
    assert importer.proc.poll() is None, importer.output()
    importer.kill()
    files = scalar(url, "SELECT count(*) FROM data_file")
    assert files == files_before  # the killed import left no file row
    _assert_no_half_dataset(url)
    began = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    took = time.perf_counter() - began
    assert done.returncode == 0, done.stderr
    assert scalar(url, "SELECT count(*) FROM data_file") == files_before + 1
    _assert_no_half_dataset(url)
    rows = scalar(url, "SELECT row_count FROM data_file ORDER BY id DESC LIMIT 1")
    print(
        f"\nkill -9 import: nothing left of the killed one; the next run imported {rows} rows in {took:.0f} s"
    )
    assert rows == ROWS


def _wait_until_writing(db: Path, proc: Proc, timeout: float = 120) -> None:
    """Until ``proc`` holds the database's write lock: the import's transaction has begun
    (its file row is flushed, its records follow). A probe's BEGIN IMMEDIATE with no busy
    wait is refused at once while another connection writes; nothing else writes here."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.proc.poll() is None, "the import ended before it was seen writing"
        probe = sqlite3.connect(db, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc):
                return
            raise
        finally:
            probe.close()
        time.sleep(0.02)  # the poll interval
    raise AssertionError(f"the import did not start writing:\n{proc.output()[-3000:]}")


def _assert_no_half_dataset(url: str) -> None:
    """Every file row has exactly its records, and no record is without its file."""
    mismatched = scalar(
        url,
        "SELECT count(*) FROM data_file f WHERE f.row_count != "
        "(SELECT count(*) FROM data_record r WHERE r.file_id = f.id)",
    )
    orphans = scalar(
        url,
        "SELECT count(*) FROM data_record r WHERE NOT EXISTS "
        "(SELECT 1 FROM data_file f WHERE f.id = r.file_id)",
    )
    assert (mismatched, orphans) == (0, 0)
