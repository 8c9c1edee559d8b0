"""The controller portal's request list and request page (docs/controllers.md, "The
controller portal"). A contact sees only their organisation's verified requests; anything
else, another organisation's or an unconfirmed request, is a 404 like an unknown one."""

from __future__ import annotations

from flask import abort, render_template
from flask_login import current_user

from portal import clock
from portal.auth.guards import controller_required
from portal.context import context
from portal.controller import labels
from portal.controller.blueprint import bp
from portal.db import get_session
from rights.audit import Actor, record
from rights.lifecycle import OPEN_STATES
from rights.models.request import RequestState, RightsRequest
from rights.readmodels.controller import (
    controller_request,
    controller_request_page,
    controller_requests,
)


def own_request(reference: str) -> RightsRequest:
    """The user's organisation's verified request with this reference, or 404."""
    found = controller_request(get_session(), current_user.organisation_id, reference.upper())
    if found is None:
        abort(404)
    return found


def render_request(
    req: RightsRequest, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    """The request page, with the words of a refusal when a decision was not taken."""
    page = controller_request_page(get_session(), req, key=context().source_keys())
    html = render_template(
        "controller/request.html",
        page=page,
        r=req,
        labels=labels,
        error=error,
        can_decide=any(c.id == current_user.id for c in page.contacts),
        forwarded=req.state is RequestState.FORWARDED,
        is_open=req.state in OPEN_STATES,
    )
    return html, status


@bp.get("/")
@controller_required
def index() -> str:
    requests = controller_requests(get_session(), current_user.organisation_id)
    return render_template("controller/index.html", requests=requests)


@bp.get("/requests/<reference>")
@controller_required
def request_page(reference: str) -> tuple[str, int]:
    session, req = get_session(), own_request(reference)
    # Showing the subject's data to the controller is a view of personal data: audited
    # (docs/security.md, "Audit trail").
    actor = Actor.user(int(current_user.id))
    record(session, "controller.request_viewed", actor=actor, now=clock.now(), request_id=req.id)
    session.commit()
    return render_request(req)
