"""The controller portal: a controller contact sees only their organisation's requests."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import select

from portal.auth.guards import controller_required
from portal.db import get_session
from rights.models.request import RightsRequest

bp = Blueprint("controller", __name__, url_prefix="/controller")


@bp.get("/")
@controller_required
def index() -> str:
    stmt = (
        select(RightsRequest)
        .where(RightsRequest.organisation_id == current_user.organisation_id)
        .order_by(RightsRequest.due, RightsRequest.id)
        .limit(200)
    )
    requests = get_session().execute(stmt).scalars().all()
    return render_template("controller/index.html", requests=requests)
