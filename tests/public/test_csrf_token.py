"""portal/csrf.py makes the CSRF token as Flask-WTF does: Flask-WTF's own check takes it,
it is made once per request and kept in ``g`` (so the templates' ``csrf_token()`` gives the
same one), it signs the raw token in the session (made when missing), and a token of
another session or key is refused."""

from __future__ import annotations

import pytest
from flask import g, session
from flask_wtf.csrf import generate_csrf as flask_wtf_generate
from flask_wtf.csrf import validate_csrf
from wtforms.validators import ValidationError

from portal.csrf import generate_csrf


def test_the_token_is_flask_wtfs_own(app) -> None:
    with app.test_request_context():
        token = generate_csrf()
        raw = session["csrf_token"]
        assert len(raw) == 40
        validate_csrf(token)  # Flask-WTF's check: no error
        assert generate_csrf() == token == g.csrf_token
        assert flask_wtf_generate() == token  # the templates' csrf_token() gives the same
    with app.test_request_context():
        session["csrf_token"] = raw  # the same browser, a later request
        again = generate_csrf()
        validate_csrf(again)
        assert flask_wtf_generate() == again


def test_a_token_of_another_session_or_key_is_refused(app) -> None:
    with app.test_request_context():
        token = generate_csrf()
    with app.test_request_context():
        session["csrf_token"] = "0" * 40  # another browser's raw token
        with pytest.raises(ValidationError):
            validate_csrf(token)
    app.config["WTF_CSRF_SECRET_KEY"] = "another key of enough length for the test"
    with app.test_request_context():
        other = generate_csrf()
        raw = session["csrf_token"]
    app.config["WTF_CSRF_SECRET_KEY"] = app.secret_key
    with app.test_request_context():
        session["csrf_token"] = raw
        with pytest.raises(ValidationError):
            validate_csrf(other)


def test_a_raw_token_json_cannot_hold_is_replaced(app) -> None:
    with app.test_request_context():
        session["csrf_token"] = {1, 2}  # a set: not JSON
        token = generate_csrf()
        assert isinstance(session["csrf_token"], str)
        validate_csrf(token)


def test_without_a_secret_key_it_says_so(app) -> None:
    app.config["WTF_CSRF_SECRET_KEY"] = None
    with app.test_request_context(), pytest.raises(RuntimeError, match="secret key"):
        generate_csrf()
