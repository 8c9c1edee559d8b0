"""The request form: the details of each chosen right, who asks (and for whom), the mandate;
filed through ``operations.intake`` (the mandate and minor rules), then the "sent" page."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime
from typing import Any

from flask import abort, current_app, redirect, render_template, request, url_for
from flask import session as web_session
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from operations import intake as intake_ops
from operations.intake import IntakeError, Upload
from portal.context import context, policy_from
from portal.db import get_session
from portal.public.blank_form import blank_page
from portal.public.blueprint import BY_EMAIL, BY_IP, bp, on_post
from portal.public.forms import BaseRequestForm, request_form_class
from portal.public.labels import MANDATE_REQUIRED, RIGHT_LABELS, child_age_choices
from portal.public.start import Choice, choice_from, render_start
from portal.tokens import TokenExpired, TokenInvalid, make_token, read_token
from portal.urls import menu_link
from rights import intake
from rights.models.request import RightsRequest
from rights.receipt import FLAG_MINOR_REVIEW, suppression_reason
from rights.requests import Intake, Requester
from rights.righttypes import (
    AccessDetails,
    Details,
    ErasureDetails,
    ObjectionDetails,
    PortabilityDetails,
    RectificationDetails,
    RestrictionDetails,
    RightType,
    WithdrawConsentDetails,
)

RECEIPT_MAX_AGE_SECONDS = 3600  # the "sent" page's link, for a reload soon after sending


def _details(right: RightType, form: Any) -> Details:
    d = {name: form[name].data for name in form._fields}

    def iso(value: date | None) -> str:
        return value.isoformat() if value else ""

    match right:
        case RightType.ACCESS:
            return AccessDetails(
                scope=d["access_scope"],
                specific=d["access_specific"] or "",
                period_from=iso(d["access_period_from"]),
                period_to=iso(d["access_period_to"]),
            )
        case RightType.RECTIFICATION:
            return RectificationDetails(
                which_data=d["rect_which"],
                current_value=d["rect_current"] or "",
                correct_value=d["rect_correct"],
                supplementary_statement=d["rect_statement"] or "",
            )
        case RightType.ERASURE:
            return ErasureDetails(
                ground=d["erasure_ground"],
                scope=d["erasure_scope"],
                specific=d["erasure_specific"] or "",
            )
        case RightType.RESTRICTION:
            return RestrictionDetails(
                ground=d["restriction_ground"], explanation=d["restriction_explanation"] or ""
            )
        case RightType.PORTABILITY:
            return PortabilityDetails(
                format=d["portability_format"],
                transmit_to_name=d["portability_to_name"] or "",
                transmit_to_email=d["portability_to_email"] or "",
            )
        case RightType.OBJECTION:
            return ObjectionDetails(
                basis=d["objection_basis"], situation=d["objection_situation"] or ""
            )
        case RightType.WITHDRAW_CONSENT:
            return WithdrawConsentDetails(which_consent=d["consent_which"])
    raise AssertionError(right)


def read_upload(storage: Any) -> Upload | None:
    """The uploaded bytes, or None when no file was chosen. Too large -> 413."""
    if not isinstance(storage, FileStorage) or not storage.filename:
        return None
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        abort(413)
    return data, storage.filename


def _requester(form: BaseRequestForm) -> tuple[Requester, dict[str, Any] | None]:
    """The data subject, and the representative when someone files for another person."""
    contact = {"phone": form.phone.data or "", "address": form.address.data or ""}
    customer_number = form.customer_number.data or ""
    if form.acting.data != "other":
        return Requester(
            name=form.name.data, email=form.email.data, customer_number=customer_number, **contact
        ), None
    representative: dict[str, Any] = {
        "name": form.name.data,
        "email": form.email.data,
        "phone": form.phone.data or "",
        "relationship": form.relationship.data,
        "subject_email": form.subject_email.data or "",
    }
    if form.relationship.data == "parent":
        representative["child_age"] = form.child_age.data
    subject = Requester(
        name=form.subject_name.data,
        email=form.email.data,
        customer_number=customer_number,
        **contact,
    )
    return subject, representative


def _intakes(choice: Choice, form: BaseRequestForm, now: datetime, language: str) -> list[Intake]:
    requester, representative = _requester(form)
    return [
        Intake(
            right=right,
            details=_details(right, form),
            requester=requester,
            received_at=now,
            language=language,
            organisation_id=choice.organisation.id if choice.organisation else None,
            representative=representative,
            extra={"organisation_choice": choice.org.split(":")[0]},
        )
        for right in choice.rights
    ]


def _submit(choice: Choice, form: BaseRequestForm) -> Response:
    """File the requests (``IntakeError`` for a refused mandate or upload)."""
    ctx = context()
    upload = read_upload(form.mandate.data)
    intake_ops.check_upload(ctx, "mandate", upload)
    mandate = upload if form.acting.data == "other" else None
    key = form.form_key.data
    language = str(web_session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"])
    intakes = _intakes(choice, form, ctx.now(), language)
    for attempt in (1, 2):
        try:
            created = intake_ops.submit(
                ctx, intakes, form_key=key, mandate=mandate, look_up_repeat=False
            )
            ctx.session.commit()
            break
        except IntegrityError:
            # The form key was sent before (a second click, a reload, a parallel submit; unique
            # by constraint instead of a look-up on every submit): show that submission's
            # reference. Else a reference was drawn twice (rights.requests): once more.
            ctx.session.rollback()
            created = intake.find_submission(ctx.session, key)
            if created:
                break
            if attempt == 2:
                raise
    receipt = make_token("receipt", {"ids": [r.id for r in created][:10], "s": _browser()})
    # The signed receipt is URL-safe as it is: url_for would quote nothing (portal/urls.py).
    return redirect(f"{menu_link('public.sent')}?r={receipt}")


def _browser() -> str:
    """Who may read a receipt: a digest of this browser's session secret (Flask-WTF's raw
    CSRF token, in the signed session cookie). The receipt's ids travel in the redirect's
    signed link instead of the session, which so is not rewritten on every submit (issue
    17); the link alone, without that browser's session, shows nothing."""
    raw = str(web_session.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), ""))
    return hashlib.sha256(raw.encode()).hexdigest()[:22] if raw else ""


def _receipt_ids() -> list[int]:
    try:
        data = read_token("receipt", request.args.get("r", ""), RECEIPT_MAX_AGE_SECONDS)
    except (TokenInvalid, TokenExpired):
        return []
    browser = _browser()
    if not browser or not hmac.compare_digest(str(data.get("s", "")), browser):
        return []
    ids = data.get("ids")
    return [i for i in ids if isinstance(i, int)][:10] if isinstance(ids, list) else []


def _form_for(choice: Choice, form_key: str | None = None) -> BaseRequestForm:
    """The bound form. Its policy comes from the configuration, not from ``context()``: the
    database session (on SQLite the write lock of a POST) starts only when ``_submit`` files
    the request, so binding and validating the form never holds it."""
    form = request_form_class(choice.rights)()
    policy = policy_from(current_app)
    form.child_age.choices = child_age_choices(
        policy.minor_review_from_age, policy.minor_self_from_age
    )
    if form_key is not None:
        form.form_key.data = form_key
    return form


def _render(choice: Choice, form: BaseRequestForm) -> str:
    return render_template(
        "public/request_form.html",
        form=form,
        choice=choice,
        right_labels=RIGHT_LABELS,
        mandate_required=sorted(MANDATE_REQUIRED),
    )


@bp.route("/request/form", methods=["GET", "POST"])
@on_post(BY_EMAIL, BY_IP)  # the address first: a blocked one uses up none of its IP's
def request_form() -> Any:
    choice = choice_from(request.args)
    if choice.errors:
        return render_start(choice, 422)
    if request.method == "GET":
        return blank_page(choice, lambda key: _render(choice, _form_for(choice, key)))
    form = _form_for(choice)
    if form.validate_on_submit():
        try:
            return _submit(choice, form)
        except IntakeError as exc:
            field = form[exc.field]
            field.errors = [*field.errors, exc.message]
    return _render(choice, form), 422


@bp.get("/request/sent")
def sent() -> Any:
    ids = _receipt_ids()
    requests = list(
        get_session().scalars(
            select(RightsRequest).where(RightsRequest.id.in_(ids)).order_by(RightsRequest.id)
        )
    )
    if not requests:
        return redirect(url_for("public.start"))
    return render_template(
        "public/sent.html",
        requests=requests,
        first=requests[0],
        marketing_stopped=any(suppression_reason(r) is not None for r in requests),
        minor_review=any(FLAG_MINOR_REVIEW in (r.review_flags or []) for r in requests),
    )
