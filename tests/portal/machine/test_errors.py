"""Under the machine API's paths every refusal is the OpenDSR error body, never HTML."""

from __future__ import annotations

import json

from flask.testing import FlaskClient


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
