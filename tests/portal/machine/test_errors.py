"""Under the machine API's paths every refusal is the OpenDSR error body, never HTML."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from tests.portal.machine.conftest import Controller, body


def test_an_unknown_machine_route_is_a_json_404_identical_every_time(client: FlaskClient) -> None:
    first = client.get("/opendsr/v2/no-such-thing")
    second = client.get("/api/v1/nothing/here")
    assert first.status_code == second.status_code == 404
    assert first.mimetype == "application/json"
    assert json.loads(first.data) == {"error": {"code": 404, "message": "Not found."}}
    assert first.data == second.data


def test_pages_outside_the_machine_paths_keep_their_html_errors(client: FlaskClient) -> None:
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_domain_validation_refusal_is_400_on_the_machine_api() -> None:
    from portal.machine.errors import machine_status
    from rights.errors import Conflict, NotFound, ValidationFailed

    assert machine_status(ValidationFailed("x")) == 400  # the domain's 422 is the spec's 400
    assert (machine_status(NotFound()), machine_status(Conflict())) == (404, 409)


def test_the_human_message_follows_accept_language_the_codes_do_not(
    client: FlaskClient,
) -> None:
    """A Dutch caller reads the message in Dutch; a program that asks nothing, or English,
    gets English; the code and the body's shape stay the same (docs/api.md)."""
    plain = client.get("/opendsr/v2/no-such-thing")
    dutch = client.get("/opendsr/v2/no-such-thing", headers={"Accept-Language": "nl-NL,nl;q=0.9"})
    english = client.get("/api/v1/nothing", headers={"Accept-Language": "en-GB, nl;q=0.5"})
    assert json.loads(plain.data) == json.loads(english.data)
    assert json.loads(plain.data) == {"error": {"code": 404, "message": "Not found."}}
    assert json.loads(dutch.data) == {"error": {"code": 404, "message": "Niet gevonden."}}
    assert (plain.headers["Content-Language"], dutch.headers["Content-Language"]) == ("en", "nl")
    assert "Accept-Language" in dutch.headers["Vary"]
    # A page the visitor set to English does not make the API Dutch, nor the other way round.
    client.get("/lang/nl")
    assert json.loads(client.get("/opendsr/v2/none").data)["error"]["message"] == "Not found."


def test_a_validation_refusal_in_dutch_keeps_its_reason_and_field(
    client: FlaskClient, controllers: tuple[Controller, Controller]
) -> None:
    mine, _other = controllers
    payload = body(submitted_time="gisteren", subject_request_type=None)
    raw = json.dumps(payload).encode()
    asked = {**mine.auth, "Content-Type": "application/json"}
    english = client.post("/opendsr/v2/requests", data=raw, headers=asked)
    dutch = client.post(
        "/opendsr/v2/requests", data=raw, headers={**asked, "Accept-Language": "nl"}
    )
    assert english.status_code == dutch.status_code == 400
    en, nl = json.loads(english.data)["error"], json.loads(dutch.data)["error"]
    strip = lambda items: [{k: v for k, v in e.items() if k != "message"} for e in items]  # noqa: E731
    assert strip(en["errors"]) == strip(nl["errors"])  # the machine's part is the same
    assert [e["message"] for e in en["errors"]] == [
        "subject_request_type field is required",
        "submitted_time must be an RFC 3339 date-time",
    ]
    assert [e["message"] for e in nl["errors"]] == [
        "het veld subject_request_type is verplicht",
        "submitted_time moet een datum en tijd volgens RFC 3339 zijn",
    ]
    assert nl["message"] == nl["errors"][0]["message"] and nl["code"] == 400
