"""The officer's incident register (docs/incidents.md): the list, a new incident, the
incident page with its clocks, and the forms that edit its facts, assess it, record the
measures and close it. Officers and admins only; a controller's contact gets a 404 and an
anonymous visitor the login page (``staff_required``). The controller side, the notice and
the AP draft attach to the same page through ``staff/incidents/_controllers.html``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from portal import clock
from portal.auth.guards import staff_required
from portal.db import get_session
from portal.incident_words import clock_name, clock_status, risk_words, state_words, zoned
from portal.loading import MAX_INT_ID, parse_id
from portal.staff.blueprint import bp
from portal.staff.helpers import actor
from portal.staff.incident_forms import (
    APNotifiedForm,
    AssessForm,
    CloseForm,
    IncidentForm,
    MeasuresForm,
    facts_formdata,
)
from portal.staff.incident_history import history
from portal.staff.incident_refusals import refuse
from rights.errors import Conflict, DomainError
from rights.incidents import queries, register
from rights.incidents.clocks import ap_due, clocks_of, open_incidents, running_clocks
from rights.incidents.queries import all_incidents, sources_and_files
from rights.models.incident import Incident, Risk

bp.add_app_template_global(zoned, "incident_time")
bp.add_app_template_global(state_words, "incident_state_words")
bp.add_app_template_global(risk_words, "incident_risk_words")
bp.add_app_template_global(clock_name, "incident_clock_name")
bp.add_app_template_global(clock_status, "incident_clock_status")

Forms = dict[str, FlaskForm]


@dataclass(frozen=True)
class Problem:
    """Why a step on the page was refused, in words, and the section (anchor) it concerns."""

    text: str
    section: str


def _choices() -> dict[str, Any]:
    sources, files = sources_and_files(get_session())
    return {"sources": sources, "files": files}


def _load(incident_id: int) -> Incident:
    found = queries.one(get_session(), incident_id) if incident_id <= MAX_INT_ID else None
    if found is None:
        abort(404)
    return found


def _url(incident: Incident) -> str:
    return f"/staff/incidents/{incident.id}"


@bp.get("/incidents/")
@staff_required
def incidents() -> str:
    found = all_incidents(get_session())
    running = {i.id: [c for c in clocks_of(i) if c.running] for i in found}
    return render_template(
        "staff/incidents/list.html", incidents=found, running=running, now=clock.now()
    )


def _new_page(form: IncidentForm, status: int = 200) -> tuple[str, int]:
    return render_template("staff/incidents/new.html", form=form, **_choices()), status


@bp.get("/incidents/new")
@staff_required
def incident_new() -> tuple[str, int]:
    return _new_page(IncidentForm(formdata=None))


@bp.post("/incidents/new")
@staff_required
def incident_create() -> Response | tuple[str, int]:
    form = IncidentForm()
    if not form.validate_on_submit():
        return _new_page(form, 422)
    session = get_session()
    try:
        incident = register.record(session, form.facts(), actor=actor(), now=clock.now())
    except DomainError as exc:
        session.rollback()
        refuse(form, exc)
        return _new_page(form, 422)
    session.commit()
    flash(_("Incident %(ref)s was recorded.", ref=incident.reference), "info")
    return redirect(_url(incident), 303)


def _forms(incident: Incident) -> Forms:
    return {
        "facts": IncidentForm(formdata=None, data=facts_formdata(incident)),
        "assess": AssessForm(formdata=None, data=_assess_data(incident), prefix="assess"),
        "measures": MeasuresForm(
            formdata=None,
            data={
                "taken": incident.measures_taken,
                "proposed": incident.measures_proposed,
                "recurrence": incident.measures_recurrence,
            },
        ),
        "close": CloseForm(formdata=None),
        "ap": APNotifiedForm(formdata=None, prefix="ap"),
    }


def _assess_data(incident: Incident) -> dict[str, Any]:
    breach = {True: "yes", False: "no", None: ""}[incident.is_breach]
    return {
        "breach": breach,
        "not_breach_reason": incident.not_breach_reason,
        "risk": incident.risk.value if incident.risk else "",
        "risk_reasons": incident.risk_reasons,
    }


def _page(
    incident: Incident, status: int = 200, problem: Problem | None = None, **override: FlaskForm
) -> tuple[str, int]:
    now = clock.now()
    return render_template(
        "staff/incidents/incident.html",
        incident=incident,
        clocks=clocks_of(incident),
        ap_clock_runs=ap_due(incident) is not None,
        now=now,
        forms={**_forms(incident), **override},
        history=history(get_session(), incident.id),
        risks=list(Risk),
        problem=problem,
        **_choices(),
    ), status


def refused_page(incident_id: int, status: int, problem: Problem) -> tuple[str, int]:
    """The incident page again, with the reason a step of an included section (the notice,
    our own data) was refused; the caller rolled back, so it shows what is stored."""
    return _page(_load(incident_id), status, problem)


@bp.get("/incidents/<int:incident_id>")
@staff_required
def incident(incident_id: int) -> tuple[str, int]:
    return _page(_load(incident_id))


def _apply(incident_id: int, name: str, form: FlaskForm, step: Any) -> Response | tuple[str, int]:
    """Validate ``form``, run ``step(session, incident)``, commit once, back to the page;
    a refusal is the page with the message on ``form`` (422) and nothing stored; a form
    whose hidden ``version`` is not the incident's (someone saved since) is refused (409)
    with what the officer typed kept in it."""
    session = get_session()
    incident = _load(incident_id)
    if not form.validate_on_submit():
        return _page(incident, 422, **{name: form})
    try:
        if parse_id(request.form.get("version")) != incident.version:
            # Someone saved the incident after this form was filled in (docs/incidents.md).
            raise Conflict("the incident changed since the form was opened", code="incident_stale")
        step(session, incident)
    except DomainError as exc:
        session.rollback()
        refuse(form, exc)
        return _page(_load(incident_id), exc.http_status, **{name: form})
    session.commit()
    flash(_("Saved."), "info")
    return redirect(_url(incident), 303)


@bp.post("/incidents/<int:incident_id>/facts")
@staff_required
def incident_facts(incident_id: int) -> Response | tuple[str, int]:
    form = IncidentForm()

    def step(session: Any, incident: Incident) -> None:
        register.edit_facts(session, incident, form.facts(), actor=actor(), now=clock.now())

    return _apply(incident_id, "facts", form, step)


@bp.post("/incidents/<int:incident_id>/assess")
@staff_required
def incident_assess(incident_id: int) -> Response | tuple[str, int]:
    form = AssessForm(prefix="assess")

    def step(session: Any, incident: Incident) -> None:
        register.assess(
            session,
            incident,
            is_breach=form.breach.data == "yes",
            reason=form.not_breach_reason.data or "",
            risk=form.chosen_risk(),
            risk_reasons=form.risk_reasons.data or "",
            aware_at=form.aware_at.data,
            actor=actor(),
            now=clock.now(),
        )

    return _apply(incident_id, "assess", form, step)


@bp.post("/incidents/<int:incident_id>/measures")
@staff_required
def incident_measures(incident_id: int) -> Response | tuple[str, int]:
    form = MeasuresForm()

    def step(session: Any, incident: Incident) -> None:
        register.set_measures(session, incident, form.measures(), actor=actor(), now=clock.now())

    return _apply(incident_id, "measures", form, step)


@bp.post("/incidents/<int:incident_id>/ap-notified")
@staff_required
def incident_ap_notified(incident_id: int) -> Response | tuple[str, int]:
    form = APNotifiedForm(prefix="ap")

    def step(session: Any, incident: Incident) -> None:
        assert form.notified_at.data is not None
        register.record_ap_notification(
            session,
            incident,
            notified_at=form.notified_at.data,
            ap_reference=form.ap_reference.data or "",
            delay_reasons=form.delay_reasons.data or "",
            actor=actor(),
            now=clock.now(),
        )

    return _apply(incident_id, "ap", form, step)


@bp.post("/incidents/<int:incident_id>/close")
@staff_required
def incident_close(incident_id: int) -> Response | tuple[str, int]:
    def step(session: Any, incident: Incident) -> None:
        register.close(session, incident, actor=actor(), now=clock.now())

    return _apply(incident_id, "close", CloseForm(), step)


def queue_clocks() -> list[Any]:
    """The running clocks for the queue page's dashboard area (one statement)."""
    return running_clocks(open_incidents(get_session()))
