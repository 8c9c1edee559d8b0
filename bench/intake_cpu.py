"""The intake's server CPU in-process: the same WSGI app and ``X-Bench-CPU-us`` figure as
``bench_http.py`` (``bench/http_app.py``), driven by Werkzeug's test client instead of HTTP,
ours and bare interleaved, medians per GET and per POST.

    python bench/intake_cpu.py [--pairs N] [--url POSTGRES_URL]

No gunicorn, no client threads: on a shared, loaded machine its ratio moves far less than
the HTTP bench's, so it is the quick check while changing the intake. The goal is still
measured by ``bench_http.py``.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import bench_http  # noqa: E402
from rights.crypto import generate_key  # noqa: E402

HEADERS = {
    "X-Forwarded-Proto": "https",
    "Referer": "https://127.0.0.1/",
    "Accept-Language": "nl",
    "Host": "127.0.0.1",
}
FORM_PATH = "/request/form?org=operator&right=access"


def _cpu(response: Any) -> int:
    return int(response.headers["X-Bench-CPU-us"])


def ours(client: Any, n: int) -> tuple[int, int]:
    page = client.get(FORM_PATH, headers=HEADERS)
    text = page.get_data(as_text=True)
    key = bench_http.FORM_KEY.search(text)
    token = bench_http.CSRF.search(text)
    assert key and token, text[:300]
    form = {
        "csrf_token": token.group(1), "form_key": key.group(1) or key.group(2),
        "acting": "self", "name": "Eva de Boer", "email": f"eva{n}@example.nl",
        "phone": "", "address": "", "customer_number": "K-123",
        "access_scope": "specific", "access_specific": "camera images",
        "access_period_from": "2025-01-01", "access_period_to": "2025-12-31",
    }  # fmt: skip
    sent = client.post(FORM_PATH, data=form, headers=HEADERS)
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)[:500]
    return _cpu(page), _cpu(sent)


def bare(client: Any, n: int) -> tuple[int, int]:
    page = client.get("/bare/intake", headers=HEADERS)
    token = bench_http.CSRF.search(page.get_data(as_text=True))
    assert token
    form = {"csrf_token": token.group(1), "name": "Eva", "email": f"eva{n}@example.nl", "body": "x"}
    sent = client.post("/bare/intake", data=form, headers=HEADERS)
    assert sent.status_code == 303
    return _cpu(page), _cpu(sent)


def run(pairs: int, url: str | None) -> str:
    secret, key = secrets.token_urlsafe(48), generate_key()
    with tempfile.TemporaryDirectory() as tmp, bench_http.database(url, Path(tmp)) as db_url:
        bench_http.prepare(db_url, 200, key)
        os.environ.update(bench_http.environment(db_url, Path(tmp), secret, key))
        from werkzeug.test import Client  # after the environment: http_app reads it

        from bench import http_app

        client = Client(http_app.app)
        for n in range(30):  # warm-up: templates, caches, the blank form page
            ours(client, n), bare(client, n)
        figures: dict[str, list[tuple[int, int]]] = {"ours": [], "bare": []}
        for n in range(1000, 1000 + pairs):
            figures["ours"].append(ours(client, n))
            figures["bare"].append(bare(client, n))
        http_app.portal_app.extensions["dsr_db"].engine.dispose()
    get = {k: statistics.median(g for g, _ in v) / 1000 for k, v in figures.items()}
    post = {k: statistics.median(p for _, p in v) / 1000 for k, v in figures.items()}
    total = {k: get[k] + post[k] for k in figures}
    return (
        f"{db_url.split(':')[0]}: ours GET {get['ours']:.2f} + POST {post['ours']:.2f} = "
        f"{total['ours']:.2f} ms; bare GET {get['bare']:.2f} + POST {post['bare']:.2f} = "
        f"{total['bare']:.2f} ms; CPU ratio (bare / ours) {total['bare'] / total['ours']:.2f}, "
        f"goal >= {bench_http.GOALS['intake']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pairs", type=int, default=300)
    parser.add_argument("--url", default=None, help="a PostgreSQL server (a database is made)")
    args = parser.parse_args()
    print(run(args.pairs, args.url))
    return 0


if __name__ == "__main__":
    sys.exit(main())
