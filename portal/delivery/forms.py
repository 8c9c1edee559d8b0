from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length


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
