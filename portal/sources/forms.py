"""The forms of the source pages: the registry (definition, database URL, uploads), the
mailing filter, and per request the match decisions, previewed actions and tasks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired, Regexp

from portal.formfields import IdField, text
from rights.models.source import ActionKind

LONG = 50_000
RETENTION = _l("The retention period must be 1 to 3650 days.")
MAILING = _l("Choose an organisation and a mailing file.")


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class ButtonForm(FlaskForm):
    """A button: only the CSRF token (check a source, discover, execute)."""


class SourceForm(FlaskForm):
    """A source definition (TOML) and, for an SQL source, its database URL."""

    definition = text(200_000)
    url = text(2_000, filters=[_strip])


class SourceUrlForm(FlaskForm):
    url = text(2_000, filters=[_strip])


class UploadForm(FlaskForm):
    """A data file for a file source; roles map columns by hand (``column = role``)."""

    file = FileField(validators=[FileRequired(_l("Choose a file to upload."))])
    retention_days = StringField(
        default="", filters=[_strip], validators=[Regexp(r"^\d{0,4}$", message=RETENTION)]
    )
    roles = text(20_000)

    def days(self) -> int | None:
        return int(self.retention_days.data) if self.retention_days.data else None

    def column_roles(self) -> dict[str, str | None] | None:
        roles: dict[str, str | None] = {}
        for line in (self.roles.data or "").splitlines():
            column, sep, role = line.partition("=")
            if sep and column.strip():
                roles[column.strip()] = role.strip() or None
        return roles or None


class MailingForm(FlaskForm):
    """The suppression filter: an organisation and the mailing file to clean."""

    organisation = IdField(message=MAILING, validators=[InputRequired(MAILING)])
    file = FileField(validators=[FileRequired(MAILING)])


class DecisionForm(FlaskForm):
    decision = StringField(validators=[AnyOf(["confirm", "reject"])])


class PrepareForm(FlaskForm):
    """A previewed action: its kind, the source, and what a rectification writes."""

    kind = StringField(validators=[AnyOf([k.value for k in ActionKind])])
    source = IdField()
    table = text(200, filters=[_strip])
    column = text(200, filters=[_strip])
    value = text(LONG, filters=[_strip])
    statement = text(LONG, filters=[_strip])

    def params(self) -> dict[str, str]:
        fields = (self.table, self.column, self.value, self.statement)
        return {field.name: field.data for field in fields if field.data}


class TaskDoneForm(FlaskForm):
    answer = text(LONG)


class TaskAnswerForm(FlaskForm):
    """The named person's answer to a search task (public page, the link is the key)."""

    outcome = text(50)
    note = text(LONG)
    file = FileField()
