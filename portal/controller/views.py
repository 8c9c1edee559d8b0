"""The controller portal: a controller contact sees only their organisation's requests."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from portal.auth.guards import controller_required
from portal.db import get_session
from rights.readmodels.controller import controller_requests

bp = Blueprint("controller", __name__, url_prefix="/controller")


@bp.get("/")
@controller_required
def index() -> str:
    requests = controller_requests(get_session(), current_user.organisation_id)
    return render_template("controller/index.html", requests=requests)
