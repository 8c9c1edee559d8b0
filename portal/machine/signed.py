"""Signed JSON answers of the machine API (docs/api.md, "Signatures"): the body bytes sent
are the bytes signed. The signer is loaded once per app from ``PORTAL_OPENDSR_KEY_FILE`` and
``PORTAL_OPENDSR_CERT_FILE``; development and test make a self-signed pair once in the
instance folder (production refuses to start without the files: ``portal.config``)."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, current_app

from rights.opendsr.signing import Signer, configured_signer, processor_domain

__all__ = ["HEADERS", "body_bytes", "signed_json", "signer"]

# api_version -> (domain header, signature header); v1 kept its OpenGDPR names (spec 10.1).
HEADERS = {
    "2.0": ("X-OpenDSR-Processor-Domain", "X-OpenDSR-Signature"),
    "1.0": ("X-OpenGDPR-Processor-Domain", "X-OpenGDPR-Signature"),
}


def signer(app: Flask | None = None) -> Signer:
    app = app or current_app
    found = app.extensions.get("opendsr_signer")
    if isinstance(found, Signer):
        return found
    made = configured_signer(
        app.config.get("OPENDSR_KEY_FILE"),
        app.config.get("OPENDSR_CERT_FILE"),
        development=app.config["ENV_NAME"] in ("development", "test"),
        instance_path=app.instance_path,
        base_url=str(app.config.get("BASE_URL") or ""),
    )
    app.extensions["opendsr_signer"] = made
    return made


def body_bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_json(payload: dict[str, Any], status: int, version: str) -> Response:
    body = body_bytes(payload)
    domain_header, signature_header = HEADERS.get(version, HEADERS["2.0"])
    response = Response(body, status=status, mimetype="application/json")
    response.headers[domain_header] = processor_domain(str(current_app.config["BASE_URL"]))
    response.headers[signature_header] = signer().sign(body)
    return response
