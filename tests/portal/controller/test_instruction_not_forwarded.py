"""A controller's own instruction is its approval: with automatic forwarding on, an
instruction sent by its system over the API, or filed by its contact, is not forwarded back
to its contacts for approval; that is recorded (audit, the timeline in words), and an
officer's forward of it is refused in words (docs/controllers.md, "Instructions")."""

from __future__ import annotations

import json
import re
import uuid

from sqlalchemy import select

from operations import forwarding, opendsr
from rights.audit import SYSTEM
from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.request import Channel, RequestState, RightsRequest
from rights.opendsr.keys import create_key
from rights.requests import Requester
from tests.helpers import csrf_token, ops_context
from tests.portal.controller.results_world import build, freeze

NOTED = "request.instruction_is_approval"


def _world(app, db_session, make_org, make_user, make_request, now):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    world.a.org.auto_forward = True
    db_session.commit()
    return world


def _forward_mails(db_session, world):
    return db_session.scalars(
        select(OutboxMail).where(
            OutboxMail.template == "forward", OutboxMail.to_addr == world.a.contact.email
        )
    ).all()


def _timeline(client, login, world, request):
    login(world.officer)
    return client.get(f"/staff/requests/{request.reference}").get_data(as_text=True)


def test_an_api_instruction_is_not_forwarded_back_to_the_controller(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    """The complaint: "our CRM sent the erasure and then we were asked to approve it"."""
    world = _world(app, db_session, make_org, make_user, make_request, now)
    made = create_key(db_session, world.a.org, actor=SYSTEM, now=now)
    body = {
        "regulation": "gdpr", "subject_request_id": str(uuid.uuid4()),
        "subject_request_type": "erasure", "submitted_time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "subject_identities": [{"identity_type": "email", "identity_value": "kees@example.nl"}],
    }  # fmt: skip
    ctx = ops_context(app, db_session, now=now)
    opendsr.submit(ctx, made.key, body, json.dumps(body).encode(), version="2.0")
    db_session.commit()
    request = db_session.scalars(
        select(RightsRequest).where(RightsRequest.instructed_actions.is_not(None))
    ).one()
    assert request.state is RequestState.OPEN and request.forwarded_at is None
    assert _forward_mails(db_session, world) == []
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == NOTED)).one()
    assert event.request_id == request.id and event.data["instructed_via"] == "api"
    assert event.data["api_key_prefix"] == made.key.prefix
    assert event.data["actions"] == ["erase", "notify"]
    html = _timeline(client, login, world, request)
    assert "Niet teruggestuurd naar de verwerkingsverantwoordelijke" in html

    refusal = "De verwerkingsverantwoordelijke gaf deze instructie zelf"
    assert refusal in html and f"/staff/requests/{request.reference}/forward" not in html
    page = client.get(f"/staff/requests/{request.reference}")
    version = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True)).group(1)
    resp = client.post(
        f"/staff/requests/{request.reference}/forward",
        data={"csrf_token": csrf_token(page), "version": version, "confirm": "yes"},
    )
    assert resp.status_code == 422 and refusal in resp.get_data(as_text=True)
    db_session.refresh(request)
    assert request.state is RequestState.OPEN


def test_a_contacts_instruction_is_not_forwarded_back_and_other_requests_still_are(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    world = _world(app, db_session, make_org, make_user, make_request, now)
    login(world.a.contact)
    token = csrf_token(client.get("/controller/instructions/new"))
    resp = client.post(
        "/controller/instructions/new",
        data={
            "csrf_token": token, "right": "erasure", "name": "Kees Visser",
            "email": "kees@example.nl", "received_date": "2026-03-02", "channel": "post",
            "actions": ["erase"],
        },
    )  # fmt: skip
    assert resp.status_code == 303
    request = db_session.scalar(
        select(RightsRequest).where(RightsRequest.instructed_by_id == world.a.contact.id)
    )
    assert request.state is RequestState.OPEN and _forward_mails(db_session, world) == []
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == NOTED)).one()
    assert event.data["instructed_via"] == "contact"
    assert event.data["instructed_by"] == world.a.contact.id
    client.get("/lang/en")
    english = _timeline(client, login, world, request)
    assert "Not forwarded back to the controller: its own instruction is its approval" in english

    # A request of that controller that is not its instruction still goes to it at once.
    other = make_request(
        requester=Requester(name="Eva de Boer", email="eva@example.nl"),
        organisation_id=world.a.org.id,
        channel=Channel.EMAIL,  # registered by staff: open at once
    )
    assert forwarding.after_verification(ops_context(app, db_session, now=now), [other]) == 1
    assert other.state is RequestState.FORWARDED
