"""When we are the controller, the officer's steps (docs/incidents.md, "When we are the
controller"): download the AP notification draft (JSON, PDF), record that the AP was
notified, decide on telling the people concerned (Art. 34) and send them the letter."""

from __future__ import annotations

from functools import partial
from typing import BinaryIO, cast

from flask import request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from operations import incident_ap
from portal.auth.guards import staff_required
from portal.context import context
from portal.controller.results_common import send
from portal.db import get_session
from portal.staff.blueprint import bp
from portal.staff.incident_notice import Outcome, form_refused, run_step
from portal.staff.incident_notice_forms import (
    CrossBorderForm,
    SubjectsDecisionForm,
    SubjectsLettersForm,
)
from rights.incidents.own_data import parse_addresses
from rights.models.incident import SubjectsDecision
from rights.readmodels.incidents import staff_notice


def _draft(incident_id: int, fmt: str) -> Response:
    ctx = context()
    rendered = incident_ap.download_draft(ctx, incident_id, fmt)
    ctx.session.commit()
    return send(rendered)


@bp.get("/incidents/<int:incident_id>/ap-draft.json")
@staff_required
def incident_ap_json(incident_id: int) -> Response:
    return _draft(incident_id, "json")


@bp.get("/incidents/<int:incident_id>/ap-draft.pdf")
@staff_required
def incident_ap_pdf(incident_id: int) -> Response:
    return _draft(incident_id, "pdf")


SECTION = "own-data"  # the anchor of ``_own_data.html``


@bp.post("/incidents/<int:incident_id>/cross-border")
@staff_required
def incident_cross_border(incident_id: int) -> Outcome:
    staff_notice(get_session(), incident_id)
    form = CrossBorderForm()
    if not form.validate_on_submit():
        return form_refused(incident_id, form, SECTION)
    value = form.cross_border.data == "yes"
    step = partial(incident_ap.set_cross_border, context(), incident_id, value)
    return run_step(incident_id, step, _("Recorded whether the breach is cross-border."), SECTION)


@bp.post("/incidents/<int:incident_id>/subjects-decision")
@staff_required
def incident_subjects_decision(incident_id: int) -> Outcome:
    staff_notice(get_session(), incident_id)
    form = SubjectsDecisionForm()
    if not form.validate_on_submit():
        return form_refused(incident_id, form, SECTION)
    step = partial(
        incident_ap.decide_subjects, context(), incident_id,
        SubjectsDecision(form.decision.data), ground=form.ground.data or "",
        reasons=form.reasons.data or "",
    )  # fmt: skip
    return run_step(
        incident_id, step, _("The decision on the people concerned was recorded."), SECTION
    )


def _letters(incident_id: int, form: SubjectsLettersForm) -> int:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        addresses = incident_ap.addresses_from_file(cast(BinaryIO, upload.stream), upload.filename)
    else:
        addresses = parse_addresses([form.addresses.data or ""])
    return incident_ap.notify_subjects(context(), incident_id, addresses, form.language.data)


@bp.post("/incidents/<int:incident_id>/subjects-letters")
@staff_required
def incident_subjects_letters(incident_id: int) -> Outcome:
    staff_notice(get_session(), incident_id)
    form = SubjectsLettersForm()
    if not form.validate_on_submit():
        return form_refused(incident_id, form, SECTION)
    step = partial(_letters, incident_id, form)
    return run_step(
        incident_id, step, _("The letters to the people concerned were queued."), SECTION
    )
