"""Regression guards for issue 17: how many SQL statements the public pages issue. Counts
do not depend on the machine's load, so they catch a page that starts asking the database
more often (a lazy load in a loop, a look-up per row) long before a benchmark would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from portal.tokens import make_token
from rights.models.org import OrganisationKind
from rights.models.request import Channel
from tests.public.flow import fill, form_url


@pytest.fixture
def operator(make_org):
    return make_org(OrganisationKind.OPERATOR, slug="operator", name="Operator")


@contextmanager
def counted(db_session: Any) -> Iterator[list[str]]:
    """Every statement on the app's engine inside the block (the harness's savepoints
    left out)."""
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if "SAVEPOINT" not in statement:
            seen.append(" ".join(statement.split())[:80])

    engine = db_session.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.upper().startswith("SELECT")]


def test_the_intake_form_asks_one_query(client, db_session, operator) -> None:
    client.get(form_url(["access"]))  # first visit: the session and its CSRF token
    with counted(db_session) as seen:
        assert client.get(form_url(["access"])).status_code == 200
    assert len(_selects(seen)) <= 1, seen  # the operator


def test_an_intake_post_stays_within_its_statements(
    client, db_session, operator, make_request
) -> None:
    make_request()  # the audit chain has its head row, as on every running desk
    url, data = fill(client, ["access"])
    with counted(db_session) as seen:
        response = client.post(url, data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    # The request, both mails in one INSERT, and the audit chain's head, event and head
    # update (the operator is kept, the form key's repeat is left to its unique constraint).
    assert len(_selects(seen)) <= 1, seen
    writes = [s for s in seen if not s.upper().startswith(("SELECT", "BEGIN"))]
    assert len(writes) <= 4, seen
    assert len([s for s in writes if s.upper().startswith("INSERT INTO OUTBOX_MAIL")]) == 1, seen


def test_the_status_page_stays_within_its_queries(app, client, db_session, make_request) -> None:
    req = make_request(channel=Channel.EMAIL)  # open: the subject may answer
    with app.test_request_context():
        path = "/status/" + make_token("status", {"r": req.id})
    client.get(path)
    with counted(db_session) as seen:
        assert client.get(path).status_code == 200
    # The request with its organisation and pauses (joined: 9 statements before issue 17's
    # second pass), whether it has sent letters, messages or packages (one statement; each
    # is read only when it has rows: none here), and its history.
    assert len(_selects(seen)) <= 3, seen


def test_the_status_history_query_keeps_every_action_it_can_put_into_words() -> None:
    """The history reads only the actions in ``SHOWN`` (the staff's views, often hundreds,
    stay in the database): any action that ``_text`` turns into words must be among them."""
    from types import SimpleNamespace

    from portal.audit_labels import LABELS
    from portal.public.history import SHOWN, _text

    variants = (
        {},
        {"sender": "officer"},
        {"sender": "subject"},
        {"to": "answered"},
        {"reason": "identity_not_answered"},
        {"counts": False},
    )
    worded = {
        action
        for action in LABELS
        for data in variants
        if _text(SimpleNamespace(action=action, data=data)) is not None
    }
    assert worded == set(SHOWN)
