"""The officer's forms for the notice to controllers and, when we are the controller, the
AP and the people concerned (docs/incidents.md). Each form checks the shape only; the
domain decides what is allowed."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired

from portal.formfields import Flag, IdField, IdListField, text
from rights.incidents.notice import MAX_BODY
from rights.incidents.own_data import LANGUAGES

CHOOSE = _l("Choose one of the options offered.")
CONFIRM = _l("Tick the box to confirm that the notice goes out again.")


class ConfirmControllersForm(FlaskForm):
    """The controllers whose data is involved (checkboxes) and our own data."""

    organisations = IdListField(limit=200)
    own_data = Flag()


class SendNoticeForm(FlaskForm):
    """Send the notice to every confirmed controller not told yet, or again to one."""

    organisation = IdField()


class ResendNoticeForm(FlaskForm):
    """The notice again to one controller told already, once the officer ticked the box."""

    organisation = IdField(validators=[InputRequired(message=CHOOSE)])
    confirm = StringField(validators=[AnyOf(["yes"], message=CONFIRM)])


class FollowUpForm(FlaskForm):
    """Further information to every controller told, or to one."""

    body = text(MAX_BODY)
    organisation = IdField()


class AnswerForm(FlaskForm):
    """The answer to one controller's question."""

    body = text(MAX_BODY)
    organisation = IdField(validators=[InputRequired(message=CHOOSE)])


class CrossBorderForm(FlaskForm):
    """Are people in more than one EU member state concerned?"""

    cross_border = StringField(validators=[AnyOf(["yes", "no"], message=CHOOSE)])


class SubjectsDecisionForm(FlaskForm):
    """Art. 34: tell the people concerned or not (a ground and reasons)."""

    decision = StringField(validators=[AnyOf(["notify", "not_required"], message=CHOOSE)])
    ground = text(20)
    reasons = text(MAX_BODY)


class SubjectsLettersForm(FlaskForm):
    """The letter to the people concerned: addresses typed or a CSV/XLSX file."""

    addresses = text(2_000_000)
    file = FileField()
    language = StringField(validators=[AnyOf(list(LANGUAGES), message=CHOOSE)])
