from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.formfields import no_nul, text
from rights import organisations
from rights.errors import ValidationFailed
from rights.models.org import Answering
from rights.passwords import MAX_LENGTH

CHECK_INPUT = _l("Check your input.")
REFUSALS = {
    "org_required": _l("A controller contact needs the controller it works for."),
    "email_taken": _l("There is already an account with this e-mail address."),
    "self": _l("You cannot change your own account here."),
}


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(), Length(max=32)],
    )


class EnrolForm(FlaskForm):
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[DataRequired(), Length(max=32)],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ReauthForm(FlaskForm):
    """Password and a fresh code again before a password or factor change."""

    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    code = StringField(
        _l("Six-digit code from your authenticator app"),
        validators=[DataRequired(), Length(max=32)],
    )


class ChangePasswordForm(ReauthForm, NewPasswordForm):
    pass


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    name = StringField(
        _l("Name"), filters=[no_nul, _strip], validators=[DataRequired(), Length(max=200)]
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organisation = SelectField(_l("Organisation (for a controller contact)"))
    language = SelectField(
        _l("Language for mail"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
    )

    def refused(self, code: str) -> None:
        """Put the domain's refusal on the field it concerns."""
        target = self.email if code == "email_taken" else self.organisation
        target.errors = [str(REFUSALS.get(code, CHECK_INPUT))]


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])
    organisation = SelectField(_l("Organisation (for a controller contact)"))

    def refused(self, code: str) -> None:
        self.organisation.errors = [str(REFUSALS.get(code, CHECK_INPUT))]


class ActionForm(FlaskForm):
    """A bare POST with a CSRF token (disable, enable, reset factor, unlock)."""


ANSWERING_LABELS = {
    Answering.PROCESSOR: _l("The processor answers the subject on our behalf, after our approval"),
    Answering.CONTROLLER: _l("We answer the subject ourselves; the processor returns the results"),
}
WHOLE_DAYS = _l("Enter a whole number of days.")
WHOLE_HOURS = _l("Enter a whole number of hours.")
# Each refusal of rights.organisations on its field, in words.
TERMS_REFUSALS: dict[str, tuple[str, Any]] = {
    "forward_days": ("forward_within_days", _l("Enter 0 to 10 working days.")),
    "retention_days": ("data_file_retention_days", _l("Enter 1 to 365 days.")),
    "breach_notice_hours": ("breach_notice_hours", _l("Enter 1 to 72 hours.")),
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
    "callback_origin": (
        "callback_allowlist",
        _l("Line %(line)s: write an address like https://crm.example.nl, without a path."),
    ),
    "callback_origins_too_many": ("callback_allowlist", _l("At most 50 addresses.")),
}


class DaysField(IntegerField):
    """A whole number of days; anything else is an error in words on the field."""

    message = WHOLE_DAYS

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        raw = str(valuelist[0]).strip() if valuelist else ""
        if not raw.isdigit() or len(raw) > 4:
            self.data = None
            raise ValueError(str(self.message))
        self.data = int(raw)


class HoursField(DaysField):
    message = WHOLE_HOURS


class TermsForm(FlaskForm):
    """A controller's terms (docs/controllers.md, "Organisations as controllers")."""

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
        choices=[SelectChoice(a.value, label) for a, label in ANSWERING_LABELS.items()],
    )
    sub_processors = TextAreaField(
        _l("Sub-processors, one per line: name | country | purpose"),
        filters=[no_nul],
        validators=[Length(max=20_000)],
        default="",
    )
    data_file_retention_days = DaysField(_l("Keep uploaded data files for (days)"))
    callback_allowlist = TextAreaField(
        _l("Addresses that may receive status updates from the API, one per line"),
        filters=[no_nul],
        validators=[Length(max=20_000)],
        default="",
    )
    breach_notice_hours = HoursField(
        _l("Notice of a (suspected) data breach within (hours after discovery)")
    )

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
            callback_allowlist=organisations.parse_callback_origins(
                self.callback_allowlist.data or ""
            ),
            breach_notice_hours=int(self.breach_notice_hours.data or 0),
        )

    def refused(self, exc: ValidationFailed) -> None:
        name, message = TERMS_REFUSALS.get(exc.code, ("dpa_reference", _l("Check your input.")))
        self[name].errors = [str(message) % {"line": exc.params.get("line", "")}]


class ApiKeyForm(FlaskForm):
    """A new API key for a controller (docs/api.md, "Keys")."""

    label = text(120, label=_l("What the key is for (optional)"))
