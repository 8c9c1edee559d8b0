"""The read models behind the case page, the data page and the controller index: the
pages stay correct and their query count stays small however much the case holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from rights.models.org import Role
from rights.models.request import Channel
from tests.helpers import csrf_token
from tests.workspace.conftest import version_of


@contextmanager
def counted(connection: Any) -> Iterator[list[str]]:
    """The SELECTs run on ``connection`` inside the block (savepoints left out)."""
    seen: list[str] = []

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(connection, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", before)


def _busy_case(client: Any, make_request: Any, make_user: Any, officer: Any) -> Any:
    """A case with messages, checks, an assignee and several officers to choose from."""
    for name in ("Anna", "Bert", "Cor"):
        make_user(Role.OFFICER, name=name)
    r = make_request(received_at=datetime.now(UTC) - timedelta(days=1), channel=Channel.EMAIL)
    for body in ("Eerste vraag", "Tweede vraag", "Derde vraag"):
        page = client.get(f"/staff/requests/{r.reference}")
        data = {"csrf_token": csrf_token(page), "version": version_of(page), "body": body}
        assert client.post(f"/staff/requests/{r.reference}/message", data=data).status_code == 303
    page = client.get(f"/staff/requests/{r.reference}")
    data = {"csrf_token": csrf_token(page), "version": version_of(page), "assignee": officer.id}
    assert client.post(f"/staff/requests/{r.reference}/assign", data=data).status_code == 303
    return r


def test_case_page_shows_everything_in_few_queries(
    client, officer, make_request, make_user, connection
):
    r = _busy_case(client, make_request, make_user, officer)
    with counted(connection) as queries:
        page = client.get(f"/staff/requests/{r.reference}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert all(text in html for text in ("Eerste vraag", "Derde vraag", "Anna", "Cor"))
    assert "Olga Officier" in html  # the assignee, and the actor in the timeline
    print("case page queries:", len(queries))
    assert len(queries) <= 99
