"""OpenDSR 2.0 under ``/opendsr/v2`` and its v1 routes under ``/opendsr/v1`` (docs/api.md,
"Endpoints"): one store, one implementation (``portal.machine.calls``); v1 answers carry
the ``X-OpenGDPR-*`` header names. CSRF-exempt (no cookies: a Bearer key per call) and
rate-limited per key (``PORTAL_OPENDSR_RATE_LIMIT``), both set up in ``portal.machine``."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify

from portal.machine import calls
from portal.machine.signed import signer
from portal.security import csrf, limiter

__all__ = ["OPENAPI", "init_app", "v1", "v2"]

OPENAPI = Path(__file__).with_name("openapi.json")

v2 = Blueprint("opendsr_v2", __name__, url_prefix="/opendsr/v2")
v1 = Blueprint("opendsr_v1", __name__, url_prefix="/opendsr/v1")


def _rate() -> str:
    return str(current_app.config.get("OPENDSR_RATE_LIMIT") or "600 per minute")


# Once, at import: both versions share one bucket per key; no cookies, so no CSRF token.
_shared = limiter.shared_limit(_rate, scope="opendsr", key_func=calls.rate_key)
for _bp in (v2, v1):
    _shared(_bp)
    csrf.exempt(_bp)


@v2.post("/requests")
def create() -> Response:
    return calls.create("2.0")


@v2.get("/requests/<subject_request_id>")
def status(subject_request_id: str) -> Response:
    return calls.status("2.0", subject_request_id)


@v2.delete("/requests/<subject_request_id>")
def cancel(subject_request_id: str) -> Response:
    return calls.cancel("2.0", subject_request_id)


@v2.get("/discovery")
def discovery() -> Response:
    return jsonify(calls.discovery("2.0"))


@v2.get("/certificate.pem")
def certificate() -> Response:
    return Response(signer().certificate_pem, mimetype="application/x-pem-file")


@v2.get("/openapi.json")
def openapi() -> Response:
    # Served as written: the file is the contract (tests check it against the app).
    return Response(OPENAPI.read_bytes(), mimetype="application/json")


@v1.post("/opengdpr_requests")
def create_v1() -> Response:
    return calls.create("1.0")


@v1.get("/opengdpr_requests/<subject_request_id>")
def status_v1(subject_request_id: str) -> Response:
    return calls.status("1.0", subject_request_id)


@v1.delete("/opengdpr_requests/<subject_request_id>")
def cancel_v1(subject_request_id: str) -> Response:
    return calls.cancel("1.0", subject_request_id)


@v1.get("/discovery")
def discovery_v1() -> Response:
    return jsonify(calls.discovery("1.0"))


def init_app(app: Flask) -> None:
    app.register_blueprint(v2)
    app.register_blueprint(v1)
    # First of all before-request functions, before the input guard reads a form body.
    app.before_request_funcs.setdefault(None, []).insert(0, calls.guard_body)
