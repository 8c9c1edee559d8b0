"""The blank request form kept per kind of visit (portal/public/blank_form.py): a page served
from what was kept is the page a fresh render gives, apart from the CSRF token and the form
key, which are new on every GET; a POST with errors is never kept; and the operator's values
kept per process follow an organisation's change at once (portal/public/chosen.py)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from portal.public.blank_form import BlankPages
from rights.models.org import Organisation, OrganisationKind

PATH = "/request/form?org=operator&right=access&right=erasure"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
KEY = re.compile(r'name="form_key"[^>]*value="([^"]+)"')


@pytest.fixture
def operator(make_org):
    return make_org(OrganisationKind.OPERATOR, slug="operator", name="Operator")


def _kept(app: Any) -> BlankPages | None:
    return app.extensions.get("dsr_blank_forms")


def _masked(page: str) -> str:
    return KEY.sub("KEY", TOKEN.sub("TOKEN", page))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_kept_page_is_the_fresh_page_with_a_new_token_and_key(app, client, operator, language):
    client.get(f"/lang/{language}")
    first = client.get(PATH)
    assert first.status_code == 200
    kept = _kept(app)
    assert kept is not None and kept._pages, "the first GET keeps the page"
    second = client.get(PATH)
    assert second.status_code == 200
    one, two = first.get_data(as_text=True), second.get_data(as_text=True)
    assert KEY.search(one).group(1) != KEY.search(two).group(1)  # type: ignore[union-attr]
    assert _masked(one) == _masked(two)
    kept._pages.clear()  # a fresh render once more, to compare the kept page with
    fresh = client.get(PATH).get_data(as_text=True)
    assert _masked(fresh) == _masked(two)
    assert (language == "nl") == ("Uw volledige naam" in two)


def test_a_page_with_errors_is_never_kept(app, client, operator):
    page = client.get(PATH).get_data(as_text=True)
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    _kept(app)._pages.clear()  # type: ignore[union-attr]
    refused = client.post(PATH, data={"csrf_token": token, "name": ""})
    assert refused.status_code == 422
    assert not _kept(app)._pages  # type: ignore[union-attr]
    again = client.get(PATH).get_data(as_text=True)
    assert 'aria-invalid="true"' not in again and "error" not in KEY.sub("", again).lower()


def test_the_operators_new_name_shows_at_once(app, client, operator, db_session):
    assert "Operator" in client.get(PATH).get_data(as_text=True)
    row = db_session.get(Organisation, operator.id)
    row.name = "Drukkerij De Vries"
    db_session.commit()
    _kept(app)._pages.clear()  # type: ignore[union-attr]  # the page, not the operator cache
    assert "Drukkerij De Vries" in client.get(PATH).get_data(as_text=True)
