from __future__ import annotations

from rights.models.request import Channel


def test_case_page_and_assign(client, officer, make_request, act, db_session):
    r = make_request(channel=Channel.EMAIL)
    page = client.get(f"/staff/requests/{r.reference}")
    assert page.status_code == 200, page.get_data(as_text=True)[:3000]
    resp = act(r.reference, "assign", assignee=str(officer.id))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    q = client.get("/staff/")
    assert q.status_code == 200, q.get_data(as_text=True)[:3000]
    assert r.reference in q.get_data(as_text=True)
