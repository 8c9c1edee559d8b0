"""``POST /api/v1/suppression/check`` (docs/api.md, "Suppression check"): the calling
controller's list only, in the request's order, restricted people flagged, every refusal in
the JSON error body, audited with counts, limited per key."""

from __future__ import annotations

import json
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


@pytest.mark.parametrize(
    ("raw", "word"),
    [
        ("not json", "JSON"),
        ('{"identities": {}}', "identities must be a list"),
        ("[]", "identities must be a list"),
        ('{"identities": [1]}', "identities[0] must be an object"),
        ('{"identities": [{"identity_type": "ios_id", "identity_value": "x"}]}', "email or"),
        ('{"identities": [{"identity_type": "email", "identity_value": 5}]}', "identity_value"),
        ('{"identities": [{"identity_type": "email", "identity_value": ""}]}', "identity_value"),
        # A list where a text belongs, and an unpaired surrogate (cannot be encoded in the
        # answer): each a 400 naming the field, never a server error.
        ('{"identities": [{"identity_type": ["email"], "identity_value": "a@b.nl"}]}', "email or"),
        (
            '{"identities": [{"identity_type": "email", "identity_value": "a\\ud800@b.nl"}]}',
            "identity_value",
        ),
    ],
)
def test_bad_bodies_are_400_with_errors(client, db_session, make_org, raw, word):
    resp = _post(client, _key(db_session, make_org()), None, raw=raw)
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == 400 and any(word in e["message"] for e in error["errors"])


def test_bad_utf8_is_400_json(client, db_session, make_org):
    resp = _post(client, _key(db_session, make_org()), None, raw=b'{"identities": ["\xff"]}')
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == 400


def test_more_than_10000_is_413_and_10000_are_answered(client, db_session, make_org, app):
    org = make_org()
    _suppress(app, db_session, org, "email", "person-77@example.nl")
    secret = _key(db_session, org)
    many = _ids(*[("email", f"person-{i}@example.nl") for i in range(10_001)])
    resp = _post(client, secret, many)
    assert resp.status_code == 413 and resp.get_json()["error"]["code"] == 413
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
