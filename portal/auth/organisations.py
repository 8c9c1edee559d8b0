"""Organisation settings for admins: the list of organisations and a controller's terms
(docs/controllers.md, "Organisations as controllers"). Every change is audited with the
names of the fields that changed (``rights.organisations``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import Length

from portal import clock
from portal.auth.guards import admin_required
from portal.db import get_session
from portal.formfields import no_nul, text
from portal.loading import get_or_404
from rights import organisations
from rights.audit import Actor
from rights.errors import ValidationFailed
from rights.models.org import Answering, Organisation, OrganisationKind

bp = Blueprint("organisations", __name__, url_prefix="/admin/organisations")

KIND_LABELS = {
    OrganisationKind.OPERATOR: _l("The operator (controller of its own data)"),
    OrganisationKind.CONTROLLER: _l("Controller (client of the operator)"),
}
ANSWERING_LABELS = {
    Answering.PROCESSOR: _l("The processor answers the subject on our behalf, after our approval"),
    Answering.CONTROLLER: _l("We answer the subject ourselves; the processor returns the results"),
}
WHOLE_DAYS = _l("Enter a whole number of days.")
# Each refusal of rights.organisations on its field, in words.
REFUSALS: dict[str, tuple[str, Any]] = {
    "forward_days": ("forward_within_days", _l("Enter 0 to 10 working days.")),
    "retention_days": ("data_file_retention_days", _l("Enter 1 to 365 days.")),
    "contact_email": ("contact_email", _l("Enter a valid e-mail address.")),
    "website": ("website", _l("A web address starts with https://.")),
    "sub_processor_line": (
        "sub_processors",
        _l("Line %(line)s: write name | country | purpose, all three filled in."),
    ),
    "sub_processor_too_long": (
        "sub_processors",
        _l("Line %(line)s: each part is at most 200 characters."),
    ),
    "sub_processors_too_many": ("sub_processors", _l("At most 50 sub-processors.")),
}


class DaysField(IntegerField):
    """A whole number of days; anything else is an error in words on the field."""

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist else ""
        if not raw.isdigit() or len(raw) > 4:
            self.data = None
            raise ValueError(str(WHOLE_DAYS))
        self.data = int(raw)


class TermsForm(FlaskForm):
    dpa_reference = text(120, label=_l("Reference of the data processing agreement"))
    contact_name = text(200, label=_l("Contact name (shown to data subjects)"))
    contact_email = text(254, label=_l("Contact e-mail address (shown to data subjects)"))
    contact_phone = text(40, label=_l("Contact telephone number (shown to data subjects)"))
    address = TextAreaField(
        _l("Postal address"), filters=[no_nul], validators=[Length(max=1000)], default=""
    )
    website = text(300, label=_l("Website"))
    forward_within_days = DaysField(_l("Forward within (working days after verification)"))
    auto_forward = BooleanField(_l("Forward automatically right after verification"))
    answering = RadioField(
        _l("Who answers the data subject"),
        choices=[SelectChoice(a.value, str(label)) for a, label in ANSWERING_LABELS.items()],
    )
    sub_processors = TextAreaField(
        _l("Sub-processors, one per line: name | country | purpose"),
        filters=[no_nul],
        validators=[Length(max=20_000)],
        default="",
    )
    data_file_retention_days = DaysField(_l("Keep uploaded data files for (days)"))

    def terms(self) -> organisations.Terms:
        """The form's values as terms (``ValidationFailed`` for bad sub-processor lines)."""
        return organisations.Terms(
            dpa_reference=self.dpa_reference.data or "",
            contact_name=self.contact_name.data or "",
            contact_email=self.contact_email.data or "",
            contact_phone=self.contact_phone.data or "",
            address=self.address.data or "",
            website=self.website.data or "",
            forward_within_days=int(self.forward_within_days.data or 0),
            auto_forward=bool(self.auto_forward.data),
            answering=Answering(self.answering.data),
            sub_processors=organisations.parse_sub_processors(self.sub_processors.data or ""),
            data_file_retention_days=int(self.data_file_retention_days.data or 0),
        )

    def refused(self, exc: ValidationFailed) -> None:
        name, message = REFUSALS.get(exc.code, ("dpa_reference", _l("Check your input.")))
        self[name].errors = [str(message) % {"line": exc.params.get("line", "")}]


def _form_for(org: Organisation) -> TermsForm:
    terms = organisations.Terms.of(org)
    data = {**terms.__dict__, "answering": terms.answering.value}
    data["sub_processors"] = organisations.format_sub_processors(terms.sub_processors)
    return TermsForm(formdata=None, data=data)


def _controller(org_id: int) -> Organisation:
    org = get_or_404(Organisation, org_id)
    if org.kind is not OrganisationKind.CONTROLLER:
        abort(404)
    return org


def _page(org: Organisation, form: TermsForm) -> str:
    return render_template(
        "admin/organisation.html",
        org=org,
        form=form,
        contacts=organisations.contacts(get_session(), org),
    )


@bp.get("/")
@admin_required
def index() -> str:
    return render_template(
        "admin/organisations.html",
        organisations=organisations.all_organisations(get_session()),
        kinds=KIND_LABELS,
        answering=ANSWERING_LABELS,
    )


@bp.get("/<int:org_id>")
@admin_required
def detail(org_id: int) -> str:
    org = _controller(org_id)
    return _page(org, _form_for(org))


@bp.post("/<int:org_id>")
@admin_required
def save(org_id: int) -> str | Response | tuple[str, int]:
    org = _controller(org_id)
    form = TermsForm()
    if not form.validate_on_submit():
        return _page(org, form), 422
    try:
        changed = organisations.update_terms(
            get_session(), org, form.terms(), actor=Actor.user(current_user.id), now=clock.now()
        )
    except ValidationFailed as exc:
        get_session().rollback()
        form.refused(exc)
        return _page(_controller(org_id), form), 422
    get_session().commit()
    flash(_("The terms were saved.") if changed else _("Nothing was changed."), "info")
    return redirect(url_for("organisations.detail", org_id=org_id))
