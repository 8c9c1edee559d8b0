"""The officer's side of the notice to controllers (docs/incidents.md, "Notice to
controllers"): confirm the affected controllers, send the notice, send it again to one,
follow up, answer questions. The forms sit in ``staff/incidents/_controllers.html``
(included by the incident page); every step commits once and goes back to the incident's
section, and a refused step is the incident page again with the reason in words and a 4xx
status, nothing stored."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from flask import flash, redirect, url_for
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
from portal.incident_words import zoned
from portal.staff.blueprint import bp
from portal.staff.incident_notice_forms import (
    AnswerForm,
    ConfirmControllersForm,
    CrossBorderForm,
    FollowUpForm,
    ResendNoticeForm,
    SendNoticeForm,
    SubjectsDecisionForm,
    SubjectsLettersForm,
)
from portal.staff.incidents import Problem, refused_page
from rights.errors import DomainError, NotFound
from rights.incidents.clocks import ap_due
from rights.incidents.notice import Resent
from rights.readmodels.incidents import staff_notice

__all__ = ["Outcome", "back", "form_refused", "notice_view", "run_step"]

SECTION = "controllers"  # the anchor of ``_controllers.html``
Outcome = Response | tuple[str, int]


def back(incident_id: int, section: str = SECTION) -> Response:
    """To the incident page, at the section the step belongs to."""
    return redirect(url_for("staff.incident", incident_id=incident_id, _anchor=section), 303)


def run_step(
    incident_id: int,
    step: Callable[[], Any],
    done: str | Callable[[Any], str],
    section: str = SECTION,
) -> Outcome:
    """Run one use case, commit once, flash ``done`` (or ``done(result)``) and go back; a
    refusal stores nothing and is the incident page with the reason in words (its 4xx)."""
    session = get_session()
    try:
        result = step()
    except NotFound:
        raise
    except DomainError as exc:
        session.rollback()
        return refused_page(incident_id, exc.http_status, Problem(refusal(exc), section))
    session.commit()
    flash(done if isinstance(done, str) else done(result), "info")
    return back(incident_id, section)


def form_refused(incident_id: int, form: Form, section: str = SECTION) -> tuple[str, int]:
    """A form that does not hold what the step needs: 422, its first error in words."""
    get_session().rollback()
    return refused_page(incident_id, 422, Problem(first_error(form), section))


def notice_view(incident_id: int) -> dict[str, object]:
    """What ``staff/incidents/_controllers.html`` and ``_own_data.html`` need: a template
    global, so the incident page includes them with nothing but ``incident`` in scope."""
    notice = staff_notice(get_session(), incident_id)
    return {
        "notice": notice, "words": incident_words, "ap_due": ap_due(notice.incident),
        "confirm_form": ConfirmControllersForm(), "send_form": SendNoticeForm(),
        "follow_form": FollowUpForm(), "answer_form": AnswerForm(),
        "resend_form": ResendNoticeForm(),
        "decision_form": SubjectsDecisionForm(), "border_form": CrossBorderForm(),
        "letters_form": SubjectsLettersForm(),
    }  # fmt: skip


bp.add_app_template_global(notice_view, "incident_notice_view")


@bp.get("/incidents/<int:incident_id>/notice", endpoint="incident_notice")
@staff_required
def incident_notice_page(incident_id: int) -> Response:
    """The old small notice page: its parts are on the incident page now."""
    staff_notice(get_session(), incident_id)  # 404 for an unknown incident
    return redirect(url_for("staff.incident", incident_id=incident_id, _anchor=SECTION), 301)


def _resent(resent: Resent) -> str:
    return str(_(
        "On %(when)s the notice was sent again to %(org)s, to %(addresses)s.",
        when=zoned(resent.at), org=resent.organisation.name,
        addresses=", ".join(resent.addresses),
    ))  # fmt: skip


@bp.post("/incidents/<int:incident_id>/controllers")
@staff_required
def incident_controllers(incident_id: int) -> Outcome:
    staff_notice(get_session(), incident_id)  # 404 first
    form = ConfirmControllersForm()
    if not form.validate_on_submit():
        return form_refused(incident_id, form)
    ids, own = form.organisations.data or [], form.own_data.data
    ctx = context()
    step = partial(incident_notice.confirm_controllers, ctx, incident_id, ids, own_data=own)
    return run_step(incident_id, step, _("The list of affected controllers was confirmed."))


@bp.post("/incidents/<int:incident_id>/send-notice")
@staff_required
def incident_send_notice(incident_id: int) -> Outcome:
    staff_notice(get_session(), incident_id)
    form = SendNoticeForm()
    if not form.validate_on_submit():
        return form_refused(incident_id, form)
    ctx, org = context(), form.organisation.data
    step = partial(incident_notice.send_notice, ctx, incident_id, org)
    return run_step(incident_id, step, _("The notice was sent."))


@bp.post("/incidents/<int:incident_id>/resend-notice")
@staff_required
def incident_resend_notice(incident_id: int) -> Outcome:
    staff_notice(get_session(), incident_id)
    form = ResendNoticeForm()
    if not form.validate_on_submit() or form.organisation.data is None:
        return form_refused(incident_id, form)
    ctx, org = context(), form.organisation.data
    step = partial(incident_notice.resend_notice, ctx, incident_id, org)
    return run_step(incident_id, step, _resent)


@bp.post("/incidents/<int:incident_id>/follow-ups")
@staff_required
def incident_follow_up(incident_id: int) -> Outcome:
    staff_notice(get_session(), incident_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return form_refused(incident_id, form)
    ctx, body, org = context(), form.body.data or "", form.organisation.data
    step = partial(incident_notice.follow_up, ctx, incident_id, body, org)
    return run_step(incident_id, step, _("The further information was sent."))


@bp.post("/incidents/<int:incident_id>/answers")
@staff_required
def incident_answer(incident_id: int) -> Outcome:
    staff_notice(get_session(), incident_id)
    form = AnswerForm()
    if not form.validate_on_submit() or form.organisation.data is None:
        return form_refused(incident_id, form)
    ctx, body, org = context(), form.body.data or "", form.organisation.data
    step = partial(incident_notice.answer, ctx, incident_id, org, body)
    return run_step(incident_id, step, _("The answer was sent."))
