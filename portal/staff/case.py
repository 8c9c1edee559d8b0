"""The case page ``/staff/requests/<reference>`` and its actions. Every action is a POST
with the hidden ``version`` of the request (a stale form gets the 409 page), validates its
form, calls one domain function and commits once. Irreversible actions need the
``confirm`` box."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from flask import get_template_attribute, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from operations import forwarding
from portal import clock
from portal.auth.guards import staff_required
from portal.context import context
from portal.db import get_session
from portal.formfields import IdField, first_error
from portal.loading import get_or_404
from portal.staff import details, labels
from portal.staff.blueprint import bp
from portal.staff.forms import (
    AskForm,
    AssignForm,
    CaseForm,
    ConfirmedForm,
    ExtendForm,
    IdentityForm,
    MergeForm,
    MessageForm,
    NoteForm,
    SplitForm,
    WithdrawForm,
)
from portal.staff.helpers import actor, attachment, check_version, load_case, policy
from portal.staff.timeline import timeline
from portal.storage import document_store
from rights import audit, casework, followups
from rights import requests as ops
from rights.controllers import routing
from rights.errors import DomainError, ValidationFailed
from rights.messages import post_message
from rights.models.case import Document, Party
from rights.models.org import Organisation, User
from rights.models.request import RequestState, RightsRequest
from rights.readmodels.case import case_view
from rights.righttypes import RightType


def state_names() -> dict[str, str]:
    label = get_template_attribute("macros/requests.html", "state_label")
    return {s.value: str(label(s)).strip() for s in RequestState}


def right_names() -> dict[str, str]:
    label = get_template_attribute("macros/requests.html", "right_label")
    return {r.value: str(label(r)).strip() for r in RightType}


def _confirmed() -> None:
    if request.form.get("confirm") != "yes":
        raise ValidationFailed("confirmation missing", code="confirm")


def case_context(r: RightsRequest) -> dict[str, Any]:
    session = get_session()
    view = case_view(session, r, clock.now())
    return {f.name: getattr(view, f.name) for f in fields(view)} | {
        "labels": labels,
        "timeline": timeline(view.events, view.users),
        "detail_rows": details.details(r),
        "representative_rows": details.representative(r),
        "link_rows": details.link_rows(session, r, view.links),
        "note_kind": details.note_kind,
        "follow_up": followups.follow_up_ground(r),
        "follow_up_case": followups.existing_follow_up(session, r, view.links),
        "forward": routing.forward_view(session, r, clock.now()),
        "forward_errors": FORWARD_ERRORS,
        "approvals_count": lambda: view.pending,  # the menu's, from the overview statement
    }


def _render_case(r: RightsRequest, error: str | None = None, status: int = 200) -> tuple[str, int]:
    return render_template("staff/case.html", error=error, **case_context(r)), status


@bp.get("/requests/<reference>")
@staff_required
def case(reference: str) -> tuple[str, int]:
    session = get_session()
    r = load_case(reference)
    audit.record(session, "case.viewed", actor=actor(), now=clock.now(), request_id=r.id)
    session.commit()
    return _render_case(r)


def _act(
    reference: str,
    action: Callable[[RightsRequest], Any],
    *,
    anchor: str = "",
    form: FlaskForm | None = None,
    errors: Mapping[str, object] | None = None,
) -> Response | tuple[str, int]:
    """Load, version-check, validate the form, run one domain action, commit, redirect. A
    bad form or a domain refusal re-renders the case page with the reason (422 for input,
    409 for state) and stores nothing."""
    session = get_session()
    r = load_case(reference)
    check_version(r, request.form.get("version"))
    if form is not None and not form.validate():
        return _render_case(r, first_error(form), 422)
    try:
        result = action(r)
        session.commit()
    except DomainError as exc:
        session.rollback()
        r = load_case(reference)
        text = str(errors[exc.code]) if errors and exc.code in errors else None
        return _render_case(r, text or labels.error_text(exc.code), exc.http_status)
    if isinstance(result, Response):
        return result
    return redirect(url_for("staff.case", reference=r.reference) + anchor, 303)


def _form(name: str) -> str:
    # NUL never reaches the database (PostgreSQL refuses it in text).
    return (request.form.get(name) or "")[:50_000].replace("\x00", "")


@bp.get("/requests/<reference>/documents/<int:document_id>")
@staff_required
def document(reference: str, document_id: int) -> Response:
    """An evidence document, decrypted, as a download (never rendered inline); audited."""
    session = get_session()
    r = load_case(reference)
    doc = get_or_404(Document, document_id, request_id=r.id)
    data = document_store().read(doc)  # Gone (410) once deleted
    audit.record(
        session,
        "document.viewed",
        actor=actor(),
        now=clock.now(),
        request_id=r.id,
        object_type="document",
        object_id=doc.id,
    )
    session.commit()
    return attachment(data, doc.content_type, f"document-{doc.id}")


@bp.post("/requests/<reference>/identity")
@staff_required
def record_identity(reference: str) -> Any:
    form = IdentityForm()

    def do(r: RightsRequest) -> None:
        casework.record_identity(
            get_session(),
            document_store(),
            r,
            form.method.data,
            form.note.data,
            actor=actor(),
            now=clock.now(),
        )

    return _act(reference, do, form=form)


@bp.post("/requests/<reference>/ask")
@staff_required
def ask(reference: str) -> Any:
    form = AskForm()

    def do(r: RightsRequest) -> None:
        casework.ask_information(
            get_session(),
            r,
            form.reason.data,
            form.question.data,
            actor=actor(),
            now=clock.now(),
            policy=policy(),
            asks_document=form.asks_document.data,
        )

    return _act(reference, do, anchor="#messages", form=form)


@bp.post("/requests/<reference>/answered")
@staff_required
def information_received(reference: str) -> Any:
    return _act(
        reference,
        lambda r: casework.information_received(
            get_session(), r, actor=actor(), now=clock.now(), policy=policy()
        ),
        form=CaseForm(),
    )


@bp.post("/requests/<reference>/assign")
@staff_required
def assign(reference: str) -> Any:
    form = AssignForm()

    def do(r: RightsRequest) -> None:
        user = get_session().get(User, form.assignee.data) if form.assignee.data else None
        if form.assignee.data and user is None:
            raise ValidationFailed("unknown officer", code="assignee")
        casework.assign(get_session(), r, user, actor=actor(), now=clock.now())

    return _act(reference, do, form=form)


@bp.post("/requests/<reference>/extend")
@staff_required
def extend(reference: str) -> Any:
    form = ExtendForm()

    def do(r: RightsRequest) -> None:
        ground, justification = form.ground.data, form.justification.data
        ops.extend(get_session(), r, ground, justification, actor=actor(), now=clock.now())

    return _act(reference, do, form=form)


@bp.post("/requests/<reference>/withdraw")
@staff_required
def withdraw(reference: str) -> Any:
    form = WithdrawForm()
    return _act(
        reference,
        lambda r: casework.withdraw(
            get_session(), r, form.note.data, actor=actor(), now=clock.now()
        ),
        form=form,
    )


@bp.post("/requests/<reference>/reopen")
@staff_required
def reopen(reference: str) -> Any:
    form = NoteForm()
    return _act(
        reference,
        lambda r: casework.reopen(
            get_session(), r, form.note.data, actor=actor(), now=clock.now(), policy=policy()
        ),
        form=form,
    )


@bp.post("/requests/<reference>/split")
@staff_required
def split(reference: str) -> Any:
    form = SplitForm()

    def do(r: RightsRequest) -> None:
        session = get_session()
        wanted = form.organisations.data
        orgs = session.scalars(select(Organisation).where(Organisation.id.in_(wanted))).all()
        orgs = sorted(orgs, key=lambda o: wanted.index(o.id))
        casework.split(session, r, orgs, actor=actor(), now=clock.now(), policy=policy())

    return _act(reference, do, form=form)


@bp.post("/requests/<reference>/merge")
@staff_required
def merge(reference: str) -> Any:
    form = MergeForm()

    def do(r: RightsRequest) -> None:
        session = get_session()
        reference_ = form.primary.data
        primary = session.scalar(select(RightsRequest).where(RightsRequest.reference == reference_))
        if primary is None:
            raise ValidationFailed("unknown reference", code="not_found")
        casework.merge_duplicate(session, r, primary, actor=actor(), now=clock.now())

    return _act(reference, do, form=form)


@bp.post("/requests/<reference>/message")
@staff_required
def message(reference: str) -> Any:
    form = MessageForm()

    def do(r: RightsRequest) -> None:
        post_message(
            get_session(),
            r,
            form.body.data,
            sender=Party.OFFICER,
            actor=actor(),
            now=clock.now(),
            asks_document=form.asks_document.data,
        )
        r.updated_at = clock.now()

    return _act(reference, do, anchor="#messages", form=form)


# Why a request cannot be forwarded, in words (docs/controllers.md, "Forwarding").
FORWARD_ERRORS: Mapping[str, object] = {
    "not_a_controller": _l(
        "This request is about the operator's own data: the operator decides it, so there "
        "is no controller to forward it to."
    ),
    "no_designated_contact": _l(
        "This controller has no active designated contact, so nobody could receive the "
        "request. Ask an administrator to designate a contact person first."
    ),
    "split_first": _l(
        "The person was found in the data of more than one organisation. Split the request "
        "first (one part per organisation), then forward each part."
    ),
    "nothing_found": _l(
        "We do not know yet which controller has this person's data: search the data "
        "sources and confirm the matches first."
    ),
    "controller_instructed": _l(
        "The controller gave this instruction itself: that is its approval, so the request "
        "is not forwarded back to it."
    ),
    "found_elsewhere": _l("The person was found in the data of another organisation."),
    "other_org": _l("This request belongs to another organisation."),
    "not_verified": _l("The subject has not confirmed the e-mail address yet."),
    "already_forwarded": _l("This request was already forwarded."),
    "not_forwardable": _l("This request waits for an approval and cannot be forwarded now."),
    "not_open": _l("This request is no longer open."),
}


class ForwardForm(ConfirmedForm):
    organisation = IdField()


@bp.post("/requests/<reference>/forward")
@staff_required
def forward(reference: str) -> Any:
    """Forward the request to its controller's designated contacts, with the mails."""
    form = ForwardForm()

    def do(r: RightsRequest) -> None:
        wanted = form.organisation.data
        org = get_session().get(Organisation, wanted) if wanted else None
        if wanted and org is None:
            raise ValidationFailed("unknown organisation", code="found_elsewhere")
        forwarding.forward_request(context(), r, org)

    return _act(reference, do, anchor="#forward", form=form, errors=FORWARD_ERRORS)
