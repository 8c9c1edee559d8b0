"""Four-eyes items waiting for a second officer (issue 6), through the real app with CSRF
on: export packages to release, previewed erasures to execute, Art. 12(5) letters to
approve. Each shows on /staff/approvals and under the queue's "awaiting approval" filter;
the preparer sees it marked without an action; after the second officer acts it is gone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from rights.approvals import ApprovalKind, pending_approvals, pending_clause
from rights.models.org import OrganisationKind, Role
from rights.models.package import Package, PackageStatus
from rights.models.request import Channel, RequestState, RightsRequest
from rights.models.source import ActionStatus, DataSource, SourceAction, SubjectMatch
from rights.requests import Requester
from rights.righttypes import ErasureDetails
from tests.helpers import csrf_token
from tests.rights.sources.conftest import CRM_TOML, build_crm
from tests.workspace.conftest import version_of

MINE = ("prepared by you", "door u voorbereid")


def _post(client, page_url, url, data=None, **kw):
    page = client.get(page_url)
    return client.post(url, data={**(data or {}), "csrf_token": csrf_token(page)}, **kw)


def _approvals(client):
    resp = client.get("/staff/approvals")
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def _row(html, reference):
    """The table row of ``reference`` on the approvals page ('' when absent)."""
    start = html.find(f">{reference}</a>")
    if start < 0:
        return ""
    return html[start : html.find("</tr>", start)]


def _in_waiting_filter(client, reference):
    resp = client.get("/staff/?waiting=awaiting_approval")
    assert resp.status_code == 200
    return reference in resp.get_data(as_text=True)


def _logout(client):
    client.post("/auth/logout", data={"csrf_token": csrf_token(client.get("/staff/"))})


def test_a_built_package_waits_for_release_by_a_second_officer(
    client, login, make_user, make_request, db_session
):
    first, second = make_user(Role.OFFICER), make_user(Role.OFFICER)
    req, other = make_request(), make_request()
    login(first)
    url = f"/staff/requests/{req.reference}/packages/"
    resp = _post(client, url, f"{url}build", {"formats": ["json"]})
    assert resp.status_code == 302
    pkg = db_session.scalars(select(Package).where(Package.request_id == req.id)).one()
    assert pkg.status is PackageStatus.BUILT and req.state is not RequestState.AWAITING_APPROVAL

    row = _row(_approvals(client), req.reference)
    assert any(text in row for text in MINE) and "/packages/" not in row
    assert first.name in row
    assert _in_waiting_filter(client, req.reference)
    assert not _in_waiting_filter(client, other.reference)
    nav = client.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/approvals"' in nav and "(1)" in nav

    _logout(client)
    login(second)
    row = _row(_approvals(client), req.reference)
    assert not any(text in row for text in MINE) and f'href="{url}"' in row
    resp = _post(client, url, f"{url}{pkg.id}/release")
    assert resp.status_code == 302
    assert _row(_approvals(client), req.reference) == ""
    assert not _in_waiting_filter(client, req.reference)


def test_a_previewed_erasure_waits_for_execution_by_a_second_officer(
    client, login, make_user, make_org, make_request, db_session, tmp_path
):
    org = make_org(OrganisationKind.OPERATOR)  # its own CRM: the four eyes, no controller
    url = f"sqlite:///{tmp_path / 'crm.sqlite'}"
    build_crm(url)
    login(make_user(Role.ADMIN))
    definition = CRM_TOML.format(suffix="a", owner=org.slug)
    resp = _post(
        client, "/staff/sources/", "/staff/sources/", {"definition": definition, "url": url}
    )
    assert resp.status_code == 302
    _logout(client)

    first, second = make_user(Role.OFFICER), make_user(Role.OFFICER)
    req = make_request(
        ErasureDetails(), requester=Requester(name="Pieter Smit", email="p.smit@example.nl")
    )
    data_url = f"/staff/requests/{req.reference}/data"
    login(first)
    _post(client, data_url, f"{data_url}/discover")
    match = db_session.scalars(select(SubjectMatch).where(SubjectMatch.request_id == req.id)).one()
    _post(client, data_url, f"{data_url}/matches/{match.id}", {"decision": "confirm"})
    source = db_session.scalar(select(DataSource).where(DataSource.slug == "crm-a"))
    resp = _post(
        client, data_url, f"{data_url}/actions", {"kind": "erase", "source": str(source.id)}
    )
    assert resp.status_code == 302
    action = db_session.scalars(select(SourceAction).where(SourceAction.request_id == req.id)).one()
    assert action.status is ActionStatus.PREPARED

    row = _row(_approvals(client), req.reference)
    assert any(text in row for text in MINE) and f'href="{data_url}"' not in row
    assert _in_waiting_filter(client, req.reference)

    _logout(client)
    login(second)
    row = _row(_approvals(client), req.reference)
    assert not any(text in row for text in MINE) and f'href="{data_url}"' in row
    _post(client, data_url, f"{data_url}/actions/{action.id}/execute")
    db_session.refresh(action)
    assert action.status is ActionStatus.EXECUTED
    assert _row(_approvals(client), req.reference) == ""
    assert not _in_waiting_filter(client, req.reference)


def test_an_art_12_5_letter_waits_for_approval_by_a_second_officer(
    client, officer, make_user, login, make_request, act, db_session
):
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    resp = act(
        r.reference,
        "answer",
        outcome="refused",
        grounds=["art_12_5"],
        manifestly="excessive",
        reasons="Vijfde keer deze week.",
    )
    assert resp.status_code == 303
    letter_url = f"/staff/requests/{r.reference}/letter"
    row = _row(_approvals(client), r.reference)
    assert any(text in row for text in MINE) and f'href="{letter_url}"' not in row
    assert _in_waiting_filter(client, r.reference)
    # The text-cast LIKE on the letter's JSON, on SQLite and PostgreSQL alike.
    assert _letter_waits(db_session, r.id)
    (item,) = [i for i in pending_approvals(db_session) if i.reference == r.reference]
    assert item.kind is ApprovalKind.LETTER and item.prepared_by_id == officer.id

    second = make_user(Role.OFFICER, name="Tom Tweede")
    login(second)
    row = _row(_approvals(client), r.reference)
    assert not any(text in row for text in MINE) and f'href="{letter_url}"' in row
    page = client.get(letter_url)
    ok = client.post(
        f"{letter_url}/approve",
        data={"csrf_token": csrf_token(page), "version": version_of(page)},
    )
    assert ok.status_code == 303
    assert _row(_approvals(client), r.reference) == ""
    db_session.expire_all()
    assert all(i.reference != r.reference for i in pending_approvals(db_session))
    assert not _letter_waits(db_session, r.id)


def _letter_waits(db_session, request_id):
    letters = select(RightsRequest.id).where(
        RightsRequest.id == request_id, pending_clause(db_session)
    )
    return db_session.scalar(letters) == request_id
