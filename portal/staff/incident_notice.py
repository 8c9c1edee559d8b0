"""The officer's side of the notice to controllers (docs/incidents.md, "Notice to
controllers"): confirm the affected controllers, send the notice, follow up, answer
questions. The forms sit in ``staff/incidents/_controllers.html`` (included by the incident
page) and on the small page ``staff.incident_notice``; every step commits once and goes back
to the incident."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms import Form

from operations import incident_notice
from portal import incident_notice_words as incident_words
from portal.auth.guards import staff_required
from portal.context import context
from portal.db import get_session
from portal.formfields import first_error
from portal.incident_notice_words import refusal
from portal.staff.blueprint import bp
from portal.staff.incident_notice_forms import (
    AnswerForm,
    ConfirmControllersForm,
    CrossBorderForm,
    FollowUpForm,
    SendNoticeForm,
    SubjectsDecisionForm,
    SubjectsLettersForm,
)
from rights.errors import DomainError, NotFound
from rights.incidents.clocks import ap_due
from rights.readmodels.incidents import staff_notice

__all__ = ["back", "notice_view", "run_step"]


def back(incident_id: int) -> Response:
    """To the incident page (the register's), or to the notice page without it."""
    endpoint = "staff.incident" if "staff.incident" in current_app.view_functions else None
    return redirect(url_for(endpoint or "staff.incident_notice", incident_id=incident_id), 303)


def run_step(incident_id: int, step: Callable[[], object], done: str) -> Response:
    """Run one use case, commit once; a refusal stores nothing and is shown in words."""
    session = get_session()
    try:
        step()
    except NotFound:
        raise
    except DomainError as exc:
        session.rollback()
        flash(refusal(exc), "error")
        return back(incident_id)
    session.commit()
    flash(done, "info")
    return back(incident_id)


def notice_view(incident_id: int) -> dict[str, object]:
    """What ``staff/incidents/_controllers.html`` and ``_own_data.html`` need: a template
    global, so the incident page includes them with nothing but ``incident`` in scope."""
    notice = staff_notice(get_session(), incident_id)
    return {
        "notice": notice, "words": incident_words, "ap_due": ap_due(notice.incident),
        "confirm_form": ConfirmControllersForm(), "send_form": SendNoticeForm(),
        "follow_form": FollowUpForm(), "answer_form": AnswerForm(),
        "decision_form": SubjectsDecisionForm(), "border_form": CrossBorderForm(),
        "letters_form": SubjectsLettersForm(),
    }  # fmt: skip


bp.add_app_template_global(notice_view, "incident_notice_view")


@bp.get("/incidents/<int:incident_id>/notice", endpoint="incident_notice")
@staff_required
def incident_notice_page(incident_id: int) -> str:
    incident = staff_notice(get_session(), incident_id).incident
    return render_template("staff/incidents/notice.html", incident=incident)


def _form_error(incident_id: int, form: Form) -> Response:
    flash(first_error(form), "error")
    return back(incident_id)


@bp.post("/incidents/<int:incident_id>/controllers")
@staff_required
def incident_controllers(incident_id: int) -> Response:
    staff_notice(get_session(), incident_id)  # 404 first
    form = ConfirmControllersForm()
    if not form.validate_on_submit():
        return _form_error(incident_id, form)
    ids, own = form.organisations.data or [], form.own_data.data
    ctx = context()
    step = partial(incident_notice.confirm_controllers, ctx, incident_id, ids, own_data=own)
    return run_step(incident_id, step, _("The list of affected controllers was confirmed."))


@bp.post("/incidents/<int:incident_id>/send-notice")
@staff_required
def incident_send_notice(incident_id: int) -> Response:
    staff_notice(get_session(), incident_id)
    form = SendNoticeForm()
    if not form.validate_on_submit():
        return _form_error(incident_id, form)
    ctx, org = context(), form.organisation.data
    step = partial(incident_notice.send_notice, ctx, incident_id, org)
    return run_step(incident_id, step, _("The notice was sent."))


@bp.post("/incidents/<int:incident_id>/follow-ups")
@staff_required
def incident_follow_up(incident_id: int) -> Response:
    staff_notice(get_session(), incident_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _form_error(incident_id, form)
    ctx, body, org = context(), form.body.data or "", form.organisation.data
    step = partial(incident_notice.follow_up, ctx, incident_id, body, org)
    return run_step(incident_id, step, _("The further information was sent."))


@bp.post("/incidents/<int:incident_id>/answers")
@staff_required
def incident_answer(incident_id: int) -> Response:
    staff_notice(get_session(), incident_id)
    form = AnswerForm()
    if not form.validate_on_submit() or form.organisation.data is None:
        return _form_error(incident_id, form)
    ctx, body, org = context(), form.body.data or "", form.organisation.data
    step = partial(incident_notice.answer, ctx, incident_id, org, body)
    return run_step(incident_id, step, _("The answer was sent."))
