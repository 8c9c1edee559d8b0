"""The forms of the controller's data files and instructions (docs/controllers.md,
"Results back to the controller"). WTForms only say what shape a value has; the domain
decides what it means (which source, which actions a right allows)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import Field, StringField
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, Optional, Regexp

from portal.formfields import IdField, no_nul, text
from rights.models.request import Channel
from rights.righttypes import RightType

CONFIRM = _l("Tick the box to confirm.")
CHOOSE_SOURCE = _l("Choose the data source the file belongs to.")
INSTRUCTION_CHANNELS = (Channel.EMAIL, Channel.POST, Channel.PHONE, Channel.IN_PERSON)


class ValueList(Field):
    """Several values of one name (checkboxes); the domain decides which are allowed."""

    data: list[str]

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        self.data = [str(value)[:40] for value in valuelist[:20]]


class ConfirmForm(FlaskForm):
    """An irreversible step: the ``confirm`` box must be ticked."""

    confirm = StringField(validators=[AnyOf(["yes"], message=CONFIRM)])


class FileUploadForm(FlaskForm):
    """A mailing file for one of the organisation's file sources."""

    source = IdField(message=CHOOSE_SOURCE, validators=[InputRequired(CHOOSE_SOURCE)])
    file = FileField(validators=[FileRequired(_l("Choose a file to upload."))])


class InstructionForm(FlaskForm):
    """A request the controller received itself, for the processor to carry out."""

    right = StringField(
        validators=[AnyOf([r.value for r in RightType], message=_l("Choose the right."))]
    )
    channel = StringField(
        default=Channel.EMAIL.value,
        validators=[
            AnyOf([c.value for c in INSTRUCTION_CHANNELS], message=_l("Choose how it reached you."))
        ],
    )
    name = StringField(
        default="",
        filters=[no_nul, lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired(_l("Give the data subject's name.")),  # after the strip: not only spaces
            Length(max=200, message=_l("The name is too long.")),
        ],
    )
    email = StringField(
        default="",
        filters=[no_nul, lambda v: v.strip().lower() if isinstance(v, str) else v],
        validators=[
            Optional(),
            Length(max=254, message=_l("The e-mail address is too long.")),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("This is not an e-mail address.")),
        ],
    )
    phone = text(40)
    customer_number = text(100)
    received_date = StringField(
        validators=[
            Regexp(
                r"^\d{4}-\d{2}-\d{2}$", message=_l("Give the date you received it (YYYY-MM-DD).")
            )
        ]
    )
    actions = ValueList()
    note = text(5000)
    # The data subject's language, for the mails and letters we send them (docs/controllers.md).
    language = StringField(
        default="",
        validators=[
            Optional(),
            AnyOf(["nl", "en"], message=_l("Choose the data subject's language.")),
        ],
    )

    def received(self) -> date | None:
        try:
            return date.fromisoformat(self.received_date.data or "")
        except ValueError:
            return None
