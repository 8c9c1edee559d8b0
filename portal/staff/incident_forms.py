"""The officer's incident forms (docs/incidents.md, "The register"). Instants are entered as
Amsterdam wall-clock time (``datetime-local``) and read by ``rights.incidents.clocks.
local_instant``: a time skipped when summer time starts is an error on the field, a time
that occurs twice when it ends is read as its first occurrence (summer time)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, TextAreaField
from wtforms.validators import AnyOf, Length
from wtforms.widgets import DateTimeLocalInput, TextInput

from portal.formfields import Flag, IdListField, no_nul, text
from rights.deadlines import AMSTERDAM
from rights.errors import ValidationFailed
from rights.incidents.clocks import local_instant
from rights.incidents.register import FACT_FIELDS, Facts, Measures
from rights.models.incident import Incident, Risk

LONG = 20_000
BAD_MOMENT = _l("Enter a date and time, for example 2026-03-05 14:30.")
NO_SUCH_TIME = _l(
    "This time does not exist in Amsterdam: at 02:00 the clocks moved forward to 03:00."
)
BAD_NUMBER = _l("Enter a whole number, or leave it empty.")
CHOOSE = _l("Choose an option from the list.")


class MomentField(Field):
    """An Amsterdam ``datetime-local`` value as aware UTC (None when empty and optional)."""

    data: datetime | None
    widget = DateTimeLocalInput()

    def __init__(self, *args: Any, required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required = required

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return self.data.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M") if self.data else ""

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        raw = str(valuelist[0]).strip()[:20] if valuelist else ""
        self.data = None
        if not raw:
            if self.required:
                raise ValueError(str(BAD_MOMENT))
            return
        try:
            local = datetime.fromisoformat(raw.replace(" ", "T"))
        except ValueError:
            raise ValueError(str(BAD_MOMENT)) from None
        if local.tzinfo is not None:
            raise ValueError(str(BAD_MOMENT))
        try:
            self.data = local_instant(local)
        except ValidationFailed:
            raise ValueError(str(NO_SUCH_TIME)) from None
        except OverflowError:  # before the first instant UTC can hold (year 1)
            raise ValueError(str(BAD_MOMENT)) from None


class CountField(Field):
    """An approximate number (people, records) or None."""

    data: int | None
    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)

    def process_formdata(self, valuelist: Sequence[Any]) -> None:
        raw = str(valuelist[0]).strip().replace(".", "") if valuelist else ""
        self.data = None
        if raw:
            if not raw.isdigit() or len(raw) > 9:
                raise ValueError(str(BAD_NUMBER))
            self.data = int(raw)


def area(label: Any, max_length: int = LONG) -> TextAreaField:
    return TextAreaField(label, filters=[no_nul], validators=[Length(max=max_length)], default="")


def _lines(value: str | None) -> tuple[str, ...]:
    return tuple(line.strip() for line in (value or "").splitlines() if line.strip())


class IncidentForm(FlaskForm):
    """The facts of an incident (new and edit)."""

    title = text(200, label=_l("Short title (no names of people)"))
    discovered_at = MomentField(_l("Discovered at (Amsterdam time)"))
    aware_at = MomentField(_l("Aware it is a breach at (Amsterdam time)"), required=False)
    description = area(_l("What happened"))
    data_categories = area(_l("Categories of personal data, one per line"), 10_000)
    subject_categories = area(_l("Categories of people concerned, one per line"), 10_000)
    approx_subjects = CountField(_l("Approximate number of people concerned"))
    approx_records = CountField(_l("Approximate number of records concerned"))
    source_ids = IdListField(_l("Data sources involved"), limit=200)
    data_file_ids = IdListField(_l("Data files involved"), limit=200)
    own_data = Flag(_l("Our own data is involved (we are the controller)"))
    consequences = area(_l("Likely consequences"))

    def facts(self) -> Facts:
        assert self.discovered_at.data is not None
        return Facts(
            title=self.title.data or "",
            discovered_at=self.discovered_at.data,
            aware_at=self.aware_at.data,
            description=self.description.data or "",
            data_categories=_lines(self.data_categories.data),
            subject_categories=_lines(self.subject_categories.data),
            approx_subjects=self.approx_subjects.data,
            approx_records=self.approx_records.data,
            source_ids=tuple(self.source_ids.data or ()),
            data_file_ids=tuple(self.data_file_ids.data or ()),
            own_data=bool(self.own_data.data),
            consequences=self.consequences.data or "",
        )


def facts_formdata(incident: Incident) -> dict[str, Any]:
    """The stored facts as the edit form's values."""
    values = {name: getattr(incident, name) for name in FACT_FIELDS}
    for name in ("data_categories", "subject_categories"):
        values[name] = "\n".join(values[name] or [])
    return values


class AssessForm(FlaskForm):
    breach = RadioField(
        _l("Is it a personal-data breach?"),
        choices=[
            SelectChoice("yes", _l("Yes, a breach")),
            SelectChoice("no", _l("No, not a breach")),
        ],
        validators=[AnyOf(["yes", "no"], message=CHOOSE)],
    )
    not_breach_reason = area(_l("Why it is not a breach"))
    risk = RadioField(
        _l("Risk to the people concerned"),
        choices=[SelectChoice(r.value, r.value) for r in Risk],
        validate_choice=False,
    )
    risk_reasons = area(_l("Reasons for this risk assessment"))
    aware_at = MomentField(_l("Aware it is a breach at (Amsterdam time)"), required=False)

    def chosen_risk(self) -> Risk | None:
        try:
            return Risk(self.risk.data) if self.risk.data else None
        except ValueError:
            return None


class MeasuresForm(FlaskForm):
    taken = area(_l("Measures taken"))
    proposed = area(_l("Measures proposed"))
    recurrence = area(_l("Measures against recurrence"))

    def measures(self) -> Measures:
        return Measures(
            taken=self.taken.data or "",
            proposed=self.proposed.data or "",
            recurrence=self.recurrence.data or "",
        )


class APNotifiedForm(FlaskForm):
    """The breach was notified to the Autoriteit Persoonsgegevens."""

    notified_at = MomentField(_l("Notified to the AP at (Amsterdam time)"))
    ap_reference = text(80, label=_l("The AP's reference (optional)"))
    delay_reasons = area(_l("Reasons for the delay (required after 72 hours)"))


class CloseForm(FlaskForm):
    """Closing: a bare POST with the CSRF token."""
