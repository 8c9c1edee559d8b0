"""The forms of the case page and the queue. Every case form is a POST with the CSRF token
and the hidden ``version`` (checked before the form: a stale form gets the 409 page); the
domain still decides what a value means (a ground, a method), the form only what shape it
has. Irreversible steps need the ``confirm`` box."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form, StringField
from wtforms.validators import AnyOf, Regexp

from portal.formfields import Flag, IdField, IdListField, clipped, text
from portal.staff import labels
from rights.dashboard import default_period
from rights.models.request import RequestState
from rights.queue import WAITING_FILTERS, QueueFilter
from rights.righttypes import RightType

LONG = 50_000  # the domain sets the real limits; this only keeps junk out
MAX_DAYS = 3 * 366


class CaseForm(FlaskForm):
    """A case action without fields (the subject answered)."""


class ConfirmedForm(CaseForm):
    confirm = StringField(validators=[AnyOf(["yes"], message=labels.ERRORS["confirm"])])


class IdentityForm(ConfirmedForm):
    method = text(100)
    note = text(LONG)


class AskForm(CaseForm):
    reason = text(100)
    question = text(LONG)
    asks_document = Flag()


class AssignForm(CaseForm):
    assignee = IdField(message=labels.ERRORS["assignee"])


class ExtendForm(ConfirmedForm):
    ground = text(100)
    justification = text(LONG)


class NoteForm(CaseForm):
    note = text(LONG)


class WithdrawForm(ConfirmedForm):
    note = text(LONG)


class SplitForm(ConfirmedForm):
    organisations = IdListField(message=labels.ERRORS["split_orgs"])


class MergeForm(ConfirmedForm):
    primary = StringField(
        default="",
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        validators=[Regexp(r"^[A-Z0-9-]{1,20}$", message=labels.ERRORS["not_found"])],
    )


class MessageForm(CaseForm):
    body = text(LONG)
    asks_document = Flag()


class SearchForm(FlaskForm):
    """POST keeps the e-mail address out of URLs; a long query is cut, not refused."""

    q = clipped(254)


def _choice(value: str | None, allowed: set[str]) -> str | None:
    return value if value and value in allowed else None


class QueueFilterForm(Form):
    """The queue's filters from the query string (a GET: nothing changes, no CSRF). A value
    that is not one of the choices is ignored rather than refused, as links get edited."""

    state = StringField()
    right = StringField()
    org = IdField()
    assignee = IdField(zero=True)  # 0: nobody
    overdue = Flag()
    soon = Flag()
    waiting = StringField()
    extended = Flag()
    page = IdField()

    def to_filter(self) -> QueueFilter:
        states = {s.value for s in RequestState}
        rights = {r.value for r in RightType}
        state, right = _choice(self.state.data, states), _choice(self.right.data, rights)
        return QueueFilter(
            state=RequestState(state) if state else None,
            right=RightType(right) if right else None,
            organisation_id=None if self.org.process_errors else self.org.data,
            assignee_id=None if self.assignee.process_errors else self.assignee.data,
            overdue=self.overdue.data,
            due_soon=self.soon.data,
            waiting=_choice(self.waiting.data, set(WAITING_FILTERS)),
            extended=self.extended.data,
        )

    def page_number(self) -> int:
        return (None if self.page.process_errors else self.page.data) or 1


class PeriodForm(Form):
    """The period of the dashboard and the register export (a GET: no CSRF). A bad period
    falls back to the default one, with the reason."""

    start = StringField()
    end = StringField()

    def period(self, now: datetime) -> tuple[date, date, str | None]:
        start, end = default_period(now)
        try:
            if self.start.data:
                start = date.fromisoformat(self.start.data[:10])
            if self.end.data:
                end = date.fromisoformat(self.end.data[:10])
        except ValueError:
            return *default_period(now), str(_l("Give dates as YYYY-MM-DD."))
        if end < start or (end - start).days > MAX_DAYS:
            error = _l("The period must run forward and be at most three years.")
            return *default_period(now), str(error)
        return start, end, None
