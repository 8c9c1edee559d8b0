"""The queue: filters, counts per state, paging, overdue marking in words, audited search."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from rights import requests as ops
from rights.audit import SYSTEM
from rights.models.audit import AuditEvent
from rights.models.org import OrganisationKind
from rights.models.request import Channel, RequestState
from rights.queue import QueueFilter, queue_page
from rights.righttypes import ErasureDetails
from tests.helpers import csrf_token


def _world(make_request, make_org, officer, db_session, policy):
    now = datetime.now(UTC)
    op = OrganisationKind.OPERATOR  # the operator's own requests: not about controllers
    org_a, org_b = make_org(op, name="Alfa"), make_org(op, name="Beta")
    overdue = make_request(
        received_at=now - timedelta(days=45), channel=Channel.EMAIL, organisation_id=org_a.id
    )
    soon = make_request(
        received_at=now - timedelta(days=27), channel=Channel.EMAIL, organisation_id=org_b.id
    )
    later = make_request(
        ErasureDetails(),
        received_at=now - timedelta(days=1),
        channel=Channel.EMAIL,
        organisation_id=org_a.id,
    )
    waiting = make_request(
        received_at=now - timedelta(days=2), channel=Channel.EMAIL, organisation_id=org_b.id
    )
    ops.suspend(
        db_session, waiting, "identity", "Wie bent u?", actor=SYSTEM, now=now, policy=policy
    )
    extended = make_request(
        received_at=now - timedelta(days=3), channel=Channel.EMAIL, organisation_id=org_b.id
    )
    ops.extend(db_session, extended, "complexity", "x", actor=SYSTEM, now=now)
    later.assignee_id = officer.id
    done = make_request(received_at=now - timedelta(days=5), channel=Channel.EMAIL)
    ops.lifecycle.transition(db_session, done, RequestState.WITHDRAWN, actor=SYSTEM, now=now)
    db_session.commit()
    return locals()


def refs(page):
    return [r.reference for r in page.requests]


def test_filters_and_counts(make_request, make_org, make_user, db_session, policy):
    officer = make_user()
    w = _world(make_request, make_org, officer, db_session, policy)
    now = datetime.now(UTC)
    all_open = queue_page(db_session, QueueFilter(), now=now)
    assert w["done"].reference not in refs(all_open)
    assert refs(all_open)[0] == w["overdue"].reference  # soonest due first
    assert all_open.total == 5
    assert (
        all_open.counts[RequestState.OPEN] == 4
        and all_open.counts[RequestState.AWAITING_INFORMATION] == 1
    )
    assert refs(queue_page(db_session, QueueFilter(overdue=True), now=now)) == [
        w["overdue"].reference
    ]
    assert refs(queue_page(db_session, QueueFilter(due_soon=True), now=now)) == [
        w["soon"].reference
    ]
    assert refs(queue_page(db_session, QueueFilter(waiting="awaiting_subject"), now=now)) == [
        w["waiting"].reference
    ]
    assert refs(queue_page(db_session, QueueFilter(extended=True), now=now)) == [
        w["extended"].reference
    ]
    assert refs(queue_page(db_session, QueueFilter(assignee_id=officer.id), now=now)) == [
        w["later"].reference
    ]
    assert len(refs(queue_page(db_session, QueueFilter(assignee_id=0), now=now))) == 4
    assert set(
        refs(queue_page(db_session, QueueFilter(organisation_id=w["org_a"].id), now=now))
    ) == {w["overdue"].reference, w["later"].reference}
    from rights.righttypes import RightType

    assert refs(queue_page(db_session, QueueFilter(right=RightType.ERASURE), now=now)) == [
        w["later"].reference
    ]
    paged = queue_page(db_session, QueueFilter(), now=now, page=2, page_size=2)
    assert paged.pages == 3 and len(paged.requests) == 2 and paged.page == 2


def test_queue_page_marks_overdue_in_words(
    client, officer, make_request, make_org, db_session, policy
):
    w = _world(make_request, make_org, officer, db_session, policy)
    html = client.get("/staff/?overdue=1").get_data(as_text=True)
    assert w["overdue"].reference in html and w["later"].reference not in html
    assert "dagen te laat" in html and "⚠" in html
    html = client.get("/staff/?soon=1&state=bogus&org=x").get_data(as_text=True)
    assert "Verloopt over" in html and w["soon"].reference in html


def test_search_by_email_is_audited_without_the_address(client, officer, make_request, db_session):
    r = make_request(channel=Channel.EMAIL)
    page = client.get("/staff/")
    resp = client.post(
        "/staff/search", data={"csrf_token": csrf_token(page), "q": "Eva@Example.nl"}
    )
    assert resp.status_code == 200 and r.reference in resp.get_data(as_text=True)
    event = db_session.scalar(select(AuditEvent).where(AuditEvent.action == "queue.searched"))
    assert event.data["kind"] == "email" and event.data["hits"] == 1
    assert "eva" not in json.dumps(event.data).lower()
    resp = client.post(
        "/staff/search", data={"csrf_token": csrf_token(page), "q": r.reference.lower()}
    )
    assert r.reference in resp.get_data(as_text=True)
    assert client.post("/staff/search", data={"q": "x"}).status_code == 400  # CSRF on


def test_queue_items_are_read_as_columns_and_match_the_request(
    make_request, make_org, make_user, db_session, policy
):
    """The queue reads plain columns (issue 17); each item says what the loaded request says
    (the search page builds its items from loaded requests)."""
    from rights.models.request import RightsRequest
    from rights.queue import QueueItem

    officer = make_user()
    w = _world(make_request, make_org, officer, db_session, policy)
    w["later"].instructed_actions = ["erase"]
    db_session.commit()
    page = queue_page(db_session, QueueFilter(), now=datetime.now(UTC))
    assert page.requests and all(isinstance(i, QueueItem) for i in page.requests)
    for item in page.requests:
        r = db_session.scalar(
            select(RightsRequest).where(RightsRequest.reference == item.reference)
        )
        assert item == QueueItem.of(r)
    by_ref = {i.reference: i for i in page.requests}
    later = by_ref[w["later"].reference]
    assert later.instructed and later.assignee == officer.name and later.organisation == "Alfa"
    assert not by_ref[w["soon"].reference].instructed
    assert by_ref[w["extended"].reference].effective_due == w["extended"].extended_due


def test_the_queue_page_stays_within_its_queries(client, officer, make_request, connection):
    from tests.workspace.test_read_models import counted

    for _ in range(60):  # more than a page
        make_request(channel=Channel.EMAIL)
    client.get("/staff/")
    with counted(connection) as queries:
        page = client.get("/staff/")
    assert page.status_code == 200
    # the officer, the rows, the counts per state (the total when unfiltered), the incident
    # clocks, the filters' organisations and officers, the approvals badge
    assert len(queries) <= 7, queries
    with counted(connection) as queries:
        assert client.get("/staff/?overdue=1").status_code == 200
    assert len(queries) <= 8, queries  # and the filtered total
