from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

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


class InviteForm(FlaskForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
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
