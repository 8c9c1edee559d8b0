"""Public pages for data subjects (intake and status are the data-subject issue)."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import select

from portal.db import get_session
from rights.models.org import Organisation, OrganisationKind

bp = Blueprint("public", __name__)


@bp.get("/")
def index() -> str:
    operator = get_session().scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.OPERATOR)
    )
    return render_template("public/index.html", operator=operator)
