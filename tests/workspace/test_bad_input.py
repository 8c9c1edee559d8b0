"""Every workspace form fed hostile input answers 4xx or stores it safely, never 500."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from rights.models.request import Channel
from tests.helpers import csrf_token
from tests.workspace.conftest import version_of

NASTY = [
    "",
    "\x00",
    "a" * 60_000,
    "<script>alert(1)</script>",
    "‮evil",
    "=1+1",
    "999999999999999999999",
    "-1",
]
ACTIONS = {
    "identity": ["method", "note"],
    "ask": ["reason", "question"],
    "answered": [],
    "assign": ["assignee"],
    "extend": ["ground", "justification"],
    "answer": ["outcome", "grounds", "reasons", "manifestly"],
    "withdraw": ["note"],
    "reopen": ["note"],
    "split": ["organisations"],
    "merge": ["primary"],
    "message": ["body"],
}


@pytest.fixture(autouse=True)
def _handle_500(app):
    app.config["TEST_HANDLE_500"] = True


@pytest.mark.parametrize("action", list(ACTIONS))
def test_case_actions_never_500(client, officer, make_request, db_session, action):
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    for value in NASTY:
        page = client.get(f"/staff/requests/{r.reference}")
        assert page.status_code == 200
        data = dict.fromkeys(ACTIONS[action], value)
        data.update(csrf_token=csrf_token(page), version=version_of(page), confirm="yes")
        resp = client.post(f"/staff/requests/{r.reference}/{action}", data=data)
        assert resp.status_code < 500, (action, value[:20], resp.status_code)
        assert "<script>alert" not in resp.get_data(as_text=True)
    for version in ("", "x", "-1", "99999999999999999999", "²"):
        resp = client.post(
            f"/staff/requests/{r.reference}/{action}",
            data={"csrf_token": csrf_token(page), "version": version},
        )
        assert resp.status_code == 409


def test_register_and_reports_never_500(client, officer, make_org):
    make_org()
    for value in NASTY:
        page = client.get("/staff/register")
        data = dict.fromkeys(
            (
                "right",
                "organisation",
                "channel",
                "received_date",
                "received_time",
                "name",
                "email",
                "summary",
                "language",
            ),
            value,
        )
        resp = client.post("/staff/register", data={**data, "csrf_token": csrf_token(page)})
        assert resp.status_code == 422, value[:20]
        for url in (
            "/staff/dashboard?start=",
            "/staff/register-export?format=csv&start=",
            "/staff/?page=",
            "/staff/?state=",
        ):
            assert client.get(url + value[:100]).status_code < 500
        assert (
            client.post(
                "/staff/search", data={"csrf_token": csrf_token(page), "q": value}
            ).status_code
            == 200
        )
    assert client.get("/staff/requests/NOPE").status_code == 404


def test_register_with_a_received_date_of_year_one_is_a_422(client, officer, make_org):
    """Midnight of 1 January of year 1 in Amsterdam is before the first UTC instant: the
    arrival overflowed into a 500 instead of the date's error on the form."""
    org = make_org()
    page = client.get("/staff/register")
    data = {
        "csrf_token": csrf_token(page),
        "right": "access",
        "organisation": str(org.id),
        "channel": "post",
        "received_date": "0001-01-01",
        "received_time": "00:00",
        "name": "Mila de Boer",
        "address": "Dorpsstraat 1, 1234 AB Ergens",
    }
    resp = client.post("/staff/register", data=data)
    assert resp.status_code == 422
