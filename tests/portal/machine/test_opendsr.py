"""OpenDSR 2.0 as a controller's system uses it: create, status, cancel, signatures over the
raw bytes, idempotency, and nothing of another controller (docs/api.md)."""

from __future__ import annotations

import base64
import json

from sqlalchemy import select

from rights.models.api import OpenDsrSubmission
from rights.models.audit import AuditEvent
from rights.models.request import Channel, IdentityStatus, RequestState, RightsRequest
from rights.opendsr.signing import verify
from tests.portal.machine.conftest import NOW, body, post


def _certificate(client):
    discovery = client.get("/opendsr/v2/discovery")
    assert discovery.status_code == 200
    url = discovery.get_json()["processor_certificate"]
    assert url == "http://localhost/opendsr/v2/certificate.pem"
    pem = client.get(url.removeprefix("http://localhost"))
    assert pem.status_code == 200 and pem.data.startswith(b"-----BEGIN CERTIFICATE-----")
    return pem.data


def test_create_status_and_cancel_as_a_controller_would(client, db_session, controllers):
    a, _b = controllers
    pem = _certificate(client)
    first = body()
    created = post(client, a, first)
    assert created.status_code == 201, created.data
    assert created.headers["X-OpenDSR-Processor-Domain"] == "localhost"
    assert verify(pem, created.data, created.headers["X-OpenDSR-Signature"])
    data = json.loads(created.data)
    assert data["subject_request_id"] == first["subject_request_id"]
    assert data["controller_id"] == "bakkerij-jansen"
    assert data["received_time"] == "2026-03-05T10:00:00Z"
    assert json.loads(base64.b64decode(data["encoded_request"])) == first
    assert "processor_signature" not in data

    request = db_session.scalar(
        select(RightsRequest).where(RightsRequest.organisation_id == a.org.id)
    )
    assert request.channel is Channel.API and request.state is RequestState.OPEN
    assert request.identity_status is IdentityStatus.VERIFIED
    assert request.instructed_actions == ["erase", "notify"] and request.instructed_by_id is None
    assert request.receipt_date.isoformat() == "2026-03-03"  # from submitted_time
    assert request.requester_email == "kees@example.nl"

    status = client.get(f"/opendsr/v2/requests/{first['subject_request_id']}", headers=a.auth)
    assert status.status_code == 200
    assert verify(pem, status.data, status.headers["X-OpenDSR-Signature"])
    assert status.get_json()["request_status"] == "pending"
    assert status.get_json()["expected_completion_time"] == data["expected_completion_time"]

    other = body()
    assert post(client, a, other).status_code == 201
    cancelled = client.delete(f"/opendsr/v2/requests/{other['subject_request_id']}", headers=a.auth)
    assert cancelled.status_code == 202
    assert verify(pem, cancelled.data, cancelled.headers["X-OpenDSR-Signature"])
    assert set(cancelled.get_json()) >= {"controller_id", "received_time", "subject_request_id"}
    again = client.get(f"/opendsr/v2/requests/{other['subject_request_id']}", headers=a.auth)
    assert again.get_json()["request_status"] == "cancelled"
    # No longer pending: the spec's 400.
    twice = client.delete(f"/opendsr/v2/requests/{other['subject_request_id']}", headers=a.auth)
    assert twice.status_code == 400 and twice.get_json()["error"]["code"] == 400

    actions = set(
        db_session.scalars(select(AuditEvent.action).where(AuditEvent.actor_kind == "api_key"))
    )
    assert {
        "opendsr.submitted",
        "opendsr.status_read",
        "opendsr.cancelled",
        "api.call_refused",
    } <= actions
    assert "kees" not in json.dumps(
        [
            e.data
            for e in db_session.scalars(
                select(AuditEvent).where(AuditEvent.actor_kind == "api_key")
            )
        ]
    )


def test_the_signature_is_over_the_raw_bytes(client, controllers):
    a, _ = controllers
    pem = _certificate(client)
    created = post(client, a, body())
    reserialised = json.dumps(json.loads(created.data), indent=2).encode()
    assert verify(pem, created.data, created.headers["X-OpenDSR-Signature"])
    assert not verify(pem, reserialised, created.headers["X-OpenDSR-Signature"])


def test_the_same_id_and_body_is_the_same_answer_another_body_a_409(
    client, db_session, controllers
):
    a, b = controllers
    first = body()
    one = post(client, a, first)
    # JSON-equal, other bytes: the same response, nothing stored twice.
    two = post(client, a, json.dumps(first, indent=1, sort_keys=True).encode())
    assert two.status_code == 201
    assert {k: v for k, v in one.get_json().items() if k != "encoded_request"} == {
        k: v for k, v in two.get_json().items() if k != "encoded_request"
    }
    assert post(client, a, first).data == one.data  # byte-identical for identical bytes
    changed = post(client, a, {**first, "subject_request_type": "access"})
    assert changed.status_code == 409 and changed.get_json()["error"]["code"] == 409
    # Another controller with the same id: a different request, no 409.
    assert post(client, b, first).status_code == 201
    count = db_session.scalar(
        select(OpenDsrSubmission.id)
        .where(OpenDsrSubmission.subject_request_id == first["subject_request_id"])
        .limit(5)
    )
    assert count is not None
    ids = list(
        db_session.scalars(
            select(OpenDsrSubmission.organisation_id).where(
                OpenDsrSubmission.subject_request_id == first["subject_request_id"]
            )
        )
    )
    assert sorted(ids) == sorted([a.org.id, b.org.id])


def test_another_controllers_id_is_the_same_404_as_an_unknown_one(client, controllers):
    a, b = controllers
    theirs = body()
    assert post(client, b, theirs).status_code == 201
    unknown = "0f0f0f0f-0f0f-4f0f-8f0f-0f0f0f0f0f0f"
    for method in (client.get, client.delete):
        seen = method(f"/opendsr/v2/requests/{theirs['subject_request_id']}", headers=a.auth)
        never = method(f"/opendsr/v2/requests/{unknown}", headers=a.auth)
        assert seen.status_code == never.status_code == 404
        assert seen.data == never.data
        assert seen.headers.get("X-OpenDSR-Signature") is None
    v1 = client.get(f"/opendsr/v1/opengdpr_requests/{theirs['subject_request_id']}", headers=a.auth)
    assert v1.status_code == 404 and v1.data == never.data
    # Nothing else matches an id: not a longer one that starts with it.
    longer = client.get(f"/opendsr/v2/requests/{theirs['subject_request_id']}0", headers=b.auth)
    assert longer.status_code == 404 and longer.data == never.data
    # B still sees its own.
    assert (
        client.get(
            f"/opendsr/v2/requests/{theirs['subject_request_id']}", headers=b.auth
        ).status_code
        == 200
    )


def test_without_a_valid_key_every_call_is_a_json_401(client, controllers):
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        resp = client.post("/opendsr/v2/requests", json=body(), headers=headers)
        assert resp.status_code == 401 and resp.mimetype == "application/json"
        assert resp.get_json()["error"]["code"] == 401
        assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/opendsr/v2/requests/x").status_code == 401


def test_v1_routes_and_header_names(client, controllers):
    a, _ = controllers
    pem = _certificate(client)
    v1_body = body(regulation=None, api_version=None)
    created = post(client, a, v1_body, path="/opendsr/v1/opengdpr_requests")
    assert created.status_code == 201, created.data
    assert created.headers["X-OpenGDPR-Processor-Domain"] == "localhost"
    assert verify(pem, created.data, created.headers["X-OpenGDPR-Signature"])
    assert "X-OpenDSR-Signature" not in created.headers
    sid = v1_body["subject_request_id"]
    status = client.get(f"/opendsr/v1/opengdpr_requests/{sid}", headers=a.auth)
    assert status.status_code == 200 and status.get_json()["api_version"] == "1.0"
    # One store: v2 reads what v1 made.
    assert client.get(f"/opendsr/v2/requests/{sid}", headers=a.auth).status_code == 200
    cancel = client.delete(f"/opendsr/v1/opengdpr_requests/{sid}", headers=a.auth)
    assert cancel.status_code == 202 and "X-OpenGDPR-Signature" in cancel.headers
    discovery = client.get("/opendsr/v1/discovery").get_json()
    assert (
        discovery["api_version"] == "1.0"
        and "erasure" in discovery["supported_subject_request_types"]
    )
    # v2 still requires regulation.
    assert post(client, a, body(regulation=None)).status_code == 400


def test_discovery_says_exactly_what_is_supported(client):
    data = client.get("/opendsr/v2/discovery").get_json()
    assert data["supported_subject_request_types"] == [
        "access",
        "portability",
        "erasure",
        "rectification",
        "restriction",
        "objection",
        "consent_withdrawal",
    ]
    assert {i["identity_format"] for i in data["supported_identities"]} == {"raw"}
    assert {"email", "phone_number", "controller_customer_id"} <= {
        i["identity_type"] for i in data["supported_identities"]
    }
    assert "automated_decision" not in data["supported_subject_request_types"]


def test_no_time_before_now_is_checked_against_the_frozen_clock(client, controllers):
    a, _ = controllers
    assert NOW.year == 2026
    late = post(client, a, body(submitted_time="2026-03-05T10:00:01Z"))
    assert late.status_code == 400
    assert late.get_json()["error"]["errors"][0]["field"] == "submitted_time"
    edge = post(client, a, body(submitted_time="2026-03-05T11:00:00+01:00"))  # == now
    assert edge.status_code == 201
