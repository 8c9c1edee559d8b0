"""Art. 18(2) (docs/legal.md, "Restriction"): who is restricted, for which organisation,
until the restriction is lifted; processing files leave them out and count them; a case
whose restriction is in force keeps the identifiers that honour it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rights import crypto, restriction, retention
from rights.audit import SYSTEM
from rights.documents import DocumentStore
from rights.identifiers import identifier_hash, normalise_email
from rights.lifecycle import transition
from rights.models.request import Channel, Outcome, RequestState
from rights.models.source import ActionKind, ActionStatus, SourceAction
from rights.requests import Requester
from rights.righttypes import RestrictionDetails

NOW = datetime(2026, 3, 6, 9, 0, tzinfo=UTC)
KEY = b"k" * 32


def _action(db_session, r, kind, when):
    db_session.add(
        SourceAction(request_id=r.id, kind=kind, status=ActionStatus.EXECUTED,
                     prepared_at=when, executed_at=when)
    )  # fmt: skip
    db_session.flush()


def _restricted(make_request, org, email="p.smit@example.nl"):
    return make_request(
        RestrictionDetails(ground="a"), received_at=NOW, channel=Channel.EMAIL,
        organisation_id=org.id, requester=Requester(name="P. Smit", email=email),
    )  # fmt: skip


def _hash(email):
    return identifier_hash(KEY, "email", normalise_email(email))


def test_a_restricted_person_is_left_out_and_counted_until_the_restriction_is_lifted(
    db_session, make_request, make_org
):
    org, other = make_org(name="Bakkerij"), make_org(name="Sportclub")
    r = _restricted(make_request, org)
    _action(db_session, r, ActionKind.RESTRICT, NOW + timedelta(days=1))
    assert restriction.restricted_request_ids(db_session, org.id) == {r.id}
    assert restriction.restricted_request_ids(db_session, other.id) == set()
    hashes = restriction.restricted_hashes(db_session, org.id, KEY)
    assert _hash("P.Smit@example.nl") in hashes
    mailing = [{"email": "p.smit@example.nl"}, {"email": "jan@example.nl"}]
    counter = restriction.LeftOut()
    kept = list(restriction.leave_out_restricted(
        mailing, lambda row: [_hash(row["email"])], hashes, counter
    ))  # fmt: skip
    assert kept == [{"email": "jan@example.nl"}] and counter.restricted == 1
    _action(db_session, r, ActionKind.LIFT_RESTRICTION, NOW + timedelta(days=30))
    assert restriction.restricted_hashes(db_session, org.id, KEY) == set()


def test_a_case_whose_restriction_is_in_force_is_not_purged(
    db_session, make_request, make_org, tmp_path
):
    org = make_org(name="Bakkerij")
    store = DocumentStore(root=tmp_path, key=crypto.parse_key(crypto.generate_key()))
    in_force = _restricted(make_request, org)
    lifted = _restricted(make_request, org, email="k.jansen@example.nl")
    for r in (in_force, lifted):
        _action(db_session, r, ActionKind.RESTRICT, NOW + timedelta(days=1))
        transition(db_session, r, RequestState.ANSWERED, actor=SYSTEM, now=NOW + timedelta(days=2),
                   outcome=Outcome.FULFILLED)  # fmt: skip
    _action(db_session, lifted, ActionKind.LIFT_RESTRICTION, NOW + timedelta(days=3))
    later = NOW + timedelta(days=800)
    report = retention.purge_cases(db_session, store, actor=SYSTEM, now=later, days=730)
    assert report.requests == 1
    assert in_force.requester_email == "p.smit@example.nl" and lifted.requester_email == ""


def test_the_mailing_filter_leaves_a_restricted_person_out_and_says_so(
    app, db_session, make_request, make_org
):
    """The complaint that found it: restricted p.smit still came out of the mailing filter."""
    import io

    from operations.mailing import filter_mailing
    from portal.context import context_for

    org = make_org(name="Bakkerij")
    r = _restricted(make_request, org)
    _action(db_session, r, ActionKind.RESTRICT, NOW + timedelta(days=1))
    mailing = io.BytesIO(b"naam;email\r\nP. Smit;P.Smit@example.nl\r\nJan;jan@example.nl\r\n")
    result = filter_mailing(context_for(app, db_session), org, mailing, "mailing.csv")
    assert (result.kept, result.removed, result.restricted) == (1, 1, 1)
    assert b"p.smit" not in result.csv_bytes.lower() and b"jan@example.nl" in result.csv_bytes
    _action(db_session, r, ActionKind.LIFT_RESTRICTION, NOW + timedelta(days=30))
    mailing.seek(0)
    again = filter_mailing(context_for(app, db_session), org, mailing, "mailing.csv")
    assert (again.kept, again.restricted) == (2, 0)
