"""An action carried out on the controller's instruction names who gave it, in the audit
event and in the case page's timeline: the contact who filed it, or the controller's system
through the API (the key's prefix, never the key)."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import select

from operations import opendsr
from operations.certificates import action_json, render_html
from rights.actions import execute_action, prepare_action
from rights.audit import SYSTEM
from rights.controllers.certificates import action_certificate
from rights.models.audit import AuditEvent
from rights.models.request import RightsRequest
from rights.models.source import ActionKind
from rights.opendsr.keys import create_key
from tests.helpers import ops_context
from tests.rights.controllers.conftest import confirm_all
from tests.rights.sources.conftest import KEY


def _executed(session, request, world, now):
    officer = world.actor(world.officer)
    erase = prepare_action(session, request, world.source, ActionKind.ERASE, actor=officer,
                           now=now, key=KEY)  # fmt: skip
    execute_action(session, erase, actor=world.actor(world.second_officer), now=now, key=KEY)
    session.commit()
    return session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "source_action.executed", AuditEvent.object_id == erase.id
        )
    ).one()


def _timeline(client, login, world, request):
    login(world.officer)
    return client.get(f"/staff/requests/{request.reference}").get_data(as_text=True)


def test_a_contacts_instruction_names_the_contact(client, login, db_session, world, now):
    """The complaint: "the case history says the erasure was carried out, but not on whose
    instruction"."""
    world.request.instructed_by_id = world.contact.id
    world.request.instructed_actions = ["erase"]
    event = _executed(db_session, world.request, world, now)
    assert event.data["instructed_via"] == "contact"
    assert event.data["instructed_by"] == world.contact.id
    assert event.data["instructed_organisation_id"] == world.controller.id
    assert event.data["approval_id"] is None and event.data["api_key_prefix"] is None
    html = _timeline(client, login, world, world.request)
    assert f"op instructie van {world.contact.name}, contactpersoon van de" in html


def test_an_api_instruction_names_the_key_prefix(app, client, login, db_session, world, now):
    made = create_key(db_session, world.controller, actor=SYSTEM, now=now)
    body = {
        "regulation": "gdpr",
        "subject_request_id": str(uuid.uuid4()),
        "subject_request_type": "erasure",
        "subject_identities": [{"identity_type": "email", "identity_value": "kees@example.nl"}],
        "submitted_time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    ctx = ops_context(app, db_session, now=now)
    opendsr.submit(ctx, made.key, body, json.dumps(body).encode(), version="2.0")
    db_session.commit()
    request = db_session.scalars(
        select(RightsRequest).where(RightsRequest.instructed_actions.is_not(None))
    ).one()
    confirm_all(db_session, request, world.actor(world.officer), now)
    event = _executed(db_session, request, world, now)
    prefix = made.key.prefix
    assert event.data["instructed_via"] == "api" and event.data["instructed_by"] is None
    assert event.data["api_key_prefix"] == prefix and made.secret not in json.dumps(event.data)
    html = _timeline(client, login, world, request)
    assert f"via de API stuurde (sleutel {prefix})" in html
    client.get("/lang/en")
    english = client.get(f"/staff/requests/{request.reference}").get_data(as_text=True)
    assert f"through the API (key {prefix})" in english


def test_the_certificate_of_an_api_instructed_erasure_names_the_controllers_system(
    app, db_session, world, now
):
    """The complaint: "the certificate of the erasure our CRM asked for says 'approved by:
    unknown'"."""
    made = create_key(db_session, world.controller, actor=SYSTEM, now=now, label="CRM")
    body = {
        "regulation": "gdpr",
        "subject_request_id": str(uuid.uuid4()),
        "subject_request_type": "erasure",
        "subject_identities": [{"identity_type": "email", "identity_value": "kees@example.nl"}],
        "submitted_time": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    ctx = ops_context(app, db_session, now=now)
    opendsr.submit(ctx, made.key, body, json.dumps(body).encode(), version="2.0")
    db_session.commit()
    request = db_session.scalars(
        select(RightsRequest).where(RightsRequest.instructed_actions.is_not(None))
    ).one()
    confirm_all(db_session, request, world.actor(world.officer), now)
    event = _executed(db_session, request, world, now)
    cert = action_certificate(db_session, world.controller.id, event.object_id)
    prefix = made.key.prefix
    for language, words in (
        ("nl", f"Het systeem van Bakkerij Zoet, met zijn API-sleutel “CRM” ({prefix}…)"),
        ("en", f"The system of Bakkerij Zoet, with its API key “CRM” ({prefix}…)"),
    ):
        texts = ctx.in_language(language).texts()
        data = action_json(cert, texts)
        assert data["approved_by"] == words and data["approval"] == "instruction"
        assert data["instruction"] == {"via": "api", "api_key": {"label": "CRM", "prefix": prefix}}
        html = render_html(ctx.in_language(language), data, cert)
        assert words in html and ("Opdracht gegeven door" in html or "Instructed by" in html)
        assert made.secret not in json.dumps(data) and made.secret not in html
