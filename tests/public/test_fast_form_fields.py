"""portal/public/fields.py accepts and refuses exactly what WTForms' own fields do, with the
same data and the same messages: the request form's radio buttons and dates, on generated
input (hypothesis) and on what browsers and people really send."""

from __future__ import annotations

import warnings
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from wtforms import DateField, Form, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional

from portal.public.fields import ChoiceRadioField, IsoDateField


def _outcome(form_class: type[Form], values: list[str]) -> tuple[Any, ...]:
    with warnings.catch_warnings():  # tuple and dict choices: deprecated, still WTForms' shapes
        warnings.simplefilter("ignore", DeprecationWarning)
        form = form_class(formdata=MultiDict([("field", v) for v in values]))
    ok = form.validate()
    return ok, form.field.data, list(form.field.errors), list(form.field.process_errors)


def _date_forms(validator: Any) -> tuple[type[Form], type[Form]]:
    class Plain(Form):
        field = DateField("When", validators=[validator])

    class Fast(Form):
        field = IsoDateField("When", validators=[validator])

    return Plain, Fast


DATE_FORMS = [_date_forms(Optional()), _date_forms(InputRequired())]
DIGITS = "0123456789"
date_like = st.one_of(
    st.dates().map(date.isoformat),  # what a browser's date input sends
    st.builds(
        lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}",
        st.text(DIGITS, min_size=1, max_size=5),
        st.text(DIGITS, min_size=1, max_size=3),
        st.text(DIGITS, min_size=1, max_size=3),
        st.sampled_from(["-", "/", " ", ""]),
    ),
    st.text("0123456789-٣ T:+Z\n", max_size=14),  # with an Arabic-Indic digit
    st.text(max_size=12),
)


@settings(max_examples=600, deadline=None)
@given(values=st.lists(date_like, min_size=0, max_size=2), which=st.sampled_from([0, 1]))
def test_the_iso_date_field_reads_what_the_date_field_reads(values, which) -> None:
    plain, fast = DATE_FORMS[which]
    assert _outcome(fast, values) == _outcome(plain, values)


@pytest.mark.parametrize(
    "value",
    [
        "2025-01-31",
        "2025-02-29",  # not a calendar date
        "2024-02-29",
        "0000-01-01",  # no year 0
        "9999-12-31",
        "2025-1-5",  # strptime reads it; not the ISO shape, so WTForms does
        "2025-13-01",
        "20250101",  # fromisoformat would read it; strptime does not
        "2025-01-01 ",
        " 2025-01-01",
        "",
    ],
)
def test_real_looking_dates(value: str) -> None:
    for plain, fast in DATE_FORMS:
        assert _outcome(fast, [value]) == _outcome(plain, [value])


CHOICE_SHAPES: list[Any] = [
    [SelectChoice("self", "For myself"), SelectChoice("other", "For someone else")],
    [("young", "Younger than 12"), ("review", "12 to 15"), ("own", "16 or older")],
    [("a", "A", {"class": "x"}), ("b", "B", {})],
    ["json", "csv", "xlsx"],
    [],
    {"Group": [("g1", "G1"), ("g2", "G2")]},  # groups: left to WTForms
    {"x": "X", "y": "Y"},  # the shorthand dict
]


def _radio_forms(choices: Any, validate_choice: bool, coerce: Any) -> tuple[type[Form], ...]:
    options = {"choices": choices, "validate_choice": validate_choice, "coerce": coerce}

    class Plain(Form):
        field = RadioField("Which", validators=[Optional()], **options)

    class Fast(Form):
        field = ChoiceRadioField("Which", validators=[Optional()], **options)

    return Plain, Fast


values = st.one_of(
    st.sampled_from(["self", "other", "young", "own", "a", "b", "csv", "g1", "x", "1", ""]),
    st.text(max_size=6),
)


@settings(max_examples=400, deadline=None)
@given(
    shape=st.integers(0, len(CHOICE_SHAPES) - 1),
    validate_choice=st.booleans(),
    sent=st.lists(values, max_size=2),
)
def test_the_choice_radio_field_checks_what_the_radio_field_checks(
    shape, validate_choice, sent
) -> None:
    plain, fast = _radio_forms(CHOICE_SHAPES[shape], validate_choice, str)
    assert _outcome(fast, sent) == _outcome(plain, sent)


@settings(max_examples=200, deadline=None)
@given(sent=st.lists(st.sampled_from(["1", "2", "3", "01", "x", ""]), max_size=2))
def test_a_coerced_choice_is_compared_as_coerced(sent) -> None:
    plain, fast = _radio_forms([("1", "one"), ("2", "two")], True, int)
    assert _outcome(fast, sent) == _outcome(plain, sent)


def test_choices_set_per_request_and_none() -> None:
    plain, fast = _radio_forms(None, True, str)
    for form_class in (plain, fast):
        form = form_class(formdata=MultiDict([("field", "young")]))
        form.field.choices = [("young", "Younger"), ("own", "Older")]
        assert form.validate()
        form.field.data = "other"
        assert not form.validate()
        assert form.field.errors == ["Not a valid choice."]
    for form_class in (plain, fast):
        form = form_class(formdata=MultiDict([("field", "x")]))
        with pytest.raises(TypeError, match="Choices cannot be None"):
            form.validate()
