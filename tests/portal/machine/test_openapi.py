"""The OpenAPI 3.1 file at /opendsr/v2/openapi.json matches the app: schemathesis runs
against the WSGI app in-process with a key made here, a bounded and derandomised number of
examples per operation (no example database, so it cannot be flaky), and finds no server
error, no undocumented status, content type or header, and no response off its schema.
Operations whose route this app does not have (yet) are skipped by name."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS
from schemathesis.specs.openapi import checks

from portal.machine.opendsr import OPENAPI
from rights.audit import SYSTEM
from rights.opendsr.keys import create_key
from tests.portal.machine.conftest import NOW

CHECKED = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def api_key(db_session: Any, make_org: Any, app: Any) -> str:
    app.config["CLOCK"] = lambda: NOW
    org = make_org(slug="bakkerij-jansen")
    org.callback_allowlist = ["https://hooks.example.com"]
    secret = create_key(db_session, org, actor=SYSTEM, now=NOW).secret
    db_session.commit()
    return secret


def _route(path: str) -> str:
    return path.replace("{subject_request_id}", "<subject_request_id>")


def _operations(app: Any) -> list[Any]:
    """The schema's operations whose route this app has."""
    routes = {rule.rule for rule in app.url_map.iter_rules()}
    schema = schemathesis.openapi.from_wsgi("/opendsr/v2/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if _route(op.path) in routes]


def test_the_app_keeps_its_openapi_contract(app: Any, api_key: str) -> None:
    headers = {"Authorization": f"Bearer {api_key}"}
    checked = [CHECKS.get_by_names(["not_a_server_error"])[0], *CHECKED]
    operations = _operations(app)
    seen: set[tuple[str, str, int]] = set()
    assert {op.path for op in operations} >= {
        "/opendsr/v2/requests", "/opendsr/v2/requests/{subject_request_id}", "/opendsr/v2/discovery",
    }  # fmt: skip
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=30,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call_and_validate(headers=headers, checks=checked)
            seen.add((case.operation.method.upper(), case.operation.path, response.status_code))

        run()
    # The examples phase sends the schema's own example: the happy path is covered too.
    assert ("POST", "/opendsr/v2/requests", 201) in seen, sorted(seen)


def test_the_served_file_is_the_repository_file(client: Any) -> None:
    resp = client.get("/opendsr/v2/openapi.json")
    assert resp.status_code == 200 and resp.data == OPENAPI.read_bytes()
    spec = json.loads(resp.data)
    assert spec["openapi"].startswith("3.1")
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    check = spec["paths"]["/api/v1/suppression/check"]["post"]
    body = check["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert spec["components"]["schemas"][body]["properties"]["identities"]["maxItems"] == 10000
    assert "413" in check["responses"]


def test_linked_calls_keep_the_contract(app: Any, api_key: str) -> None:
    """Stateful: the links of the file (create -> status, create -> cancel) drive calls on
    the ids the app itself returned, so status and cancel are exercised past the 404."""
    headers = {"Authorization": f"Bearer {api_key}"}
    checked = [CHECKS.get_by_names(["not_a_server_error"])[0], *CHECKED]
    schema = schemathesis.openapi.from_wsgi("/opendsr/v2/openapi.json", app)
    machine = schema.include(path_regex="^/opendsr/v2/requests").as_state_machine()
    statuses: set[tuple[str, int]] = set()

    class Linked(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            statuses.add((case.operation.method.upper(), response.status_code))
            case.validate_response(response, checks=checked, transport_kwargs=kwargs)

    Linked.run(
        settings=settings(
            max_examples=15,
            stateful_step_count=6,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
    assert ("GET", 200) in statuses or ("DELETE", 202) in statuses, sorted(statuses)
