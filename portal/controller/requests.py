"""The controller portal's request list and request page (docs/controllers.md)."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user

from portal.auth.guards import controller_required
from portal.controller.blueprint import bp
from portal.db import get_session
from rights.readmodels.controller import controller_requests


@bp.get("/")
@controller_required
def index() -> str:
    requests = controller_requests(get_session(), current_user.organisation_id)
    return render_template("controller/index.html", requests=requests)
