"""HTTP benchmark: the staff queue, case and status pages and the public intake, served by
gunicorn with the production configuration, against a bare Flask app on the same server
and database (``bench/http_app.py``), measured interleaved in the same run.

    python bench/bench_http.py [--rows N] [--rounds R] [--seconds S] [--url POSTGRES_URL]

Builds a fresh database (SQLite in a temporary folder, or a new database created on the
PostgreSQL server that ``--url`` names and dropped afterwards) with N requests (5 % open,
bench_queue.populate), an operator and a logged-in officer (password and TOTP done in the
setup). Starts gunicorn on a free port on 127.0.0.1 (``PORTAL_ENV=production``, 2 sync
workers, behind a trusted proxy header that says https).

- pages: R rounds, each one request to our page then one to the bare page; p95 of each and
  the ratio of the p95s. Goals: queue <= 5, case <= 5, status <= 3.
- intake: four client threads do GET form + POST (CSRF token, new form key) for S seconds,
  in alternating 2-second slices of ours and bare; transactions/s and ratio (goal >= 0.5).
- memory: growth of the gunicorn workers' RSS above their size after start-up and warm-up.
- CPU: every response carries the worker's CPU time for it (``X-Bench-CPU-us``, added by
  ``bench/http_app.py``); next to each p95 ratio the bench prints the ratio of the median
  CPU times (for intake: bare's CPU per GET + POST over ours), which a loaded machine
  moves far less than wall-clock times.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.bench_queue import populate  # noqa: E402
from rights.audit import SYSTEM  # noqa: E402
from rights.authentication import set_totp_secret  # noqa: E402
from rights.crypto import generate_key  # noqa: E402
from rights.engine import make_engine  # noqa: E402
from rights.keys import Keyring, Purpose  # noqa: E402
from rights.models.org import Organisation, OrganisationKind, Role  # noqa: E402
from rights.models.request import RightsRequest  # noqa: E402
from rights.opendsr.signing import ensure_development_pair  # noqa: E402
from rights.users import create_user  # noqa: E402

GOALS = {"queue": 5.0, "case": 5.0, "status": 3.0, "intake": 0.5}
WORKERS = 2
CLIENTS = 4
PASSWORD = "bench horse battery staple 42"
TOTP = pyotp.random_base32()
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
FORM_KEY = re.compile(r'name="form_key"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="form_key"')


class Client:
    """One browser: a cookie jar (the Secure flag is ignored: https ends at the 'proxy'),
    a new connection per request (gunicorn's sync workers close it anyway)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.cpu_us = 0  # the server's CPU time for the requests so far (X-Bench-CPU-us)

    def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Referer": "https://127.0.0.1/",
            "User-Agent": "bench",
            "Accept-Language": "nl",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read().decode()
            self.cpu_us += int(resp.getheader("X-Bench-CPU-us") or 0)
            for name, value in resp.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    val = rest.split(";", 1)[0]
                    if val and "Max-Age=0" not in value and "1970" not in value:
                        self.cookies[key] = val
                    else:
                        self.cookies.pop(key, None)
            return resp.status, data
        finally:
            conn.close()

    def get(self, path: str) -> str:
        status, data = self.request("GET", path)
        assert status == 200, (path, status, data[:300])
        return data


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(url: str | None, folder: Path) -> Iterator[str]:
    """A fresh empty database: a SQLite file, or a new PostgreSQL database (dropped after)."""
    if not url:
        yield f"sqlite:///{folder / 'bench.sqlite'}"
        return
    name = f"dsr_bench_{secrets.token_hex(4)}"
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str, rows: int, encryption_key: str) -> dict[str, Any]:
    """Migrate, fill, add the operator and an enrolled officer; ids the bench needs."""
    from alembic import command  # only the bench migrates; the app never does

    from portal.cli import alembic_config

    cfg = alembic_config(url)
    cfg.attributes["configure_logging"] = False  # type: ignore[attr-defined]
    command.upgrade(cfg, "head")  # type: ignore[arg-type]
    engine = make_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        populate(session, rows)
        session.add(
            Organisation(kind=OrganisationKind.OPERATOR, name="Operator", slug="op", created_at=now)
        )
        officer = create_user(
            session, email="bench@example.nl", name="Bench Officer", role=Role.OFFICER,
            now=now, actor=SYSTEM, password=PASSWORD,
        )  # fmt: skip
        seed_key = Keyring.from_text(encryption_key).purpose_key(Purpose.TOTP_SEEDS)
        set_totp_secret(officer, TOTP, seed_key)
        officer.totp_enrolled_at = now
        session.commit()
        case = session.scalars(
            select(RightsRequest)
            .where(RightsRequest.queue_due.is_not(None))
            .order_by(RightsRequest.queue_due, RightsRequest.id)
            .limit(1)
        ).one()
        ids = {"reference": case.reference, "id": case.id}
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE bench_bare_intake (id INTEGER PRIMARY KEY"
                + (" GENERATED BY DEFAULT AS IDENTITY" if engine.dialect.name != "sqlite" else "")
                + ", name TEXT, email TEXT, body TEXT)"
            )
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    engine.dispose()
    return ids


def environment(url: str, folder: Path, secret: str, encryption_key: str) -> dict[str, str]:
    # Production refuses to start without the machine API's signing pair: make one for the run.
    ensure_development_pair(folder / "opendsr", "127.0.0.1")
    return os.environ | {
        "PORTAL_OPENDSR_KEY_FILE": str(folder / "opendsr" / "opendsr-key.pem"),
        "PORTAL_OPENDSR_CERT_FILE": str(folder / "opendsr" / "opendsr-cert.pem"),
        "PORTAL_ENV": "production",
        "PORTAL_DATABASE_URL": url,
        "PORTAL_SECRET_KEY": secret,
        "PORTAL_ENCRYPTION_KEY": encryption_key,
        "PORTAL_BASE_URL": "https://127.0.0.1",
        "PORTAL_TRUSTED_HOSTS": "127.0.0.1",
        "PORTAL_TRUSTED_PROXIES": "1",
        "PORTAL_INSTANCE_PATH": str(folder / "instance"),
        # The intake limits are per address; every bench client comes from 127.0.0.1.
        "PORTAL_RATELIMIT_PUBLIC_IP": "10000000 per hour",
        "PORTAL_RATELIMIT_PUBLIC_EMAIL": "10000000 per hour",
    }


@contextmanager
def server(env: dict[str, str]) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    proc = subprocess.Popen(
        [str(gunicorn), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}",
         # a busy machine boots workers slowly: not killed by the 30 s heartbeat
         "--timeout", "300", "--log-level", "warning", "bench.http_app:app"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        yield port, proc
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def worker_rss_kib(master: int) -> int:
    total = 0
    for child in Path("/proc").iterdir():
        try:
            status = (child / "status").read_text()
        except OSError:
            continue
        if f"\nPPid:\t{master}\n" in status:
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
    return total


def login(client: Client) -> None:
    page = client.get("/auth/login")
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    form = {"email": "bench@example.nl", "password": PASSWORD, "csrf_token": token}
    status, body = client.request("POST", "/auth/login", form)
    assert status == 302, (status, body[:300])
    page = client.get("/auth/code")
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    status, body = client.request(
        "POST", "/auth/code", {"code": pyotp.TOTP(TOTP).now(), "csrf_token": token}
    )
    assert status == 302, (status, body[:300])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def pages(client: Client, paths: dict[str, tuple[str, str]], rounds: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name, (ours_path, bare_path) in paths.items():
        for _ in range(5):  # warm-up: templates compiled, caches filled, in both workers
            client.get(ours_path), client.get(bare_path)
        ours: list[float] = []
        bare: list[float] = []
        cpu: dict[str, list[int]] = {ours_path: [], bare_path: []}
        for _ in range(rounds):
            for path, times in ((ours_path, ours), (bare_path, bare)):
                start = time.perf_counter()
                before = client.cpu_us
                client.get(path)
                times.append(time.perf_counter() - start)
                cpu[path].append(client.cpu_us - before)
        ours_cpu, bare_cpu = statistics.median(cpu[ours_path]), statistics.median(cpu[bare_path])
        results[name] = {
            "ours_p95_ms": percentile(ours, 0.95) * 1000,
            "bare_p95_ms": percentile(bare, 0.95) * 1000,
            "ours_median_ms": statistics.median(ours) * 1000,
            "bare_median_ms": statistics.median(bare) * 1000,
            "ratio": percentile(ours, 0.95) / percentile(bare, 0.95),
            "ours_cpu_ms": ours_cpu / 1000,
            "bare_cpu_ms": bare_cpu / 1000,
            "cpu_ratio": ours_cpu / max(bare_cpu, 1),
            "goal": GOALS[name],
        }
    return results


def intake_ours(client: Client, n: int) -> None:
    path = "/request/form?org=operator&right=access"
    page = client.get(path)
    match = FORM_KEY.search(page)
    assert match, page[:300]
    form = {
        "csrf_token": CSRF.search(page).group(1),  # type: ignore[union-attr]
        "form_key": match.group(1) or match.group(2),
        "acting": "self", "name": "Eva de Boer", "email": f"eva{n}@example.nl",
        "phone": "", "address": "", "customer_number": "K-123",
        "access_scope": "specific", "access_specific": "camera images",
        "access_period_from": "2025-01-01", "access_period_to": "2025-12-31",
    }  # fmt: skip
    status, body = client.request("POST", path, form)
    assert status in (302, 303), (status, body[:500])


def intake_bare(client: Client, n: int) -> None:
    page = client.get("/bare/intake")
    token = CSRF.search(page).group(1)  # type: ignore[union-attr]
    form = {"csrf_token": token, "name": "Eva de Boer", "email": f"eva{n}@example.nl", "body": "x"}
    status, body = client.request("POST", "/bare/intake", form)
    assert status == 303, (status, body[:300])


def throughput(port: int, seconds: float, slice_s: float = 2.0) -> dict[str, Any]:
    """Transactions per second of ours and bare, in alternating slices of ``slice_s``."""
    done = {"ours": 0, "bare": 0}
    cpu_us = {"ours": 0, "bare": 0}
    spent = {"ours": 0.0, "bare": 0.0}
    errors: list[BaseException] = []
    counter = iter(range(10**9))
    lock = threading.Lock()
    kinds: dict[str, Callable[[Client, int], None]] = {"ours": intake_ours, "bare": intake_bare}
    for fn in kinds.values():  # warm-up
        fn(Client(port), next(counter))
    slices = max(2, int(seconds / slice_s))
    for i in range(slices):
        kind = "ours" if i % 2 == 0 else "bare"
        stop = time.perf_counter() + slice_s

        def loop(kind: str = kind, stop: float = stop) -> None:
            client = Client(port)
            try:
                while time.perf_counter() < stop:
                    with lock:
                        n = next(counter)
                    before = client.cpu_us
                    kinds[kind](client, n)
                    with lock:
                        done[kind] += 1
                        cpu_us[kind] += client.cpu_us - before
            except BaseException as exc:  # reported after the slice
                errors.append(exc)

        start = time.perf_counter()
        threads = [threading.Thread(target=loop) for _ in range(CLIENTS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        spent[kind] += time.perf_counter() - start
        if errors:
            raise errors[0]
    ours_tps, bare_tps = done["ours"] / spent["ours"], done["bare"] / spent["bare"]
    ours_cpu, bare_cpu = cpu_us["ours"] / done["ours"], cpu_us["bare"] / done["bare"]
    return {
        "ours_tps": ours_tps,
        "bare_tps": bare_tps,
        "ratio": ours_tps / bare_tps,
        # server CPU per GET + POST; as a throughput ratio: bare's CPU / ours
        "ours_cpu_ms": ours_cpu / 1000,
        "bare_cpu_ms": bare_cpu / 1000,
        "cpu_ratio": bare_cpu / ours_cpu,
        "goal": GOALS["intake"],
    }


def run(
    rows: int = 100_000,
    rounds: int = 200,
    seconds: float = 20.0,
    url: str | None = None,
    out: TextIO = sys.stdout,
) -> dict[str, Any]:
    secret, key = secrets.token_urlsafe(48), generate_key()
    with tempfile.TemporaryDirectory() as tmp, database(url, Path(tmp)) as db_url:
        folder = Path(tmp)
        ids = prepare(db_url, rows, key)
        env = environment(db_url, folder, secret, key)
        with server(env) as (port, proc):
            client = Client(port)
            login(client)
            status_path = "/status/" + status_token(env, ids["id"])
            paths = {
                "queue": ("/staff/", "/bare/queue"),
                "case": (f"/staff/requests/{ids['reference']}", f"/bare/case/{ids['reference']}"),
                "status": (status_path, f"/bare/status/{ids['id']}"),
            }
            for path, _ in paths.values():
                client.get(path)
            rss_start = worker_rss_kib(proc.pid)
            figures: dict[str, Any] = {
                "rows": rows,
                "database": make_url(db_url).get_backend_name(),
            }
            figures["pages"] = pages(client, paths, rounds)
            figures["intake"] = throughput(port, seconds)
            rss_end = worker_rss_kib(proc.pid)
            figures["memory"] = {"start_kib": rss_start, "end_kib": rss_end}
    report(figures, out)
    return figures


def status_token(env: dict[str, str], request_id: int) -> str:
    """The subject's status link, signed with the server's secret (as the mail has it)."""
    from itsdangerous import URLSafeTimedSerializer  # the same serializer as portal.tokens

    signer = URLSafeTimedSerializer(env["PORTAL_SECRET_KEY"], salt="dsr:status")
    return str(signer.dumps({"r": request_id}))


def report(figures: dict[str, Any], out: TextIO) -> None:
    print(
        f"database: {figures['database']}  requests: {figures['rows']:,}  "
        f"gunicorn: {WORKERS} sync workers, production configuration",
        file=out,
    )
    for name, page in figures["pages"].items():
        status = "ok" if page["ratio"] <= page["goal"] else "SLOW"
        print(
            f"{name:<7} page p95 ours {page['ours_p95_ms']:7.2f} ms (median "
            f"{page['ours_median_ms']:.2f}), bare {page['bare_p95_ms']:6.2f} ms (median "
            f"{page['bare_median_ms']:.2f}); ratio {page['ratio']:5.2f}, goal <= {page['goal']}"
            f"  {status}",
            file=out,
        )
        cpu_status = "ok" if page["cpu_ratio"] <= page["goal"] else "SLOW"
        print(
            f"{name:<7} page server CPU per request (median) ours {page['ours_cpu_ms']:6.2f} ms,"
            f" bare {page['bare_cpu_ms']:5.2f} ms; CPU ratio {page['cpu_ratio']:5.2f}, goal <= "
            f"{page['goal']}  {cpu_status}",
            file=out,
        )
    it = figures["intake"]
    status = "ok" if it["ratio"] >= it["goal"] else "SLOW"
    print(
        f"intake  GET+POST ours {it['ours_tps']:6.1f}/s, bare {it['bare_tps']:6.1f}/s "
        f"({CLIENTS} clients); ratio {it['ratio']:.2f}, goal >= {it['goal']}  {status}",
        file=out,
    )
    cpu_status = "ok" if it["cpu_ratio"] >= it["goal"] else "SLOW"
    print(
        f"intake  server CPU per GET+POST ours {it['ours_cpu_ms']:6.2f} ms, bare "
        f"{it['bare_cpu_ms']:5.2f} ms; CPU ratio (bare / ours) {it['cpu_ratio']:.2f}, goal >= "
        f"{it['goal']}  {cpu_status}",
        file=out,
    )
    mem = figures["memory"]
    print(
        f"memory  workers' RSS after warm-up {mem['start_kib'] / 1024:.1f} MiB, after the run "
        f"{mem['end_kib'] / 1024:.1f} MiB: growth {(mem['end_kib'] - mem['start_kib']) / 1024:.1f}"
        " MiB",
        file=out,
    )


def ok(figures: dict[str, Any]) -> bool:
    pages_ok = all(p["ratio"] <= p["goal"] for p in figures["pages"].values())
    return pages_ok and figures["intake"]["ratio"] >= figures["intake"]["goal"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--url", default=None, help="a PostgreSQL server (a database is made)")
    parser.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args, _ = parser.parse_known_args()
    figures = run(args.rows, args.rounds, args.seconds, args.url)
    if args.json:
        print(json.dumps(figures))
    return 0 if ok(figures) else 1


if __name__ == "__main__":
    sys.exit(main())
