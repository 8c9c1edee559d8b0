"""Incidents in the controller portal (docs/incidents.md, "Notice to controllers"): the
list of incidents the contact's organisation was told of, each incident's Art. 33(3)
information, the follow-ups and answers, the acknowledgement by a designated contact, and
questions. Another organisation's incident is a 404, the same as an unknown one. A refused
step is the page again with the reason in words and a 4xx status, nothing stored."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from operations import incident_notice
from portal import incident_notice_words as incident_words
from portal.auth.guards import controller_required
from portal.context import context
from portal.controller.blueprint import bp
from portal.controller.forms import AcknowledgeForm, QuestionForm
from portal.controller.results_common import designated, organisation_id
from portal.db import get_session
from portal.formfields import first_error
from portal.incident_notice_words import refusal
from rights.audit import record
from rights.errors import DomainError, NotFound
from rights.readmodels.incidents import controller_incident, controller_incidents

PAGE = "controller.incident"


@bp.get("/incidents/")
@controller_required
def incidents() -> str:
    rows = controller_incidents(get_session(), organisation_id())
    return render_template("controller/incidents.html", rows=rows)


@bp.get("/incidents/<int:incident_id>")
@controller_required
def incident(incident_id: int) -> tuple[str, int]:
    ctx = context()
    page = controller_incident(ctx.session, organisation_id(), incident_id)
    record(
        ctx.session, "incident.viewed", actor=ctx.actor, now=ctx.now(),
        object_type="incident", object_id=incident_id,
        data={"organisation_id": page.link.organisation_id},
    )  # fmt: skip
    ctx.session.commit()
    return _page(incident_id, page=page)


def _page(
    incident_id: int, status: int = 200, problem: str = "", page: Any = None
) -> tuple[str, int]:
    """The incident's page (``problem``: why a step was refused, in words)."""
    page = page or controller_incident(get_session(), organisation_id(), incident_id)
    return render_template(
        "controller/incident.html", page=page, may_acknowledge=designated() is not None,
        ack_form=AcknowledgeForm(), question_form=QuestionForm(), words=incident_words,
        problem=problem,
    ), status  # fmt: skip


Outcome = Response | tuple[str, int]


def _step(incident_id: int, done: str, step: str, body: str = "") -> Outcome:
    """Run one contact's step (``acknowledge`` or ``ask``), commit, back to the page."""
    ctx = context()
    try:
        if step == "ask":
            incident_notice.ask(ctx, incident_id, body)
        else:
            incident_notice.acknowledge(ctx, incident_id)
    except NotFound:
        raise
    except DomainError as exc:
        ctx.session.rollback()
        return _page(incident_id, exc.http_status, refusal(exc))
    ctx.session.commit()
    flash(done, "info")
    return redirect(url_for(PAGE, incident_id=incident_id), 303)


@bp.post("/incidents/<int:incident_id>/acknowledge")
@controller_required
def incident_acknowledge(incident_id: int) -> Outcome:
    controller_incident(get_session(), organisation_id(), incident_id)  # 404 first
    if not AcknowledgeForm().validate_on_submit():
        return _page(incident_id, 422, _("The form expired. Please try again."))
    return _step(incident_id, _("You confirmed that you received this notice."), "acknowledge")


@bp.post("/incidents/<int:incident_id>/questions")
@controller_required
def incident_ask(incident_id: int) -> Outcome:
    controller_incident(get_session(), organisation_id(), incident_id)  # 404 first
    form = QuestionForm()
    if not form.validate_on_submit():
        return _page(incident_id, 422, first_error(form))
    return _step(incident_id, _("Your question was sent."), "ask", form.body.data or "")
