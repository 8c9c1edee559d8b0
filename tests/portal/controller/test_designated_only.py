"""Only designated contacts act for their organisation (docs/controllers.md, "Deciding"): a
contact of the organisation who is not designated gets the portal's 403 page with the reason
in words, in Dutch and English, for the GET and the POST of every page only designated
contacts use, and nothing is stored. Every POST route under ``/controller``, including
routes added later, is checked, except those every contact may use."""

from __future__ import annotations

import io
from typing import Any

import pytest

from rights.models.audit import AuditEvent
from rights.models.controller import ControllerDecision
from rights.models.incident import IncidentController
from rights.models.org import Role
from rights.models.request import RightsRequest
from rights.models.source import DataFileUpload, DataRecord, SourceAction
from tests.helpers import csrf_token
from tests.portal.controller.test_access_matrix import controller_rules, count, form_for, path_of

# Any contact of the organisation may ask about an incident and download a released package.
EVERY_CONTACT = {"controller.incident_ask", "delivery_controller.download"}
SENTENCE = {
    "nl": "Alleen de aangewezen contactpersonen van uw organisatie mogen dit doen.",
    "en": "Only the designated contacts of your organisation may do this.",
}
TITLE = {"nl": "Geen toegang", "en": "No access"}
STORED = (AuditEvent, DataFileUpload, DataRecord, RightsRequest, ControllerDecision, SourceAction)

CSV = b"E-mail;Naam\nnieuw@example.nl;Nieuw\n"


def _stored(db_session: Any) -> dict[str, int]:
    rows = {model.__name__: count(db_session, model) for model in STORED}
    rows["acknowledged"] = count(
        db_session, IncidentController, IncidentController.acknowledged_at.is_not(None)
    )
    return rows


def _form(token: str, side: Any) -> dict[str, Any]:
    """A form every designated-only page would accept from a designated contact."""
    return {
        **form_for(token, side.ids()),
        "source": str(side.source.id),
        "confirm": "yes",
        "right": "erasure",
        "name": "Kees Visser",
        "email": "kees@example.nl",
        "received_date": "2026-03-02",
        "channel": "post",
        "actions": ["erase"],
        "file": (io.BytesIO(CSV), "nieuw.csv"),
    }


@pytest.fixture
def reader(client: Any, login: Any, world: Any, make_user: Any) -> Any:
    """A contact of A who is not designated, logged in."""
    user = make_user(Role.CONTROLLER, organisation=world.a.org, name="Lezer Alfa")
    login(user)
    return user


def test_every_designated_only_route_is_a_403_in_words_for_a_reader(
    app, client, world, reader, db_session
):
    a = world.a
    token = csrf_token(client.get("/controller/"))
    before = _stored(db_session)
    refused = []
    for rule in controller_rules(app):
        if "POST" not in rule.methods or rule.endpoint in EVERY_CONTACT:
            continue
        resp = client.post(
            path_of(app, rule, a.ids()), data=_form(token, a), content_type="multipart/form-data"
        )
        html = resp.get_data(as_text=True)
        assert resp.status_code == 403, (rule.rule, resp.status_code)
        assert "aangewezen contactperso" in html, rule.rule  # the reason, in words
        refused.append(rule.endpoint)
    form = client.get("/controller/instructions/new")
    assert form.status_code == 403 and SENTENCE["nl"] in form.get_data(as_text=True)
    assert {"controller.files_upload", "controller.file_delete"} <= set(refused)
    assert {"controller.instruction_create", "controller.incident_acknowledge"} <= set(refused)
    assert _stored(db_session) == before


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/controller/instructions/new"),
        ("POST", "/controller/instructions/new"),
        ("POST", "/controller/files/upload"),
        ("POST", "/controller/files/{file_id}/delete"),
    ],
)
def test_a_reader_is_refused_with_the_403_page_in_their_language(
    client, world, reader, db_session, language, method, path
):
    client.get(f"/lang/{language}")
    token = csrf_token(client.get("/controller/files/"))
    before = _stored(db_session)
    url = path.format(file_id=world.a.upload.id)
    if method == "GET":
        resp = client.get(url)
    else:
        resp = client.post(url, data=_form(token, world.a), content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 403
    assert SENTENCE[language] in html and f"<h1>{TITLE[language]}</h1>" in html
    assert 'name="received_date"' not in html and 'name="file"' not in html  # no form
    assert _stored(db_session) == before
    assert db_session.get(DataFileUpload, world.a.upload.id) is not None


def test_only_a_designated_contact_is_offered_the_instruction_form(client, login, world, make_user):
    reader = make_user(Role.CONTROLLER, organisation=world.a.org, name="Lezer Alfa")
    login(reader)
    assert 'href="/controller/instructions/new"' not in client.get("/controller/").get_data(
        as_text=True
    )
    login(world.a.contact)
    assert 'href="/controller/instructions/new"' in client.get("/controller/").get_data(
        as_text=True
    )
    form = client.get("/controller/instructions/new")
    assert form.status_code == 200 and 'name="received_date"' in form.get_data(as_text=True)
