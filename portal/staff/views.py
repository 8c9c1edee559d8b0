"""The officer's workspace (the full case handling is the workspace issue)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template
from sqlalchemy import case, select

from portal.auth.guards import staff_required
from portal.db import get_session
from portal.mail import mail_dir
from rights.lifecycle import OPEN_STATES
from rights.models.request import RightsRequest

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@staff_required
def queue() -> str:
    stmt = (
        select(RightsRequest)
        .where(RightsRequest.state.in_(OPEN_STATES))
        .order_by(
            case((RightsRequest.extended, RightsRequest.extended_due), else_=RightsRequest.due),
            RightsRequest.id,
        )
        .limit(200)
    )
    requests = get_session().execute(stmt).scalars().all()
    return render_template("staff/queue.html", requests=requests)


@bp.get("/dev-mail")
@staff_required
def dev_mail() -> str:
    """Development only: the mail the worker wrote to files instead of sending."""
    if current_app.config["MAIL_MODE"] != "file":
        abort(404)
    folder = mail_dir(current_app)
    files = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.exists() else []
    return render_template("staff/dev_mail.html", files=files)


@bp.get("/dev-mail/<name>")
@staff_required
def dev_mail_file(name: str) -> Response:
    if current_app.config["MAIL_MODE"] != "file":
        abort(404)
    folder = mail_dir(current_app)
    path = folder / Path(name).name
    if not name.endswith(".eml") or not path.is_file():
        abort(404)
    return Response(path.read_bytes(), mimetype="text/plain; charset=utf-8")
