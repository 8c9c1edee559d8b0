"""Delivery of export packages: the subject's download page (step-up code), the officer's
build/release/revoke/re-issue endpoints and the controller's package list (issue 8)."""

from __future__ import annotations

from flask import Flask
from sqlalchemy.orm import Session

from portal.context import context_for
from portal.delivery.controller import bp as controller_bp
from portal.delivery.returns import bp as returns_bp
from portal.delivery.staff import bp as staff_bp
from portal.delivery.views import bp as download_bp
from portal.worker import JOBS
from rights.db import now_utc
from rights.packages import purge_expired


def purge_packages_job(app: Flask, session: Session) -> int:
    """Worker job: delete the files of expired packages (the rows and audit stay)."""
    ctx = context_for(app, session)
    return purge_expired(session, ctx.package_store(), now=now_utc())


def filesize(size: int) -> str:
    """A size in the page's language: "12,3 kB" in Dutch, "12.3 kB" in English."""
    from flask_babel import format_decimal

    if size < 1000 * 1000:
        return f"{format_decimal(size / 1000, format='#,##0.0')} kB"
    return f"{format_decimal(size / 1000 / 1000, format='#,##0.0')} MB"


def init_app(app: Flask) -> None:
    app.register_blueprint(download_bp)
    app.register_blueprint(staff_bp)
    app.register_blueprint(controller_bp)
    app.register_blueprint(returns_bp)
    JOBS["purge_packages"] = purge_packages_job
    app.add_template_filter(filesize, "filesize")
