"""Register a request that arrived elsewhere (privacy@ mailbox, letter, phone, a colleague) with its
original arrival instant, so the deadline runs from real receipt (docs/legal.md, "Receipt")."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from flask import redirect, render_template, request, url_for
from sqlalchemy import select

from operations import intake as intake_ops
from operations.intake import IntakeError, Upload
from portal.auth.guards import staff_required
from portal.context import context
from portal.db import get_session
from portal.public.intake import read_upload
from portal.public.labels import RELATIONSHIPS, child_age_choices
from portal.staff import labels
from portal.staff.blueprint import bp
from portal.staff.helpers import parse_id
from rights import requests as ops
from rights.deadlines import AMSTERDAM
from rights.errors import DomainError, ValidationFailed
from rights.models.org import Organisation
from rights.models.request import Channel
from rights.righttypes import RIGHTS, Details, RightType

REGISTER_CHANNELS = (Channel.EMAIL, Channel.POST, Channel.PHONE, Channel.IN_PERSON)
# The one free-text field of each right's details that the officer fills in.
SUMMARY_FIELD = {
    RightType.ACCESS: "specific",
    RightType.RECTIFICATION: "which_data",
    RightType.ERASURE: "specific",
    RightType.RESTRICTION: "explanation",
    RightType.PORTABILITY: "transmit_to_name",
    RightType.OBJECTION: "situation",
    RightType.WITHDRAW_CONSENT: "which_consent",
}


def _field(name: str, limit: int = 2000) -> str:
    return (request.form.get(name) or "").replace("\x00", "").strip()[:limit]


def _arrival() -> datetime:
    try:
        day = date.fromisoformat(_field("received_date", 10))
        clock = time.fromisoformat(_field("received_time", 5) or "09:00")
        return datetime.combine(day, clock, tzinfo=AMSTERDAM).astimezone(UTC)
    except (ValueError, OverflowError):  # overflow: before the first UTC instant (year 1)
        raise ValidationFailed("arrival", code="received_at") from None


def _intake() -> ops.Intake:
    try:
        right = RightType(_field("right"))
    except ValueError:
        raise ValidationFailed("right", code="right") from None
    try:
        channel = Channel(_field("channel"))
    except ValueError:
        raise ValidationFailed("channel", code="channel") from None
    if channel not in REGISTER_CHANNELS:
        raise ValidationFailed("channel", code="channel")
    org_raw = _field("organisation")
    org_id = parse_id(org_raw)
    org = get_session().get(Organisation, org_id) if org_id else None
    if org is None:
        raise ValidationFailed("organisation", code="organisation")
    name, email, address = _field("name", 200), _field("email", 254).lower(), _field("address")
    if not name or not (email or address) or (email and ("@" not in email or "\n" in email)):
        raise ValidationFailed("requester", code="requester")
    summary = _field("summary")
    details: Details = RIGHTS[right].details(**({SUMMARY_FIELD[right]: summary} if summary else {}))
    if right is RightType.ACCESS and summary:
        details = RIGHTS[right].details(scope="specific", specific=summary)  # type: ignore[call-arg]
    return ops.Intake(
        right=right,
        details=details,
        requester=ops.Requester(
            name=name,
            email=email,
            phone=_field("phone", 40),
            address=address,
            customer_number=_field("customer_number", 100),
        ),
        received_at=_arrival(),
        channel=channel,
        language="en" if _field("language") == "en" else "nl",
        organisation_id=org.id,
        representative=_representative(),
        extra={"registered_by_staff": True},
    )


def _representative() -> dict[str, Any] | None:
    """Who asks for the subject: a relationship from the public form's list, and for a
    parent the child's age band (the mandate and minor rules apply as on the web form)."""
    name = _field("representative_name", 200)
    if not name:
        return None
    relationship = _field("representative_relationship", 20)
    representative = {"name": name, "relationship": relationship}
    if relationship not in RELATIONSHIPS:
        raise ValidationFailed("relationship", code="requester")
    if relationship == "parent":
        representative["child_age"] = _field("child_age", 10)
    return representative


def _mandate() -> Upload | None:
    upload = request.files.get("mandate")
    return read_upload(upload) if upload is not None else None


def _page(error: DomainError | None = None, status: int = 200) -> tuple[str, int]:
    orgs = get_session().scalars(select(Organisation).order_by(Organisation.name)).all()
    policy = context().policy
    return render_template(
        "staff/register.html",
        error=_error_text(error) if error else None,
        error_field=error.field if isinstance(error, IntakeError) else None,
        organisations=orgs,
        rights=list(RightType),
        channels=REGISTER_CHANNELS,
        labels=labels,
        relationships=RELATIONSHIPS,
        child_ages=child_age_choices(policy.minor_review_from_age, policy.minor_self_from_age),
        form=request.form,
    ), status


def _error_text(error: DomainError) -> str:
    return error.message if isinstance(error, IntakeError) else labels.error_text(error.code)


@bp.get("/register")
@staff_required
def register() -> tuple[str, int]:
    return _page()


@bp.post("/register")
@staff_required
def register_post() -> Any:
    ctx = context()
    try:
        r = intake_ops.register(ctx, _intake(), mandate=_mandate())
        ctx.session.commit()
    except DomainError as exc:
        ctx.session.rollback()
        return _page(exc, 422)
    return redirect(url_for("staff.case", reference=r.reference), 303)
