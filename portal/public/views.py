"""Public pages for data subjects: start page, choice of organisation and rights, the request
form, the e-mail confirmation link, the status page (answers, withdraw) and "lost your link?".

No page differs for an e-mail address the portal knows: intake never looks addresses up,
and the lost-link answer is the same whether or not a request exists.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as web_session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from portal import clock
from portal.context import context, policy_from
from portal.db import get_session
from portal.public import downloads
from portal.public.forms import (
    BaseRequestForm,
    ConfirmForm,
    LostLinkForm,
    ReplyForm,
    SearchForm,
    new_form_key,
    request_form_class,
)
from portal.public.history import history
from portal.public.labels import (
    MANDATE_REQUIRED,
    RIGHT_HINTS,
    RIGHT_LABELS,
    child_age_choices,
    right_label,
    state_label,
)
from portal.security import limiter
from portal.storage import document_store
from portal.tokens import TokenExpired, TokenInvalid, make_token, read_token
from rights import intake
from rights.documents import sniff_content_type
from rights.errors import ValidationFailed
from rights.lifecycle import OPEN_STATES
from rights.messages import open_document_request, thread
from rights.models.case import AnswerLetter
from rights.models.org import Organisation, OrganisationKind
from rights.models.request import RequestState, RightsRequest
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

bp = Blueprint("public", __name__)
bp.add_app_template_global(right_label, "right_label")
bp.add_app_template_global(state_label, "state_label")


# --- rate limits (SECURITY.md: intake, resend, lookup) -----------------------------------


def _ip_limit() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC_IP"])


def _email_limit() -> str:
    return str(current_app.config["RATELIMIT_PUBLIC_EMAIL"])


def _hashed(kind: str, value: str) -> str:
    return f"{kind}:" + hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()


def _email_key() -> str:
    value = (request.form.get("email") or "").strip().lower()[:254]
    return _hashed("email", value) if value else get_remote_address()


def _request_key() -> str:
    """Per request (and so per address) for the resend buttons."""
    token = (request.view_args or {}).get("token", "")
    for purpose in ("status", "verify-email"):
        try:
            return f"request:{int(read_token(purpose, token, None)['r'])}"
        except (TokenInvalid, TokenExpired, KeyError, TypeError, ValueError):
            continue
    return get_remote_address()


per_ip = limiter.limit(_ip_limit, methods=["POST"], key_func=get_remote_address)
per_email = limiter.limit(_email_limit, methods=["POST"], key_func=_email_key)
per_request = limiter.limit(_email_limit, methods=["POST"], key_func=_request_key)


# --- start, organisation and rights ------------------------------------------------------


def _operator() -> Organisation | None:
    return get_session().scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.OPERATOR)
    )


@bp.get("/")
def index() -> str:
    return render_template("public/index.html", operator=_operator())


def _listed(query: str) -> list[Organisation]:
    stmt = select(Organisation).where(
        Organisation.kind == OrganisationKind.CONTROLLER, Organisation.listed_publicly.is_(True)
    )
    if query:
        stmt = stmt.where(func.lower(Organisation.name).contains(query.lower(), autoescape=True))
    return list(get_session().scalars(stmt.order_by(Organisation.name).limit(50)))


@dataclass
class Choice:
    org: str = ""
    organisation: Organisation | None = None
    rights: tuple[RightType, ...] = ()
    errors: dict[str, str] | None = None


def _choice(args: Any) -> Choice:
    """Read and check the organisation and rights chosen on the start form."""
    choice = Choice(errors={})
    assert choice.errors is not None
    org = str(args.get("org", ""))[:100]
    if org == "operator":
        choice.organisation = _operator()
        choice.org = org
    elif org == "unknown":
        choice.org = org
    elif org.startswith("c:"):
        choice.organisation = get_session().scalar(
            select(Organisation).where(
                Organisation.slug == org[2:],
                Organisation.kind == OrganisationKind.CONTROLLER,
                Organisation.listed_publicly.is_(True),
            )
        )
        if choice.organisation is not None:
            choice.org = org
    if not choice.org:
        choice.errors["org"] = _("Choose the organisation, or choose 'I don't know'.")
    wanted = set(args.getlist("right")[:20])
    choice.rights = tuple(r for r in RightType if r.value in wanted)
    if not choice.rights:
        choice.errors["right"] = _("Choose at least one thing you want to ask.")
    return choice


def _render_start(choice: Choice | None = None, status: int = 200) -> tuple[str, int]:
    search = SearchForm(request.args)
    query = search.q.data if search.validate() and search.q.data else ""
    return (
        render_template(
            "public/start.html",
            search=search,
            query=query,
            controllers=_listed(query),
            operator=_operator(),
            choice=choice,
            rights=list(RightType),
            right_labels=RIGHT_LABELS,
            right_hints=RIGHT_HINTS,
        ),
        status,
    )


@bp.get("/request")
def start() -> tuple[str, int]:
    return _render_start()


# --- the request form --------------------------------------------------------------------


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


def _read_upload(storage: Any) -> tuple[bytes, str] | None:
    """The uploaded bytes, or None when no file was chosen. Too large -> 413."""
    if not isinstance(storage, FileStorage) or not storage.filename:
        return None
    limit = int(current_app.config["UPLOAD_MAX_BYTES"])
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        abort(413)
    return data, storage.filename


def _check_file(field: Any, upload: tuple[bytes, str] | None) -> bool:
    if upload is None:
        return True
    if not upload[0]:
        field.errors = [*field.errors, _("The file is empty.")]
        return False
    if sniff_content_type(upload[0]) is None:
        field.errors = [*field.errors, _("Only PDF, PNG and JPEG files are accepted.")]
        return False
    return True


def _intakes(choice: Choice, form: BaseRequestForm) -> list[Intake]:
    acting_for_other = form.acting.data == "other"
    if acting_for_other:
        requester = Requester(
            name=form.subject_name.data,
            email=form.email.data,
            phone=form.phone.data or "",
            address=form.address.data or "",
            customer_number=form.customer_number.data or "",
        )
        representative: dict[str, Any] | None = {
            "name": form.name.data,
            "email": form.email.data,
            "phone": form.phone.data or "",
            "relationship": form.relationship.data,
            "subject_email": form.subject_email.data or "",
        }
        if form.relationship.data == "parent":
            representative["child_age"] = form.child_age.data
    else:
        requester = Requester(
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data or "",
            address=form.address.data or "",
            customer_number=form.customer_number.data or "",
        )
        representative = None
    now = clock.now()
    return [
        Intake(
            right=right,
            details=_details(right, form),
            requester=requester,
            received_at=now,
            language=str(web_session.get("lang") or current_app.config["BABEL_DEFAULT_LOCALE"]),
            organisation_id=choice.organisation.id if choice.organisation else None,
            representative=representative,
            extra={"organisation_choice": choice.org.split(":")[0]},
        )
        for right in choice.rights
    ]


@bp.route("/request/form", methods=["GET", "POST"])
@per_ip
@per_email
def request_form() -> Any:
    choice = _choice(request.args)
    if choice.errors:
        return _render_start(choice, 422)
    form = request_form_class(choice.rights)()
    policy = policy_from(current_app)
    form.child_age.choices = child_age_choices(
        policy.minor_review_from_age, policy.minor_self_from_age
    )
    if request.method == "GET":
        form.form_key.data = new_form_key()
    elif form.validate_on_submit():
        mandate = _read_upload(form.mandate.data)
        ok = _check_file(form.mandate, mandate)
        acting_for_other = form.acting.data == "other"
        if (
            ok
            and acting_for_other
            and mandate is None
            and form.relationship.data in (MANDATE_REQUIRED)
        ):
            form.mandate.errors = [
                *form.mandate.errors,
                _("Add the mandate or the proof that you may act for this person."),
            ]
            ok = False
        if (
            ok
            and acting_for_other
            and mandate is None
            and form.relationship.data == "parent"
            and form.child_age.data == "own"
        ):
            form.mandate.errors = [
                *form.mandate.errors,
                _(
                    "From %(age)s, the child decides: add the child's signed mandate.",
                    age=policy.minor_self_from_age,
                ),
            ]
            ok = False
        if ok:
            return _submit(choice, form, mandate if form.acting.data == "other" else None)
    return (
        render_template(
            "public/request_form.html",
            form=form,
            choice=choice,
            right_labels=RIGHT_LABELS,
            mandate_required=sorted(MANDATE_REQUIRED),
        ),
        422 if request.method == "POST" else 200,
    )


def _submit(choice: Choice, form: BaseRequestForm, mandate: tuple[bytes, str] | None) -> Any:
    session = get_session()
    key = form.form_key.data
    try:
        created = intake.submit(
            session,
            _intakes(choice, form),
            form_key=key,
            now=clock.now(),
            policy=policy_from(current_app),
            mandate=mandate,
            store=document_store(),
            hash_key=context().identifier_hash_key(),
        )
        session.commit()
    except IntegrityError:
        # A parallel submit with the same key won the race: show its reference.
        session.rollback()
        created = intake.find_submission(session, key)
        if not created:
            raise
    web_session["sent"] = [r.id for r in created][:10]
    return redirect(url_for("public.sent"))


@bp.get("/request/sent")
def sent() -> Any:
    ids = [i for i in web_session.get("sent", []) if isinstance(i, int)]
    if not ids:
        return redirect(url_for("public.start"))
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


# --- e-mail confirmation -----------------------------------------------------------------


def _verify_token(token: str, *, allow_expired: bool = False) -> tuple[RightsRequest, Any]:
    days = policy_from(current_app).verification_link_days
    try:
        data = read_token("verify-email", token, None if allow_expired else days * 86400)
        request_id = int(data["r"])
    except TokenInvalid:
        abort(404)
    except (KeyError, TypeError, ValueError):
        abort(404)
    req = get_session().get(RightsRequest, request_id)
    if req is None:
        abort(404)
    return req, data.get("g")


def status_token(req: RightsRequest) -> str:
    return make_token("status", {"r": req.id})


@bp.route("/verify/<token>", methods=["GET", "POST"])
def verify(token: str) -> Any:
    """GET shows a button (mail scanners open links); only the POST confirms."""
    try:
        req, generation = _verify_token(token)
    except TokenExpired:
        return render_template("public/verify_expired.html", token=token, form=ConfirmForm()), 410
    intake.check_link(req, generation)  # Gone -> 410 page
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        intake.verify(get_session(), req, generation, now=clock.now())
        get_session().commit()
        flash(_("Thank you. Your e-mail address is confirmed and we will handle your request."))
        return redirect(url_for("public.status", token=status_token(req)))
    if request.method == "POST":
        abort(400)
    return render_template("public/verify.html", form=form, req=req)


@bp.post("/verify/<token>/resend")
@per_ip
@per_request
def verify_resend(token: str) -> Any:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    req, _generation = _verify_token(token, allow_expired=True)
    intake.resend_verification(get_session(), req, now=clock.now())
    get_session().commit()
    return render_template("public/link_sent.html")


# --- status page -------------------------------------------------------------------------


def _status_request(token: str) -> RightsRequest:
    try:
        data = read_token("status", token, None)
        request_id = int(data["r"])
    except (TokenInvalid, TokenExpired, KeyError, TypeError, ValueError):
        abort(404)
    req = get_session().get(RightsRequest, request_id)
    if req is None:
        abort(404)
    return req


def _can_answer(req: RightsRequest) -> bool:
    return req.state in OPEN_STATES and req.state is not RequestState.AWAITING_VERIFICATION


def _render_status(
    token: str, req: RightsRequest, reply: ReplyForm | None = None, status: int = 200
) -> tuple[str, int]:
    session = get_session()
    policy = policy_from(current_app)
    linked = [(r, status_token(r)) for r in intake.group_of(session, req) if r.id != req.id]
    letters = list(
        session.scalars(
            select(AnswerLetter)
            .where(AnswerLetter.request_id == req.id, AnswerLetter.sent_at.is_not(None))
            .order_by(AnswerLetter.sent_at)
        )
    )
    asked = open_document_request(session, req) if _can_answer(req) else None
    open_reason = next((s.reason for s in req.suspensions if s.answered_at is None), None)
    return (
        render_template(
            "public/status.html",
            token=token,
            req=req,
            due=intake.shown_due(req, now=clock.now(), policy=policy),
            history=history(session, req),
            messages=thread(session, req),
            letters=letters,
            downloads=downloads.for_status(req),
            linked=linked,
            reply=reply or ReplyForm(),
            can_answer=_can_answer(req),
            can_withdraw=req.state in OPEN_STATES,
            asked=asked,
            id_upload=asked is not None and open_reason == "identity",
            button=ConfirmForm(),
            marketing_stopped=suppression_reason(req) is not None,
        ),
        status,
    )


@bp.get("/status/<token>")
def status(token: str) -> tuple[str, int]:
    return _render_status(token, _status_request(token))


@bp.post("/status/<token>/reply")
def reply(token: str) -> Any:
    req = _status_request(token)
    form = ReplyForm()
    if not _can_answer(req):
        abort(409)
    if form.validate_on_submit():
        upload = _read_upload(form.document.data)
        if _check_file(form.document, upload):
            session = get_session()
            try:
                intake.answer(
                    session,
                    document_store(),
                    req,
                    form.body.data,
                    now=clock.now(),
                    policy=policy_from(current_app),
                    upload=upload,
                )
            except ValidationFailed as exc:
                session.rollback()
                form.document.errors = [*form.document.errors, _error_text(exc)]
            else:
                session.commit()
                flash(_("Thank you. We have received your answer."))
                return redirect(url_for("public.status", token=token))
    return _render_status(token, req, form, 422)


def _error_text(exc: ValidationFailed) -> str:
    messages = {
        "upload_not_asked": _l("You can only add a document when we ask for one."),
        "file_type": _l("Only PDF, PNG and JPEG files are accepted."),
        "file_empty": _l("The file is empty."),
        "file_too_large": _l("The file is too large."),
        "message_too_long": _l("The message is too long."),
        "message_empty": _l("Write a message."),
    }
    return str(messages.get(exc.code, _l("Some of the information given is not valid.")))


@bp.route("/status/<token>/withdraw", methods=["GET", "POST"])
def withdraw(token: str) -> Any:
    req = _status_request(token)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        intake.withdraw(get_session(), req, now=clock.now())
        get_session().commit()
        flash(_("Your request has been withdrawn."))
        return redirect(url_for("public.status", token=token))
    if req.state not in OPEN_STATES:
        abort(409)
    return render_template("public/withdraw.html", form=form, req=req, token=token)


@bp.post("/status/<token>/resend")
@per_ip
@per_request
def status_resend(token: str) -> Any:
    req = _status_request(token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    intake.resend_verification(get_session(), req, now=clock.now())
    get_session().commit()
    return render_template("public/link_sent.html")


@bp.route("/lost-link", methods=["GET", "POST"])
@per_ip
@per_email
def lost_link() -> Any:
    form = LostLinkForm()
    if form.validate_on_submit():
        intake.send_status_links(get_session(), form.email.data, now=clock.now())
        get_session().commit()
        return render_template("public/link_sent.html", lost=True)
    status_code = 422 if request.method == "POST" else 200
    return render_template("public/lost_link.html", form=form), status_code
