"""The request form's fields are built once per class, field and language and copied per form
(portal/public/forms.py, ``_bound_copy``): two forms alive at once (two threads of one
process) keep their own answers, errors and choices."""

from __future__ import annotations

from werkzeug.datastructures import MultiDict

from portal.public.forms import request_form_class
from rights.righttypes import RightType


def _form(app, data):
    return request_form_class([RightType.ACCESS])(formdata=MultiDict(data), meta={"csrf": False})


def test_two_forms_at_once_keep_their_own_answers_errors_and_choices(app):
    with app.test_request_context("/request/form", method="POST"):
        first = _form(app, {"name": "Eva", "email": "eva@example.nl", "acting": "self"})
        second = _form(app, {"name": "", "email": "not an address", "acting": "other"})
        first.child_age.choices = [("12", "12")]
        assert not second.validate()
        assert first.name.data == "Eva" and second.name.data == ""
        assert not first.name.errors
        assert second.name.errors and second.email.errors and not first.email.errors
        assert second.child_age.choices == []
        assert first.name is not second.name and first.name._form is first
        assert second.name._form is second and second.name.meta is second.meta


def test_a_field_speaks_the_language_of_the_request_that_renders_it(app):
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        english = _form(app, {})
        english.validate()
        assert str(english.name.label.text) == "Your full name"
        assert "This field is required." in [str(e) for e in english.name.errors]
    with app.test_request_context("/"):
        from flask import session

        session["lang"] = "nl"
        dutch = _form(app, {})
        dutch.validate()
        assert str(dutch.name.label.text) == "Uw volledige naam"
        assert "This field is required." not in [str(e) for e in dutch.name.errors]
