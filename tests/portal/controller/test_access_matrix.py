"""The controller portal's access matrix (issue 12): every rule of ``app.url_map`` under
``/controller``, including routes other modules add later, filled with another
controller's objects, is a 404 for a controller's contact, in paths, query strings and
posted forms; lists never show another controller's things; an officer never gets in; a
contact who is not designated reads but never decides."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask, url_for
from sqlalchemy import func, select

from rights.models.audit import AuditEvent
from rights.models.controller import ControllerDecision
from rights.models.incident import IncidentController, IncidentUpdate
from rights.models.org import Role
from rights.models.request import RequestState
from tests.helpers import csrf_token

METHODS = ("GET", "POST")


def controller_rules(app: Flask) -> list[Any]:
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/controller")]
    assert len(rules) >= 6, "the controller portal's routes are not registered"
    return sorted(rules, key=lambda r: r.rule)


def path_of(app: Flask, rule: Any, ids: dict[str, Any]) -> str:
    unknown = set(rule.arguments) - set(ids)
    assert not unknown, f"{rule.rule}: map the path parameter(s) {sorted(unknown)} in this test"
    with app.test_request_context():
        return url_for(rule.endpoint, **{name: ids[name] for name in rule.arguments})


def form_for(token: str, ids: dict[str, Any]) -> dict[str, Any]:
    """A plausible decision form carrying the other side's ids in every id-like field."""
    return {
        "csrf_token": token,
        "decision": "approve",
        "reason": "as instructed",
        **ids,
        "id": ids["action_id"],
        "request": ids["reference"],
        "file": ids["file_id"],
        "package": ids["package_id"],
    }


def hit(client: Any, method: str, path: str, token: str, ids: dict[str, Any]) -> Any:
    url = f"{path}?{urlencode(ids)}"
    if method == "GET":
        return client.get(url)
    return client.post(url, data=form_for(token, ids))


def count(db_session: Any, model: Any, *where: Any) -> int:
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_every_controller_route_is_404_for_another_controllers_objects(
    app, client, login, world, db_session
):
    a, b = world.a, world.b
    login(a.contact)
    token = csrf_token(client.get("/controller/"))
    b_ids, mixed = b.ids(), {**b.ids(), "reference": a.request.reference}
    events_before = count(db_session, AuditEvent, AuditEvent.request_id == b.request.id)
    checked = 0
    for rule in controller_rules(app):
        if not rule.arguments:
            continue  # the lists: below
        for ids in (b_ids, mixed) if len(rule.arguments) > 1 else (b_ids,):
            path = path_of(app, rule, ids)
            for method in METHODS:
                if method not in rule.methods:
                    assert hit(client, method, path, token, ids).status_code in (404, 405)
                    continue
                resp = hit(client, method, path, token, ids)
                assert resp.status_code == 404, (method, path, resp.status_code)
                checked += 1
    assert checked >= 6
    assert count(db_session, ControllerDecision) == 0
    assert count(db_session, AuditEvent, AuditEvent.request_id == b.request.id) == events_before
    # Nothing of B's incident was acknowledged, asked or viewed by A.
    assert count(db_session, IncidentUpdate) == 0
    assert (
        count(db_session, IncidentController, IncidentController.acknowledged_at.is_not(None)) == 0
    )
    assert count(
        db_session, AuditEvent, AuditEvent.object_type == "incident",
        AuditEvent.object_id == b.incident.id,
    ) == 0  # fmt: skip
    db_session.refresh(b.request)
    assert b.request.state is RequestState.FORWARDED and not b.request.controller_answers


def test_lists_never_show_another_controllers_things(app, client, login, world):
    a, b = world.a, world.b
    login(a.contact)
    token = csrf_token(client.get("/controller/"))
    secrets = (
        b.request.reference, b.source.name, b.upload.filename, b.contact.name, b.org.name,
        b.incident.reference, b.incident.title,
    )  # fmt: skip
    for rule in controller_rules(app):
        if rule.arguments or "GET" not in rule.methods:
            continue
        resp = hit(client, "GET", path_of(app, rule, {}), token, b.ids())
        # The language switch echoes the page's own query string back; that is not data.
        html = re.sub(r'href="/lang/[^"]*"', "", resp.get_data(as_text=True))
        # The end-of-contract certificate exists only once A's contract ended (404 before).
        expected = 404 if "contract-end" in rule.rule else 200
        assert resp.status_code == expected, rule.rule
        assert not [s for s in secrets if s in html], rule.rule
    assert a.request.reference in client.get("/controller/").get_data(as_text=True)


def test_own_objects_are_reachable(app, client, login, world):
    a = world.a
    login(a.contact)
    token = csrf_token(client.get("/controller/"))
    for rule in controller_rules(app):
        if not rule.arguments:
            continue
        if "/certificates/" in rule.rule:
            continue  # A's action is only prepared; test_certificates.py opens executed ones
        path = path_of(app, rule, a.ids())
        if "GET" in rule.methods:
            assert client.get(path).status_code in (200, 302), path
        if "POST" in rule.methods:
            resp = client.post(path, data=form_for(token, a.ids()))
            assert resp.status_code != 404 and resp.status_code < 500, (path, resp.status_code)


def test_unverified_requests_are_not_shown(client, login, world, db_session, make_request):
    a = world.a
    waiting = make_request(organisation_id=a.org.id)  # web form: e-mail not confirmed yet
    closed = make_request(organisation_id=a.org.id)
    closed.state = RequestState.CLOSED_UNVERIFIED
    db_session.commit()
    login(a.contact)
    html = client.get("/controller/").get_data(as_text=True)
    assert a.request.reference in html
    assert waiting.reference not in html and closed.reference not in html
    for hidden in (waiting, closed):
        assert client.get(f"/controller/requests/{hidden.reference}").status_code == 404


def test_a_contact_who_is_not_designated_reads_but_never_decides(
    app, client, login, world, db_session, make_user
):
    a = world.a
    reader = make_user(Role.CONTROLLER, organisation=a.org, name="Lezer Alfa")
    login(reader)
    page = client.get(f"/controller/requests/{a.request.reference}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert a.contact.name in html  # who may decide, by name
    assert 'name="decision"' not in html  # no forms
    token = csrf_token(page)
    posts = [r for r in controller_rules(app) if "POST" in r.methods and "reference" in r.arguments]
    assert len(posts) >= 4
    for rule in posts:
        for decision in ("approve", "reject", "ask_identity", "answer_ourselves", "refuse"):
            data = {**form_for(token, a.ids()), "decision": decision, "ground": "art_12_5"}
            resp = client.post(path_of(app, rule, a.ids()), data=data)
            assert resp.status_code in (403, 404), (rule.rule, decision, resp.status_code)
    assert count(db_session, ControllerDecision) == 0
    db_session.refresh(a.request)
    assert a.request.state is RequestState.FORWARDED and not a.request.controller_answers


@pytest.mark.parametrize("role", [Role.OFFICER, Role.ADMIN])
def test_staff_cannot_reach_the_controller_portal(app, client, login, world, make_user, role):
    login(make_user(role))
    assert client.get("/controller/").status_code == 404
    token = csrf_token(client.get("/staff/"))
    for rule in controller_rules(app):
        path = path_of(app, rule, world.a.ids())
        for method in METHODS:
            if method in rule.methods:
                resp = hit(client, method, path, token, world.a.ids())
                assert resp.status_code == 404, (method, path)
