"""Every refusal of a create body: 400 with the OpenDSR error body, the field named, nothing
stored (docs/api.md, "Endpoints")."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from rights.models.api import OpenDsrSubmission
from rights.models.request import RightsRequest
from tests.portal.machine.conftest import NOW, body, post

DOMAIN = "localhost"
EMAIL = [{"identity_type": "email", "identity_value": "kees@example.nl"}]

CASES = [
    ({"regulation": None}, "regulation", "required"),
    ({"regulation": "ccpa"}, "regulation", "unsupported"),
    ({"subject_request_id": None}, "subject_request_id", "required"),
    ({"subject_request_id": "not-a-uuid"}, "subject_request_id", "invalid"),
    (
        {"subject_request_id": "A1B2C3D4-0000-4000-8000-000000000000"},
        "subject_request_id",
        "invalid",
    ),
    ({"subject_request_type": None}, "subject_request_type", "required"),
    ({"subject_request_type": "automated_decision"}, "subject_request_type", "unsupported"),
    ({"subject_request_type": "restriction"}, f"extensions.{DOMAIN}", "required"),
    ({"subject_identities": None}, "subject_identities", "required"),
    ({"subject_identities": []}, "subject_identities", "required"),
    ({"subject_identities": ["x"]}, "subject_identities[0]", "invalid"),
    (
        {"subject_identities": [{"identity_type": "ios_advertising_id", "identity_value": "x"}]},
        "subject_identities[0].identity_type",
        "unsupported",
    ),
    (
        {"subject_identities": [{**EMAIL[0], "identity_format": "sha256"}]},
        "subject_identities[0].identity_format",
        "unsupported",
    ),
    (
        {"subject_identities": [{"identity_type": "email", "identity_value": "no-address"}]},
        "subject_identities[0].identity_value",
        "invalid",
    ),
    (
        {"subject_identities": [{"identity_type": "phone_number", "identity_value": "12"}]},
        "subject_identities[0].identity_value",
        "invalid",
    ),
    (
        {"subject_identities": [{"identity_type": "name", "identity_value": "Kees Visser"}]},
        "subject_identities",
        "required",
    ),
    (
        {
            "subject_identities": [
                *EMAIL,
                {"identity_type": "email", "identity_value": "k@example.nl"},
            ]
        },
        "subject_identities[1]",
        "duplicate",
    ),
    ({"subject_identities": EMAIL * 11}, "subject_identities", "too_many"),
    ({"submitted_time": None}, "submitted_time", "required"),
    ({"submitted_time": "yesterday"}, "submitted_time", "invalid"),
    ({"submitted_time": "2026-03-04T10:00:00"}, "submitted_time", "invalid"),  # no offset
    ({"submitted_time": "2026-03-05T10:00:01Z"}, "submitted_time", "in_future"),
    ({"submitted_time": "2025-12-04T09:59:59Z"}, "submitted_time", "too_old"),
    ({"status_callback_urls": "https://hooks.example.com/x"}, "status_callback_urls", "invalid"),
    (
        {"status_callback_urls": ["https://evil.example.org/cb"]},
        "status_callback_urls[0]",
        "not_allowed",
    ),
    (
        {"status_callback_urls": ["http://hooks.example.com/cb"]},
        "status_callback_urls[0]",
        "not_allowed",
    ),
    ({"status_callback_urls": ["https://10.0.0.1/cb"]}, "status_callback_urls[0]", "not_allowed"),
    ({"extensions": []}, "extensions", "invalid"),
    ({"extensions": {DOMAIN: "x"}}, f"extensions.{DOMAIN}", "invalid"),
    ({"extensions": {DOMAIN: {"language": "de"}}}, f"extensions.{DOMAIN}.language", "invalid"),
    ({"api_version": 2}, "api_version", "invalid"),
    (
        {"subject_request_type": "restriction", "extensions": {DOMAIN: {"ground": "18(2)"}}},
        f"extensions.{DOMAIN}.ground",
        "invalid",
    ),
    (
        {
            "subject_request_type": "objection",
            "extensions": {DOMAIN: {"paragraph": "21(1)", "purposes": ["profiling"]}},
        },
        f"extensions.{DOMAIN}.grounds",
        "invalid",
    ),
    (
        {
            "subject_request_type": "rectification",
            "extensions": {DOMAIN: {"rectifications": [{"field": "name"}]}},
        },
        f"extensions.{DOMAIN}.rectifications[0].requested",
        "invalid",
    ),
    (
        {
            "subject_request_type": "consent_withdrawal",
            "extensions": {DOMAIN: {"gdpr_article": "6", "purposes": ["newsletter"]}},
        },
        f"extensions.{DOMAIN}.gdpr_article",
        "invalid",
    ),
    (
        {"subject_request_type": "erasure", "extensions": {DOMAIN: {"ground": "17(3)"}}},
        f"extensions.{DOMAIN}.ground",
        "invalid",
    ),
    # JSON values that are not texts where a text is looked up (a list cannot be a dict key):
    # each is a 400 naming the field, not a server error.
    ({"subject_request_type": ["erasure"]}, "subject_request_type", "unsupported"),
    ({"subject_request_type": {"erasure": 1}}, "subject_request_type", "unsupported"),
    (
        {"subject_request_type": "erasure", "extensions": {DOMAIN: {"ground": ["17(1)(a)"]}}},
        f"extensions.{DOMAIN}.ground",
        "invalid",
    ),
    (
        {"subject_request_type": "restriction", "extensions": {DOMAIN: {"ground": {"a": 1}}}},
        f"extensions.{DOMAIN}.ground",
        "invalid",
    ),
]


@pytest.mark.parametrize(("change", "field", "reason"), CASES)
def test_each_invalid_field_is_a_400_naming_it(
    client, db_session, controllers, change, field, reason
):
    a, _ = controllers
    resp = post(client, a, body(**change))
    assert resp.status_code == 400, resp.data
    assert resp.mimetype == "application/json"
    error = resp.get_json()["error"]
    assert error["code"] == 400 and error["message"]
    assert {"field": field, "reason": reason} in [
        {"field": e["field"], "reason": e["reason"]} for e in error["errors"]
    ], error
    assert all(e["domain"] == "Validation" for e in error["errors"])
    assert db_session.scalar(select(func.count()).select_from(OpenDsrSubmission)) == 0
    assert db_session.scalar(select(func.count()).select_from(RightsRequest)) == 0


@pytest.mark.parametrize(
    "raw", [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b"[" * 5000 + b"]" * 5000]
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, controllers, raw):
    a, _ = controllers
    resp = post(client, a, raw)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == 400


def test_several_problems_are_all_listed(client, controllers):
    a, _ = controllers
    resp = post(client, a, {"regulation": "gdpr"})
    fields = {e["field"] for e in resp.get_json()["error"]["errors"]}
    assert {
        "subject_request_id",
        "subject_request_type",
        "subject_identities",
        "submitted_time",
    } <= fields
    assert resp.get_json()["error"]["message"] == "subject_request_id field is required"


def test_the_oldest_accepted_submitted_time_is_configurable(app, client, controllers):
    a, _ = controllers
    app.config["OPENDSR_MAX_AGE_DAYS"] = 3
    assert post(client, a, body(submitted_time="2026-03-01T10:00:00Z")).status_code == 400
    assert post(client, a, body(submitted_time="2026-03-02T10:00:00Z")).status_code == 201
    app.config["OPENDSR_MAX_AGE_DAYS"] = 90
    assert post(client, a, body(submitted_time="2025-12-05T10:00:00Z")).status_code == 201


def test_a_callback_url_on_the_allow_list_is_kept(client, db_session, controllers):
    a, _ = controllers
    urls = ["https://hooks.example.com/opendsr", "http://127.0.0.1:9/cb"]  # loopback: test config
    payload = body(status_callback_urls=urls)
    assert post(client, a, payload).status_code == 201
    submission = db_session.scalar(select(OpenDsrSubmission))
    assert submission.status_callback_urls == urls


def test_loopback_http_is_refused_outside_development_and_test(app, client, controllers):
    a, _ = controllers
    app.config["OPENDSR_ALLOW_LOOPBACK_CALLBACKS"] = False
    resp = post(client, a, body(status_callback_urls=["http://127.0.0.1:9/cb"]))
    assert resp.status_code == 400


def test_the_gdpr_only_types_carry_their_details(client, db_session, controllers):
    a, _ = controllers
    cases = {
        "rectification": {
            "gdpr_article": "16",
            "rectifications": [
                {
                    "field": "postal_address",
                    "current": "Dorpsstraat 1",
                    "requested": "Dorpsstraat 10",
                }
            ],
        },
        "restriction": {"gdpr_article": "18", "ground": "18(1)(a)", "scope": ["mailings"]},
        "objection": {"gdpr_article": "21", "paragraph": "21(2)", "purposes": ["direct_marketing"]},
        "consent_withdrawal": {"gdpr_article": "7(3)", "purposes": ["newsletter"]},
    }
    for kind, details in cases.items():
        resp = post(client, a, body(subject_request_type=kind, extensions={DOMAIN: details}))
        assert resp.status_code == 201, (kind, resp.data)
    rows = {r.right.value: r for r in db_session.scalars(select(RightsRequest))}
    assert rows["rectification"].details["correct_value"] == "Dorpsstraat 10"
    assert rows["restriction"].details["ground"] == "a"
    assert rows["objection"].details["basis"] == "direct_marketing"
    assert rows["objection"].instructed_actions == ["suppress"]
    assert rows["withdraw_consent"].details["which_consent"] == "newsletter"
    assert NOW.tzinfo is not None


def test_a_nul_character_is_refused_but_the_text_backslash_u0000_is_not(
    client, db_session, controllers
):
    """JSON's \\u0000 is a NUL (PostgreSQL text cannot hold it): a 400, nothing stored. A name
    that holds the six characters backslash, u, 0, 0, 0, 0 is text like any other (the check
    looked for that sequence in the re-encoded body, and refused it too)."""
    a, _ = controllers
    nul = [*EMAIL, {"identity_type": "name", "identity_value": "Kees\x00Visser"}]
    resp = post(client, a, body(subject_identities=nul))
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == 400
    assert db_session.scalar(select(func.count()).select_from(OpenDsrSubmission)) == 0
    text = [*EMAIL, {"identity_type": "name", "identity_value": "Kees \\u0000 Visser"}]
    resp = post(client, a, body(subject_identities=text))
    assert resp.status_code == 201, resp.get_json()
    assert db_session.scalar(select(RightsRequest.requester_name)) == "Kees \\u0000 Visser"
