"""Fixtures for the officer's workspace tests."""

from __future__ import annotations

import re
from typing import Any

import pytest

from rights.models.org import Role
from tests.helpers import csrf_token


@pytest.fixture
def officer(make_user: Any, login: Any) -> Any:
    user = make_user(Role.OFFICER, name="Olga Officier")
    login(user)
    return user


def version_of(page: Any) -> str:
    match = re.search(r'name="version" value="(\d+)"', page.get_data(as_text=True))
    assert match, "no version field"
    return match.group(1)


@pytest.fixture
def act(client: Any) -> Any:
    """POST a case action with the CSRF token and version taken from the case page."""

    def do(reference: str, action: str, **data: Any) -> Any:
        page = client.get(f"/staff/requests/{reference}")
        assert page.status_code == 200
        form = {"csrf_token": csrf_token(page), "version": version_of(page), **data}
        return client.post(f"/staff/requests/{reference}/{action}", data=form)

    return do
