"""The demo package for ``make run``, built with the portal's package wiring until package
building is a use case of its own; the rest is ``operations.demo_package``."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from operations.context import Context
from operations.demo_package import load_demo_package as _load
from portal.context import context_for
from portal.packages import build_request_package, download_url, request_export_package
from rights.models.package import Package
from rights.models.request import RightsRequest


def _build(ctx: Context, request: RightsRequest) -> Package:
    now = ctx.now()
    export = request_export_package(
        request, now=now, operator_name=str(ctx.settings.extra["OPERATOR_NAME"])
    )
    return build_request_package(
        ctx.session,
        request,
        export,
        store=ctx.package_store(),
        now=now,
        actor=ctx.actor,
        retention=ctx.package_retention(),
    )


def load_demo_package(session: Session, app: Flask) -> str | None:
    """Create the demo package once (needs the demo users); returns its download link."""
    package = _load(context_for(app, session), _build)
    return download_url(package) if package is not None else None
