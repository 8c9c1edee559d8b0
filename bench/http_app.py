"""The WSGI app gunicorn serves in ``bench_http.py``: the portal itself, and under ``/bare``
a bare Flask app on the same database and the same server, the baseline each page is
compared with. It reads the same ``PORTAL_*`` environment (production configuration).

The bare pages do what a page minimally must: one query for the same rows, a small Jinja
template, and (intake) a CSRF token in the session cookie and one INSERT.
"""

from __future__ import annotations

import hmac
import os
import secrets
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, abort, render_template_string, request, session
from sqlalchemy import text
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from portal import create_app
from rights.engine import make_engine

QUEUE = text(
    'SELECT r.reference, r."right", o.name AS org, r.state, u.name AS assignee, r.queue_due,'
    " r.received_at FROM rights_request r LEFT JOIN organisation o ON o.id = r.organisation_id"
    " LEFT JOIN user_account u ON u.id = r.assignee_id WHERE r.queue_due IS NOT NULL"
    " ORDER BY r.queue_due, r.id LIMIT 50"
)
ONE = text(
    'SELECT r.reference, r."right", r.state, r.requester_name, r.requester_email,'
    " r.received_at, r.due, r.details FROM rights_request r WHERE r.{column} = :value"
)
TABLE = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Bare</title></head>
<body><main><h1>Bare</h1><table><caption>Rows</caption><tbody>
{% for r in rows %}<tr>{% for v in r %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}
</tbody></table></main></body></html>"""
FORM = """<!doctype html><html lang="nl"><head><meta charset="utf-8"><title>Bare</title></head>
<body><main><form method="post"><input type="hidden" name="csrf_token" value="{{ token }}">
<label for="name">Name</label><input id="name" name="name">
<label for="email">E-mail</label><input id="email" name="email">
<label for="body">What</label><textarea id="body" name="body"></textarea>
<button>Send</button></form></main></body></html>"""


def bare_app(database_url: str, secret_key: str) -> Flask:
    app = Flask("bare")
    app.config.update(SECRET_KEY=secret_key, SESSION_COOKIE_NAME="bare_session")
    engine = make_engine(database_url)

    def rows(stmt: Any, **params: Any) -> list[Any]:
        with engine.connect() as conn:
            return list(conn.execute(stmt, params).all())

    @app.get("/queue")
    def queue() -> str:
        return render_template_string(TABLE, rows=rows(QUEUE))

    @app.get("/case/<reference>")
    def case(reference: str) -> str:
        found = rows(text(ONE.text.format(column="reference")), value=reference)
        return render_template_string(TABLE, rows=found or abort(404))

    @app.get("/status/<int:request_id>")
    def status(request_id: int) -> str:
        found = rows(text(ONE.text.format(column="id")), value=request_id)
        return render_template_string(TABLE, rows=found or abort(404))

    @app.route("/intake", methods=["GET", "POST"])
    def intake() -> Any:
        if request.method == "GET":
            session["csrf"] = session.get("csrf") or secrets.token_urlsafe(24)
            return render_template_string(FORM, token=session["csrf"])
        if not hmac.compare_digest(str(session.get("csrf", "")), request.form["csrf_token"]):
            abort(400)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO bench_bare_intake (name, email, body) VALUES (:n, :e, :b)"),
                {"n": request.form["name"], "e": request.form["email"], "b": request.form["body"]},
            )
        return ("", 303, {"Location": "/bare/intake"})

    return app


def cpu_header(wsgi: Any) -> Callable[..., Iterable[bytes]]:
    """Adds ``X-Bench-CPU-us``: the worker process's CPU time (user + system) spent on this
    request, body included. gunicorn's sync workers serve one request at a time per process,
    so the process clock counts this request only; the figure does not depend on the load."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.process_time()
        held: list[Any] = []
        body = wsgi(environ, lambda status, headers, exc_info=None: held.append(
            (status, headers, exc_info)
        ))  # fmt: skip
        try:
            chunks = list(body)
        finally:
            getattr(body, "close", lambda: None)()
        status, headers, exc_info = held[0]
        used = round((time.process_time() - started) * 1e6)
        start_response(status, [*headers, ("X-Bench-CPU-us", str(used))], exc_info)
        return chunks

    return app


portal_app = create_app()
app = cpu_header(
    DispatcherMiddleware(
        portal_app,
        {
            "/bare": bare_app(
                portal_app.config["DATABASE_URL"], os.environ.get("PORTAL_SECRET_KEY", "x" * 40)
            )
        },
    )
)
