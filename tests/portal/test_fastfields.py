"""portal/fastfields.py renders exactly what WTForms renders: every field (and every radio
option and label) of every form class of the portal, empty, filled with awkward data and
after a failed validation, with the attributes the macros pass."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from typing import Any

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import RadioField
from wtforms.fields.choices import SelectFieldBase

import portal
from portal.fastfields import html_params, render_field, render_label
from portal.public.forms import request_form_class
from rights.righttypes import RightType

ATTRS: list[dict[str, Any]] = [
    {},
    {"class_": "input"},
    {"class_": "input", "rows": 3, "autocomplete": "street-address"},
    {"class_": "input", "aria-describedby": "f-hint f-error", "aria-invalid": "true"},
    {"data_x": 'a"b<&>', "aria_label": "x", "disabled": True, "readonly": False},
    {"id": "other", "value": "<given>", "for_": "z"},
]
AWKWARD = MultiDict(
    {
        "name": 'Eva "de" <Boer> & zn',
        "email": "not an address",
        "phone": "06 <12>",
        "address": "Dorpsstraat 1\r\n1234 AB",
        "acting": "self",
        "access_scope": "specific",
        "access_period_from": "2025-13-45",
        "erasure_ground": "zz",
        "customer_number": "x" * 300,
    }
)


def _form_classes() -> list[type[FlaskForm]]:
    found: dict[str, type[FlaskForm]] = {}
    for info in pkgutil.walk_packages(portal.__path__, "portal."):
        if not info.name.endswith("forms"):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, FlaskForm) and value is not FlaskForm:
                found[f"{value.__module__}.{name}"] = value
    found["request-form"] = request_form_class(tuple(RightType))
    return list(found.values())


def _fields(form: FlaskForm) -> list[Any]:
    out = []
    for field in form:
        out.append(field)
        if isinstance(field, RadioField):  # ChoiceRadioField too
            out.extend(field)
    return out


def _check(form: FlaskForm) -> int:
    checked = 0
    for field in _fields(form):
        for attrs in ATTRS:
            try:
                expected = field(**attrs)
            except TypeError:  # a widget that refuses these attributes
                continue
            assert render_field(field, **attrs) == expected, (field.name, attrs)
            label_attrs = {k: v for k, v in attrs.items() if k not in ("value", "rows")}
            assert render_label(field.label, **label_attrs) == field.label(**label_attrs)
            assert render_label(field.label, "Other <text>") == field.label("Other <text>")
            checked += 1
    return checked


@pytest.mark.parametrize("data", [None, AWKWARD], ids=["empty", "awkward"])
def test_every_field_of_every_form_renders_as_wtforms_renders_it(
    app: Flask, data: MultiDict | None
) -> None:
    checked = 0
    with app.test_request_context(method="POST" if data else "GET", data=data):
        for cls in _form_classes():
            try:
                form = cls(formdata=data) if data is not None else cls()
            except TypeError:  # needs constructor arguments
                continue
            for field in form:
                if getattr(field, "choices", None) is None and isinstance(field, SelectFieldBase):
                    field.choices = [("a", "A <1>"), ("b", 'B "2"')]
            if data is not None:
                form.validate()
            checked += _check(form)
    assert checked > 500  # the forms were really there


def test_html_params_is_wtforms_html_params() -> None:
    from wtforms.widgets import html_params as stock

    for attrs in [*ATTRS, {"a": 0, "b": None, "c": 1.5, "d": "é\"'"}]:
        assert html_params(**attrs) == stock(**attrs)


def test_the_public_form_page_is_the_same_byte_for_byte(
    app: Flask, client: Any, make_org: Any
) -> None:
    """The whole request form, blank and re-shown with errors, through the macros with the
    fast renderer and with WTForms' own rendering."""
    import re

    from rights.models.org import OrganisationKind
    from tests.helpers import csrf_token
    from tests.public.flow import form_key

    make_org(OrganisationKind.OPERATOR, slug="operator", name="Operator")
    url = "/request/form?org=operator&" + "&".join(f"right={r.value}" for r in RightType)
    volatile = re.compile(r'(name="(?:csrf_token|form_key)"[^>]*value=")[^"]+"')

    def pages() -> list[str]:
        blank = client.get(url)
        data = dict(AWKWARD, csrf_token=csrf_token(blank), form_key=form_key(blank))
        bad = client.post(url, data=data, content_type="multipart/form-data")
        assert blank.status_code == 200 and 400 <= bad.status_code < 500
        return [volatile.sub(r"\1X", p.get_data(as_text=True)) for p in (blank, bad)]

    ours = pages()
    app.jinja_env.globals.update(
        render_field=lambda f, **kw: f(**kw),
        render_label=lambda label, text=None, **kw: label(text, **kw),
    )
    stock = pages()
    assert ours == stock
    assert 'class="error-message"' in ours[1] and 'aria-invalid="true"' in ours[1]
