from __future__ import annotations


def test_start_page_in_dutch_by_default(client):
    resp = client.get("/")
    assert resp.status_code == 200
    assert 'lang="nl"' in resp.get_data(as_text=True)
