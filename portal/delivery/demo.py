"""The demo package for ``make run`` (``operations.demo_package``, building the access
package with ``operations.packages``), and its download link (signed at the edge)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from operations.context import Context
from operations.demo_package import load_demo_package as _load
from operations.packages import build_request_package, operator_name, request_export_package
from portal.context import context_for
from portal.packages import download_url
from rights.models.package import Package
from rights.models.request import RightsRequest


def _build(ctx: Context, request: RightsRequest) -> Package:
    export = request_export_package(request, now=ctx.now(), operator_name=operator_name(ctx))
    return build_request_package(ctx, request, export)


def load_demo_package(session: Session, app: Flask) -> str | None:
    """Create the demo package once (needs the demo users); returns its download link."""
    package = _load(context_for(app, session), _build)
    return download_url(package) if package is not None else None
