from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length


class ActionForm(FlaskForm):
    """A button: only the CSRF token."""


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from the e-mail"),
        validators=[DataRequired(_l("Enter the code from the e-mail.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8},
    )


class BuildForm(FlaskForm):
    formats = SelectMultipleField(
        _l("Formats"),
        choices=[SelectChoice(name, name.upper()) for name in ("json", "csv", "xlsx", "html")],
        option_widget=widgets.CheckboxInput(),
        widget=widgets.ListWidget(prefix_label=False),
    )


class TransmitForm(FlaskForm):
    """Art. 20(2): send the package to another organisation, confirmed with the code."""

    recipient_name = StringField(
        _l("Name of the organisation"),
        validators=[DataRequired(_l("Enter the name of the organisation.")), Length(max=200)],
    )
    recipient_email = StringField(
        _l("E-mail address of the organisation"),
        validators=[
            DataRequired(_l("Enter the e-mail address of the organisation.")),
            Length(max=254),
            Email(_l("Enter a valid e-mail address."), check_deliverability=False),
        ],
        render_kw={"autocomplete": "off", "type": "email"},
    )
    transmit_code = StringField(
        _l("Code from the e-mail"),
        validators=[DataRequired(_l("Enter the code from the e-mail.")), Length(max=20)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 8},
    )
    confirm = BooleanField(
        _l("I want my data sent to this organisation"),
        validators=[DataRequired(_l("Confirm that you want your data sent to this organisation."))],
    )

    def refused(self, code: str) -> None:
        """Put the domain's refusal of the recipient on the field it concerns."""
        if code == "recipient_email":
            self.recipient_email.errors = [_l("Enter a valid e-mail address.")]
        else:
            self.recipient_name.errors = [_l("Enter the name of the organisation.")]
