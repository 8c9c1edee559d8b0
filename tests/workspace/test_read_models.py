"""The read models behind the case page, the data page and the controller index: the
pages stay correct and their query count stays small however much the case holds."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event

from rights.models import OrganisationKind
from rights.models.org import Role
from rights.models.request import Channel, RequestState
from tests.helpers import csrf_token
from tests.portal.test_delivery import officers, released  # noqa: F401 - fixtures
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
    # 18 before the read model; one for the forward section (where discovery found a "don't
    # know" subject). The follow-up erasure case is looked for only when one of the case's
    # links is a follow-up link (none here), and the case's own tables only when the
    # overview (with the four-eyes counts) says they hold rows: here only the messages. The
    # menu's approvals count comes with the overview (10 before).
    assert len(queries) <= 9, len(queries)


MAILING_TOML = """
slug = "mailing"
name = "Mailingbestand"
kind = "file"
owner = "{owner}"
purposes = ["Direct marketing"]
legal_basis = ["consent"]
"""


def test_data_page_reads_every_match_in_few_queries(
    client, login, make_user, make_org, make_request, connection
):
    """Five matched records of one file source: their values are read in one query, not
    one per match."""
    org = make_org()
    login(make_user(Role.ADMIN))
    page = client.get("/staff/sources/")
    data = {"csrf_token": csrf_token(page), "definition": MAILING_TOML.format(owner=org.slug)}
    assert client.post("/staff/sources/", data=data).status_code == 302
    rows = "".join(f"Klant {i};eva@example.nl;Plaats {i}\r\n" for i in range(5))
    csv = ("Naam;E-mailadres;Woonplaats\r\n" + rows).encode()
    page = client.get("/staff/sources/mailing")
    data = {"csrf_token": csrf_token(page), "file": (io.BytesIO(csv), "klanten.csv")}
    client.post("/staff/sources/mailing/upload", data=data, content_type="multipart/form-data")
    r = make_request()  # from eva@example.nl
    url = f"/staff/requests/{r.reference}/data"
    resp = client.post(f"{url}/discover", data={"csrf_token": csrf_token(client.get(url))})
    assert resp.status_code == 302
    with counted(connection) as queries:
        page = client.get(url)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert all(f"Plaats {i}" in html for i in range(5)), html
    assert len(queries) <= 10  # 17 before the read model: one more per match


def test_controller_lists_in_few_queries(
    client,
    login,
    make_user,
    make_org,
    released,  # noqa: F811 - the fixture imported above
    connection,
    db_session,
):
    org = make_org(OrganisationKind.CONTROLLER)
    made = [released(organisation=org) for _ in range(3)]
    for p in made:  # the request list shows verified requests only
        p.request.state = RequestState.OPEN
    db_session.commit()
    login(make_user(Role.CONTROLLER, organisation=org))
    with counted(connection) as queries:
        page = client.get("/controller/packages/")
    html = page.get_data(as_text=True)
    assert all(p.request.reference in html for p in made)
    assert len(queries) <= 3  # 6 before: one more per package for its request
    with counted(connection) as queries:
        page = client.get("/controller/")
    assert all(p.request.reference in page.get_data(as_text=True) for p in made)
    assert len(queries) <= 3


def test_case_view_reads_each_part_that_holds_rows(db_session, make_request, now):
    """The overview tells which of the case's tables hold rows; each part that does is
    read, whichever others are empty (a part left out would vanish from the page)."""
    from rights.models.case import AnswerLetter, Document, DocumentKind, Message, Party
    from rights.models.casework import CaseLink, CaseNote, IdentityCheck
    from rights.models.request import Outcome
    from rights.readmodels.case import case_view

    r, other = make_request(), make_request()
    rows = {
        "checks": IdentityCheck(request_id=r.id, method="in_person", result="ok", checked_at=now),
        "letters": AnswerLetter(request_id=r.id, outcome=Outcome.FULFILLED, body="Brief",
                                created_at=now, updated_at=now, sent_at=now),
        "messages": Message(request_id=r.id, sender=Party.OFFICER, body="Vraag", created_at=now),
        "documents": Document(request_id=r.id, kind=DocumentKind.ID_DOCUMENT,
                              uploaded_by=Party.SUBJECT, storage_key="k" * 64, filename="id.pdf",
                              content_type="application/pdf", size=1, sha256="0" * 64,
                              created_at=now),
        "notes": CaseNote(request_id=r.id, kind="general", body="Notitie", created_at=now),
        "links": CaseLink(kind="duplicate", request_id=other.id, other_id=r.id, created_at=now),
    }  # fmt: skip
    empty = case_view(db_session, r, now)
    assert all(not getattr(empty, part) for part in rows)
    for part, row in rows.items():  # one more part at a time: the others stay as they were
        db_session.add(row)
        db_session.flush()
        view = case_view(db_session, r, now)
        added = list(rows)[: list(rows).index(part) + 1]
        assert [p for p in rows if getattr(view, p)] == added, part
