"""Forms of the public site. The request form is built for the rights the visitor chose, so
only their fields are shown and validated. Every field has a length limit; text may not hold
control characters (single-line fields not even line breaks: no mail header injection)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from functools import cache
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import _FlaskFormCSRF
from flask_wtf.file import FileField
from wtforms import (
    EmailField,
    Field,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.csrf import generate_csrf
from portal.i18n import WTFORMS_TEXTS, current_locale
from portal.public.fields import ChoiceRadioField, IsoDateField
from portal.public.labels import (
    ERASURE_GROUNDS,
    RELATIONSHIPS,
    RESTRICTION_GROUNDS,
)
from rights.identifiers import plain_email
from rights.righttypes import RightType

_LINE_BAD = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_TEXT_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SHORT = 200
LONG = 5000


def single_line(form: Any, field: Field) -> None:
    if field.data and _LINE_BAD.search(str(field.data)):
        raise ValidationError(_l("Use only letters, digits and punctuation on one line."))


def plain_text(form: Any, field: Field) -> None:
    if field.data and _TEXT_BAD.search(str(field.data)):
        raise ValidationError(_l("The text contains characters that are not allowed."))


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def line(label: Any, *, required: bool = False, max_len: int = SHORT) -> StringField:
    first = DataRequired() if required else Optional()
    return StringField(
        label,
        validators=[first, Length(max=max_len), single_line],
        filters=[_strip],
    )


def text(label: Any, *, required: bool = False, max_len: int = LONG) -> TextAreaField:
    first = DataRequired() if required else Optional()
    return TextAreaField(
        label, validators=[first, Length(max=max_len), plain_text], filters=[_strip]
    )


class PlainFirstEmail(Email):
    """WTForms' ``Email`` check, which passes a plain ASCII address at once
    (``rights.identifiers.plain_email``, proven to accept only what ``email_validator``
    accepts) and gives every other spelling to the library (issue 17: the library was about
    0.2 ms of each intake POST)."""

    def __call__(self, form: Any, field: Any) -> None:
        if isinstance(field.data, str) and plain_email(field.data):
            return
        super().__call__(form, field)


def email_field(label: Any, *, required: bool = True) -> EmailField:
    first = DataRequired() if required else Optional()
    return EmailField(
        label,
        validators=[
            first,
            Length(max=254),
            single_line,
            PlainFirstEmail(check_deliverability=False),
        ],
        filters=[_strip],
    )


def _choices(pairs: Sequence[tuple[str, Any]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def radio(label: Any, choices: Sequence[tuple[str, Any]], default: str | None = None) -> Any:
    return ChoiceRadioField(
        label, choices=_choices(choices), default=default, validators=[InputRequired()]
    )


class SearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = line(_l("Search for an organisation"), max_len=100)


# A request form's fields as built for the first form (no data, no form, no meta), per
# (name, prefix, language), kept on the unbound field itself (so they go with it):
# ``_bound_copy``.
_PROTOTYPES = "_dsr_prototypes"


def _bound_copy(
    form: Any, meta: Any, unbound: UnboundField, options: dict[str, Any], language: str
) -> Field:
    """A field of the form's class, copied from the one built for the first form instead of
    built again (issue 17; docs/architecture.md, "What a page repeats is built once"). A
    field's construction reads only the class's arguments and the language (the fallback
    label), never the request; what a request changes (data, errors, a view's choices) it
    sets on its own copy."""
    name = str(options["name"])
    of_class = getattr(type(form), name, None) is unbound
    if options.get("translations") is not WTFORMS_TEXTS or not of_class:
        built: Field = unbound.bind(form=form, **options)  # the CSRF field, per form
        return built
    key = (name, str(options["prefix"]), language)
    prototypes: dict[tuple[str, str, str], Field] | None = unbound.__dict__.get(_PROTOTYPES)
    if prototypes is None:
        prototypes = unbound.__dict__.setdefault(_PROTOTYPES, {})
    prototype = prototypes.get(key)
    if prototype is None:
        prototype = unbound.bind(form=form, **options)
        prototype._form = prototype.meta = None  # holds no request's form
        prototypes[key] = prototype
    field: Field = object.__new__(type(prototype))  # not copy.copy: Field.__new__ needs _form
    field.__dict__.update(prototype.__dict__)
    field._form, field.meta = form, meta
    return field


class _Token:
    """The page's CSRF token, signed when the page is rendered: a valid POST redirects and
    never renders it (issue 17: the signature was about 0.1 ms of every submit)."""

    __slots__ = ("_make",)

    def __init__(self, make: Any) -> None:
        self._make = make

    def __str__(self) -> str:
        return str(self._make())


class _LazyCSRF(_FlaskFormCSRF):
    """The request form's token, signed when rendered, by ``portal.csrf.generate_csrf`` with
    the app's CSRF settings (the form's Meta sets no key or field name of its own)."""

    def generate_csrf_token(self, csrf_token_field: Any) -> Any:
        return _Token(generate_csrf)


class BaseRequestForm(FlaskForm):
    """The visitor's details; right-specific fields are added by ``request_form``."""

    class Meta:
        csrf_class = _LazyCSRF

        def get_translations(self, form: Any) -> Any:
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return FlaskForm.Meta.get_translations(self, form)
            return WTFORMS_TEXTS

        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            language = self.__dict__.get("_language")  # the meta is the form's own
            if language is None:
                language = self._language = str(current_locale())
            return _bound_copy(form, self, unbound_field, options, language)

    form_key = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{16,64}$")])
    acting = radio(
        _l("Who is the request for?"),
        [("self", _l("For myself")), ("other", _l("For someone else"))],
        default="self",
    )
    name = line(_l("Your full name"), required=True)
    email = email_field(_l("Your e-mail address"))
    phone = line(_l("Phone number (optional)"), max_len=40)
    # The person the data is about, when someone else files the request.
    subject_name = line(_l("Full name of the person the data is about"))
    subject_email = email_field(_l("Their e-mail address (optional)"), required=False)
    relationship = ChoiceRadioField(
        _l("Your relationship to this person"),
        choices=_choices(list(RELATIONSHIPS.items())),
        validators=[Optional()],
        validate_choice=True,
    )
    # A parent says how old the child is (docs/legal.md, "Representatives and minors"); the view
    # sets the choices from the configured age thresholds.
    child_age = ChoiceRadioField(
        _l("How old is the child?"), choices=[], validators=[Optional()], validate_choice=True
    )
    mandate = FileField(_l("Mandate or proof of authority (PDF, PNG or JPEG)"))
    address = text(_l("Postal address (optional)"), max_len=500)
    customer_number = line(_l("Customer or account number (optional)"), max_len=100)

    def validate(self, extra_validators: Any = None) -> bool:
        """Someone acting for another person must name that person and the relationship
        (checked here: ``Optional`` fields skip their own validators when empty)."""
        ok = bool(super().validate(extra_validators))
        if self.acting.data == "other":
            if not self.subject_name.data:
                self.subject_name.errors = [
                    *self.subject_name.errors,
                    _l("Fill in the name of the person the data is about."),
                ]
                ok = False
            if not self.relationship.data:
                self.relationship.errors = [
                    *self.relationship.errors,
                    _l("Choose your relationship to this person."),
                ]
                ok = False
            if self.relationship.data == "parent" and not self.child_age.data:
                self.child_age.errors = [
                    *self.child_age.errors,
                    _l("Choose how old the child is."),
                ]
                ok = False
        return ok


def _access(fields: dict[str, Any]) -> None:
    fields["access_scope"] = radio(
        _l("What do you want to see?"),
        [("all", _l("Everything you have about me")), ("specific", _l("Only certain data"))],
        default="all",
    )
    fields["access_specific"] = text(_l("Which data? (if only certain data)"), max_len=2000)
    fields["access_period_from"] = IsoDateField(_l("From date (optional)"), validators=[Optional()])
    fields["access_period_to"] = IsoDateField(_l("Until date (optional)"), validators=[Optional()])


def _rectification(fields: dict[str, Any]) -> None:
    fields["rect_which"] = line(_l("Which data is wrong or incomplete?"), required=True)
    fields["rect_current"] = text(_l("What does it say now? (optional)"), max_len=2000)
    fields["rect_correct"] = text(_l("What should it say?"), required=True, max_len=2000)
    fields["rect_statement"] = text(_l("Anything you want to add (optional)"), max_len=2000)


def _erasure(fields: dict[str, Any]) -> None:
    fields["erasure_ground"] = radio(
        _l("Why should your data be erased?"), list(ERASURE_GROUNDS.items())
    )
    fields["erasure_scope"] = radio(
        _l("What should be erased?"),
        [("all", _l("All my data")), ("specific", _l("Only certain data"))],
        default="all",
    )
    fields["erasure_specific"] = text(_l("Which data? (if only certain data)"), max_len=2000)


def _restriction(fields: dict[str, Any]) -> None:
    fields["restriction_ground"] = radio(
        _l("Why should the use be limited?"), list(RESTRICTION_GROUNDS.items())
    )
    fields["restriction_explanation"] = text(_l("Explanation (optional)"), max_len=2000)


def _portability(fields: dict[str, Any]) -> None:
    fields["portability_format"] = radio(
        _l("In which file format?"),
        [
            ("json", _l("JSON (for computers)")),
            ("csv", _l("CSV (for spreadsheets)")),
            ("xlsx", _l("Excel (XLSX)")),
        ],
        default="csv",
    )
    fields["portability_to_name"] = line(_l("Send it directly to this organisation (optional)"))
    fields["portability_to_email"] = email_field(
        _l("E-mail address of that organisation (optional)"), required=False
    )


def _objection(fields: dict[str, Any]) -> None:
    fields["objection_basis"] = radio(
        _l("What do you object to?"),
        [
            ("direct_marketing", _l("Use of my data for advertising (direct marketing)")),
            ("particular_situation", _l("Another use, because of my personal situation")),
        ],
        default="direct_marketing",
    )
    fields["objection_situation"] = text(
        _l("Your personal situation (only for another use)"), max_len=LONG
    )


def _consent(fields: dict[str, Any]) -> None:
    fields["consent_which"] = text(
        _l("Which permission do you withdraw?"), required=True, max_len=2000
    )


BUILDERS = {
    RightType.ACCESS: _access,
    RightType.RECTIFICATION: _rectification,
    RightType.ERASURE: _erasure,
    RightType.RESTRICTION: _restriction,
    RightType.PORTABILITY: _portability,
    RightType.OBJECTION: _objection,
    RightType.WITHDRAW_CONSENT: _consent,
}


def _conditional(form: Any) -> bool:
    """Rules that depend on another answer: extra text when only certain data is meant, or
    when the objection rests on a particular situation."""
    ok = True
    needs = (
        ("access_scope", "specific", "access_specific", _l("Say which data you mean.")),
        ("erasure_scope", "specific", "erasure_specific", _l("Say which data you mean.")),
        (
            "objection_basis",
            "particular_situation",
            "objection_situation",
            _l("Describe your personal situation."),
        ),
    )
    for choice, value, detail, message in needs:
        if choice in form and form[choice].data == value and not form[detail].data:
            form[detail].errors = [*form[detail].errors, message]
            ok = False
    if "access_period_from" in form:
        start, end = form["access_period_from"].data, form["access_period_to"].data
        if start and end and end < start:
            form["access_period_to"].errors = [
                *form["access_period_to"].errors,
                _l("The end date is before the start date."),
            ]
            ok = False
    return ok


def request_form_class(rights: Sequence[RightType]) -> type[BaseRequestForm]:
    """The form for these rights; built once per combination (building a WTForms class
    costs more than rendering it)."""
    return _request_form_class(tuple(rights))


@cache
def _request_form_class(rights: tuple[RightType, ...]) -> type[BaseRequestForm]:
    fields: dict[str, Any] = {}
    for right in rights:
        BUILDERS[right](fields)

    def validate(self: Any, extra_validators: Any = None) -> bool:
        ok = BaseRequestForm.validate(self, extra_validators)
        return _conditional(self) and ok

    fields["validate"] = validate
    return type("RequestForm", (BaseRequestForm,), fields)


def new_form_key() -> str:
    return secrets.token_urlsafe(24)


class ReplyForm(FlaskForm):
    body = text(_l("Your answer"), required=True, max_len=10_000)
    document = FileField(_l("Document (PDF, PNG or JPEG)"))


class LostLinkForm(FlaskForm):
    email = email_field(_l("Your e-mail address"))


class ConfirmForm(FlaskForm):
    """A button only: the CSRF token makes it a deliberate POST."""
