"""``POST /api/v1/suppression/check`` (docs/api.md, "Suppression check"): the calling
controller's list only, in the request's order, restricted people flagged, every refusal in
the JSON error body, audited with counts, limited per key."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.context import context_for
from rights.audit import SYSTEM
from rights.identifiers import identifier_hash, normalise_email, normalise_phone
from rights.models.audit import AuditEvent
from rights.models.request import Channel
from rights.models.source import ActionKind, ActionStatus, SourceAction, SuppressionEntry
from rights.opendsr.keys import create_key
from rights.requests import Requester
from rights.righttypes import RestrictionDetails

URL = "/api/v1/suppression/check"
NOW = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)


def _key(db_session, org):
    issued = create_key(db_session, org, actor=SYSTEM, now=NOW)
    db_session.commit()
    return issued.secret


def _hash_key(app, db_session):
    return context_for(app, db_session).identifier_hash_key()


def _suppress(app, db_session, org, kind, value):
    normalised = normalise_email(value) if kind == "email" else normalise_phone(value)
    db_session.add(
        SuppressionEntry(
            organisation_id=org.id,
            identifier_hash=identifier_hash(_hash_key(app, db_session), kind, normalised),
            reason="objection",
            created_at=NOW,
        )
    )
    db_session.commit()


def _restrict(db_session, make_request, org, email):
    request = make_request(
        RestrictionDetails(ground="a"), received_at=NOW, channel=Channel.EMAIL,
        organisation_id=org.id, requester=Requester(name="P. Smit", email=email),
    )  # fmt: skip
    db_session.add(
        SourceAction(request_id=request.id, kind=ActionKind.RESTRICT,
                     status=ActionStatus.EXECUTED, prepared_at=NOW, executed_at=NOW)
    )  # fmt: skip
    db_session.commit()


def _post(client, secret, body, raw=None):
    return client.post(
        URL,
        data=raw if raw is not None else json.dumps(body),
        headers={"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
    )


def _ids(*pairs):
    return {"identities": [{"identity_type": t, "identity_value": v} for t, v in pairs]}


def test_suppressed_and_restricted_in_the_request_order(
    app, client, db_session, make_org, make_request
):
    org, other = make_org(slug="bakkerij"), make_org(slug="sportclub")
    _suppress(app, db_session, org, "email", "eva@example.nl")
    _suppress(app, db_session, org, "phone", "06 12345678")
    _suppress(app, db_session, other, "email", "jan@example.nl")  # another controller's list
    _restrict(db_session, make_request, org, "p.smit@example.nl")
    secret = _key(db_session, org)
    pairs = [
        ("email", "jan@example.nl"),
        ("email", " EVA@Example.nl "),
        ("phone_number", "+31612345678"),
        ("email", "P.Smit@example.nl"),
        ("email", "not an address"),
    ]
    resp = _post(client, secret, _ids(*pairs))
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    results = resp.get_json()["results"]
    assert [(r["identity_type"], r["identity_value"]) for r in results] == pairs
    assert [(r["suppressed"], r["restricted"]) for r in results] == [
        (False, False),
        (True, False),
        (True, False),
        (False, True),
        (False, False),
    ]
    assert set(resp.get_json()) == {"results"}
    assert all(set(r) == {"identity_type", "identity_value", "suppressed", "restricted"}
               for r in results)  # fmt: skip
    # The other controller asks about the same addresses: only its own list counts.
    theirs = _post(client, _key(db_session, other), _ids(*pairs)).get_json()["results"]
    assert [(r["suppressed"], r["restricted"]) for r in theirs][:2] == [
        (True, False),
        (False, False),
    ]
    db_session.expire_all()
    events = list(db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api.suppression_checked")
    ))  # fmt: skip
    assert events[0].data == {"identities": 5, "suppressed": 2, "restricted": 1}
    assert events[0].actor_kind == "api_key"
    assert "eva" not in json.dumps([e.data for e in events])


def test_no_key_or_a_wrong_key_is_401_json(client, db_session, make_org):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic x"}):
        resp = client.post(URL, json=_ids(("email", "a@b.nl")), headers=headers)
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == 401
    assert _audited(db_session) == 0  # no key, no actor: a refusal before the call


ITEM = '{"identities": [{"identity_type": "email", "identity_value": "a@b.nl"}, %s]}'
BAD_BODIES = [
    # (body, field, reason, the English message)
    ("not json", "", "invalid", "the body must be JSON in UTF-8"),
    (b'{"identities": ["\xff"]}', "", "invalid", "the body must be JSON in UTF-8"),
    ("[" * 5000 + "]" * 5000, "", "invalid", "the body must be JSON in UTF-8"),
    ("[]", "", "invalid", "the body must be a JSON object"),
    ("{}", "identities", "required", "identities must be a list"),
    ('{"identities": {}}', "identities", "invalid", "identities must be a list"),
    (ITEM % "1", "identities[1]", "invalid", "identities[1] must be an object"),
    (
        ITEM % '{"identity_type": "ios_id", "identity_value": "x"}',
        "identities[1].identity_type",
        "unsupported",
        "identities[1].identity_type must be one of email, phone_number",
    ),
    (
        ITEM % '{"identity_type": ["email"], "identity_value": "a@b.nl"}',
        "identities[1].identity_type",
        "invalid",
        "identities[1].identity_type must be one of email, phone_number",
    ),
    (
        ITEM % '{"identity_value": "a@b.nl"}',
        "identities[1].identity_type",
        "required",
        "identities[1].identity_type must be one of email, phone_number",
    ),
    (
        ITEM % '{"identity_type": "email", "identity_value": ""}',
        "identities[1].identity_value",
        "required",
        "identities[1].identity_value must be a text of 1 to 320 characters",
    ),
    (
        ITEM % '{"identity_type": "email", "identity_value": 5}',
        "identities[1].identity_value",
        "invalid",
        "identities[1].identity_value must be a text of 1 to 320 characters",
    ),
    (
        ITEM % ('{"identity_type": "email", "identity_value": "%s"}' % ("a" * 321)),
        "identities[1].identity_value",
        "invalid",
        "identities[1].identity_value must be a text of 1 to 320 characters",
    ),
    # An unpaired surrogate cannot be encoded in the answer: a 400 naming the field.
    (
        ITEM % '{"identity_type": "email", "identity_value": "a\\ud800@b.nl"}',
        "identities[1].identity_value",
        "invalid",
        "identities[1].identity_value must be a text of 1 to 320 characters",
    ),
]


def _audited(db_session):
    return db_session.scalar(select(func.count()).select_from(AuditEvent))


def _refusals(db_session) -> list[tuple[str, dict]]:
    """The refused calls on record: the actor's kind and the event's data."""
    db_session.expire_all()
    events = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api.call_refused").order_by(AuditEvent.id)
    )
    return [(e.actor_kind, e.data) for e in events]


@pytest.mark.parametrize(("raw", "field", "reason", "message"), BAD_BODIES)
def test_each_bad_body_is_a_400_naming_its_field(
    client, db_session, make_org, raw, field, reason, message
):
    secret = _key(db_session, make_org())
    before = _audited(db_session)
    limit = sys.getrecursionlimit()
    # The interpreter's default, as in a gunicorn worker: the too-deep body is refused by
    # it whatever an earlier test in this process set.
    sys.setrecursionlimit(1000)
    try:
        resp = _post(client, secret, None, raw=raw)
    finally:
        sys.setrecursionlimit(limit)
    assert resp.status_code == 400 and resp.mimetype == "application/json"
    error = resp.get_json()["error"]
    assert error["code"] == 400 and error["message"] == message  # the first problem's
    assert error["errors"] == [
        {"domain": "Validation", "reason": reason, "message": message, "field": field}
    ]
    assert resp.headers["Content-Language"] == "en"
    # Nothing stored but the refusal itself, with the call's name and status only.
    assert _audited(db_session) == before + 1
    assert _refusals(db_session) == [("api_key", {"call": "suppression.check", "status": 400})]


def test_the_messages_follow_accept_language_and_the_codes_stay(client, db_session, make_org):
    secret = _key(db_session, make_org())
    raw = '{"identities": [7, {"identity_type": "fax", "identity_value": " "}]}'
    answers = {
        language: client.post(
            URL,
            data=raw,
            headers={"Authorization": f"Bearer {secret}", "Accept-Language": language},
        )
        for language in ("en", "nl-NL,nl;q=0.9")
    }
    en, nl = (answers[k].get_json()["error"] for k in ("en", "nl-NL,nl;q=0.9"))
    assert answers["nl-NL,nl;q=0.9"].headers["Content-Language"] == "nl"
    strip = lambda items: [{k: v for k, v in e.items() if k != "message"} for e in items]  # noqa: E731
    assert (
        strip(en["errors"])
        == strip(nl["errors"])
        == [
            {"domain": "Validation", "reason": "invalid", "field": "identities[0]"},
            {
                "domain": "Validation",
                "reason": "unsupported",
                "field": "identities[1].identity_type",
            },
            {"domain": "Validation", "reason": "required", "field": "identities[1].identity_value"},
        ]
    )
    assert [e["message"] for e in nl["errors"]] == [
        "identities[0] moet een object zijn",
        "identities[1].identity_type moet een van email, phone_number zijn",
        "identities[1].identity_value moet een tekst van 1 tot 320 tekens zijn",
    ]
    assert nl["message"] == nl["errors"][0]["message"] and nl["code"] == en["code"] == 400


def test_at_most_20_problems_are_listed(client, db_session, make_org):
    body = {"identities": [{"identity_type": "fax", "identity_value": "x"}] * 30}
    resp = _post(client, _key(db_session, make_org()), body)
    fields = [e["field"] for e in resp.get_json()["error"]["errors"]]
    assert resp.status_code == 400
    assert fields == [f"identities[{i}].identity_type" for i in range(20)]


def test_more_than_10000_is_413_and_10000_are_answered(client, db_session, make_org, app):
    org = make_org()
    _suppress(app, db_session, org, "email", "person-77@example.nl")
    secret = _key(db_session, org)
    many = _ids(*[("email", f"person-{i}@example.nl") for i in range(10_001)])
    resp = _post(client, secret, many)
    assert resp.status_code == 413
    error = resp.get_json()["error"]
    assert error["code"] == 413 and error["message"] == "At most 10000 identities per request."
    assert error["errors"] == [
        {"domain": "Validation", "reason": "too_many", "field": "identities",
         "message": "At most 10000 identities per request."}
    ]  # fmt: skip
    assert _refusals(db_session) == [("api_key", {"call": "suppression.check", "status": 413})]
    many["identities"].pop()
    resp = _post(client, secret, many)
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert len(results) == 10_000 and [i for i, r in enumerate(results) if r["suppressed"]] == [77]


def test_the_check_does_not_scale_its_queries_with_the_identities(
    app, client, db_session, make_org
):
    from sqlalchemy import event

    org = make_org()
    secret = _key(db_session, org)
    counts = []
    for n in (10, 2000):
        statements = []
        engine = db_session.get_bind().engine

        def count(*args, statements=statements):
            statements.append(1)

        event.listen(engine, "before_cursor_execute", count)
        try:
            _post(client, secret, _ids(*[("email", f"p{i}@example.nl") for i in range(n)]))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        counts.append(len(statements))
    assert counts[0] == counts[1]


@pytest.fixture
def limited_app(app_config):
    from portal import create_app

    return create_app(
        {**app_config, "RATELIMIT_ENABLED": True, "OPENDSR_RATE_LIMIT": "2 per minute"}
    )


def test_the_rate_is_limited_per_key_with_retry_after(
    limited_app, session_factory, db_session, make_org
):
    from portal.db import get_db

    get_db(limited_app).sessionmaker = session_factory
    client = limited_app.test_client()
    first, second = _key(db_session, make_org()), _key(db_session, make_org())
    codes = [_post(client, first, _ids(("email", "a@b.nl"))).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    blocked = _post(client, first, _ids(("email", "a@b.nl")))
    assert blocked.status_code == 429 and blocked.get_json()["error"]["code"] == 429
    assert blocked.headers["Retry-After"].isdigit()
    assert _post(client, second, _ids(("email", "a@b.nl"))).status_code == 200
    assert db_session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "api.suppression_checked"
    )) == 3  # fmt: skip


def test_no_csrf_token_is_needed_but_a_cookie_opens_nothing(client, db_session, make_org):
    resp = client.post(URL, json=_ids(("email", "a@b.nl")))
    assert resp.status_code == 401  # not 400 for a missing CSRF token: it is an API
