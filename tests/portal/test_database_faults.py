"""Database faults at the edge: a lock that outlasts the busy timeout or a dropped
connection is a 503 page with Retry-After in the user's language, never a bare 500; closing
the session after the response never raises (docs/operations.md, "Database faults")."""

from __future__ import annotations

import sqlite3

import pytest
from flask import Flask
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.db import get_db, get_session


@pytest.fixture
def faulty_app(app_config, session_factory) -> Flask:
    application = create_app(app_config)
    get_db(application).sessionmaker = session_factory

    @application.post("/_locked")
    def _locked() -> str:
        get_session()
        raise OperationalError(
            "UPDATE outbox_mail", {}, sqlite3.OperationalError("database is locked")
        )

    @application.get("/_rendered")
    def _rendered() -> str:
        session = get_session()

        def dead(*args: object, **kwargs: object) -> None:
            raise OperationalError("ROLLBACK", {}, sqlite3.OperationalError("disk I/O error"))

        # The connection died after the page was made: rollback and close both fail.
        session.rollback = dead  # type: ignore[method-assign]
        session.close = dead  # type: ignore[method-assign]
        return "your reference is AVG-TEST"

    return application


@pytest.mark.parametrize(
    ("language", "words"),
    [("nl", "Probeer het over een paar seconden opnieuw"), ("en", "try again in a few seconds")],
)
def test_a_lock_that_outlasts_the_timeout_is_a_503_with_retry_after(faulty_app, language, words):
    client = faulty_app.test_client()
    client.get(f"/lang/{language}")
    faulty_app.config["WTF_CSRF_ENABLED"] = False
    page = client.post("/_locked")
    assert page.status_code == 503
    assert page.headers["Retry-After"].isdigit()
    assert words in page.get_data(as_text=True)


def test_a_dead_connection_at_teardown_keeps_the_rendered_page(faulty_app):
    page = faulty_app.test_client().get("/_rendered")
    assert page.status_code == 200
    assert "AVG-TEST" in page.get_data(as_text=True)


def test_the_500_page_does_not_promise_that_nothing_was_lost(app):
    from flask_babel import force_locale

    from portal.errors import MESSAGES

    with app.test_request_context(), force_locale("en"):
        text = str(MESSAGES[500][1])
    assert "not lost" not in text and "may not have been stored" in text
