"""The controller portal's decisions (docs/controllers.md, "The controller portal"): per
action approve, reject or comment; per package approve or reject; per request ask for more
proof of identity, extend, refuse or answer the subject ourselves; and "send our decisions
to the processor". Each is a POST that validates its form, calls one operation, commits
once and redirects; a refusal re-renders the page with its words and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from operations import controller_decisions as ops
from portal.auth.guards import controller_required
from portal.context import context
from portal.controller.blueprint import bp
from portal.controller.forms import (
    ActionDecisionForm,
    PackageDecisionForm,
    RequestDecisionForm,
    SendForm,
)
from portal.controller.labels import error_text
from portal.controller.requests import own_request, render_request
from portal.db import get_session
from portal.formfields import first_error
from portal.loading import get_or_404
from rights.controllers.authority import designated_contact
from rights.errors import DomainError
from rights.models.controller import DecisionKind
from rights.models.org import Organisation
from rights.models.package import Package, PackageKind
from rights.models.request import RightsRequest
from rights.models.source import SourceAction

Result = Response | tuple[str, int]


def _decide(
    reference: str,
    form: FlaskForm,
    run: Callable[[RightsRequest], Any],
    anchor: str = "",
    done: str = "",
) -> Result:
    """Load the user's own request, validate, run one operation, commit, redirect; a bad
    form or a domain refusal shows the page with the reason and changes nothing."""
    session, req = get_session(), own_request(reference)
    try:
        # Who may decide comes before what was asked: a reader is refused whatever the form.
        designated_contact(session, context().actor, organisation_of(req))
        if not form.validate_on_submit():
            return render_request(req, first_error(form), 422)
        run(req)
        session.commit()
    except DomainError as exc:
        session.rollback()
        return render_request(own_request(reference), error_text(exc.code), exc.http_status)
    flash(done or _("Your decision was recorded."), "info")
    return redirect(url_for("controller.request_page", reference=req.reference) + anchor, 303)


def organisation_of(req: RightsRequest) -> Organisation:
    if req.organisation is None:  # own_request found it by the user's organisation
        abort(404)
    return req.organisation


def _action(req: RightsRequest, action_id: int) -> SourceAction:
    """The request's action on the organisation's own data, or 404."""
    action = get_or_404(SourceAction, action_id, request_id=req.id)
    if action.source is not None and action.source.organisation_id != req.organisation_id:
        abort(404)
    return action


@bp.post("/requests/<reference>/actions/<int:action_id>/decision")
@controller_required
def action_decision(reference: str, action_id: int) -> Result:
    form = ActionDecisionForm()

    def run(req: RightsRequest) -> None:
        kind = DecisionKind(form.decision.data)
        ops.decide_action(context(), _action(req, action_id), kind, form.reason.data)

    return _decide(reference, form, run, f"#action-{action_id}")


@bp.post("/requests/<reference>/packages/<int:package_id>/decision")
@controller_required
def package_decision(reference: str, package_id: int) -> Result:
    form = PackageDecisionForm()

    def run(req: RightsRequest) -> None:
        package = get_or_404(Package, package_id, request_id=req.id, kind=PackageKind.REQUEST)
        ops.decide_package(context(), package, DecisionKind(form.decision.data), form.reason.data)

    return _decide(reference, form, run, f"#package-{package_id}")


@bp.post("/requests/<reference>/decision")
@controller_required
def request_decision(reference: str) -> Result:
    form = RequestDecisionForm()

    def run(req: RightsRequest) -> None:
        kind = DecisionKind(form.decision.data)
        ground = form.extension_ground.data if kind is DecisionKind.EXTEND else form.ground.data
        decision = ops.RequestDecision(kind, form.reason.data, ground or None)
        ops.decide_request(context(), req, decision)

    return _decide(reference, form, run, "#decisions")


@bp.post("/requests/<reference>/send")
@controller_required
def send_decisions(reference: str) -> Result:
    done = _("Your decisions were sent to the processor. Thank you.")
    return _decide(reference, SendForm(), lambda r: ops.send_to_processor(context(), r), "", done)
