"""The controller's certificates of executed erasures and rectifications, as PDF and JSON
(docs/controllers.md, "Results back to the controller"). Another organisation's action is a
404, the same as an unknown one."""

from __future__ import annotations

from flask import render_template
from werkzeug.wrappers import Response

from operations.certificates import action_json, download
from portal.auth.guards import controller_required
from portal.context import context
from portal.controller.blueprint import bp
from portal.controller.results_common import organisation_id, send
from portal.db import get_session
from rights.controllers.certificates import action_certificate, certified_actions


@bp.get("/certificates/")
@controller_required
def certificates() -> str:
    actions = certified_actions(get_session(), organisation_id())
    return render_template("controller/certificates.html", actions=actions)


def _download(action_id: int, fmt: str) -> Response:
    ctx = context()
    cert = action_certificate(ctx.session, organisation_id(), action_id)
    rendered = download(ctx, action_json(cert, ctx.texts()), cert, fmt, object_id=action_id)
    ctx.session.commit()
    return send(rendered)


@bp.get("/certificates/<int:action_id>.pdf")
@controller_required
def certificate_pdf(action_id: int) -> Response:
    return _download(action_id, "pdf")


@bp.get("/certificates/<int:action_id>.json")
@controller_required
def certificate_json(action_id: int) -> Response:
    return _download(action_id, "json")
