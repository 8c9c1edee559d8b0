"""The controller portal after the end of the contract (Art. 28(3)(g); docs/controllers.md,
"End of contract"): the instruction page and the data files page show that the contract
ended, in words, instead of a form; a form sent anyway is refused (4xx) and nothing is
stored; an admin's upload into the ended controller's source is refused the same way
(``rights.sources.ingest``), and so is a new or changed source definition for it
(``rights.sources.registry``). The other controller, whose contract runs, still instructs
and uploads."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from rights.models.audit import AuditEvent
from rights.models.org import Role
from rights.models.request import RightsRequest
from rights.models.source import DataFileUpload, DataSource
from tests.glossary import assert_in_words
from tests.helpers import csrf_token
from tests.portal.controller.results_world import build, freeze

ENDED_AT = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)  # 5 March in Amsterdam
NOTICE = {
    "nl": ("Het contract met uw organisatie is beëindigd op 5 maart 2026", "Wij hebben uw"),
    "en": ("The contract with your organisation ended on 5 March 2026", "We no longer hold"),
}
CSV = b"E-mail;Naam\nanna@example.nl;Anna\n"
INSTRUCTION = {
    "right": "erasure",
    "name": "Kees Visser",
    "email": "kees@example.nl",
    "received_date": "2026-03-04",
    "channel": "post",
    "actions": ["erase"],
}


@pytest.fixture
def world(app, db_session, make_org, make_user, make_request, now):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    world.a.org.contract_ended_at = ENDED_AT  # A's contract ended; B's runs
    db_session.commit()
    return world


def _stored(db_session) -> tuple[int, int, int]:
    db_session.expire_all()
    return tuple(
        int(db_session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (RightsRequest, DataFileUpload, AuditEvent)
    )  # type: ignore[return-value]


def _says_it_ended(html: str, language: str) -> None:
    assert all(words in html for words in NOTICE[language]), html[:3000]
    assert "contract_ended" not in html
    assert_in_words(html, language, where="controller page", ignore=("Bakkerij Zoet", "Kees"))


def _upload(client, source_id, token):
    return client.post(
        "/controller/files/upload",
        data={"csrf_token": token, "source": str(source_id), "file": (io.BytesIO(CSV), "m.csv")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_instruction_page_says_the_contract_ended_instead_of_the_form(
    client, login, db_session, world, language
):
    login(world.a.contact)
    client.get(f"/lang/{language}")
    page = client.get("/controller/instructions/new")
    html = page.get_data(as_text=True)
    assert 'name="received_date"' not in html and "File it here" not in html
    _says_it_ended(html, language)

    before = _stored(db_session)
    token = csrf_token(client.get("/controller/"))
    sent = client.post("/controller/instructions/new", data={"csrf_token": token, **INSTRUCTION})
    assert sent.status_code == 422
    _says_it_ended(sent.get_data(as_text=True), language)
    assert _stored(db_session) == before


def test_the_menu_offers_no_instruction_after_the_end(client, login, world):
    link = 'href="/controller/instructions/new"'
    login(world.a.contact)
    for page in ("/controller/", "/controller/files/", "/controller/instructions/new"):
        assert link not in client.get(page).get_data(as_text=True), page
    login(world.b.contact)  # designated, whose contract runs
    assert link in client.get("/controller/").get_data(as_text=True)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_files_page_offers_no_upload_after_the_end_and_refuses_one(
    client, login, db_session, world, language
):
    login(world.a.contact)
    client.get(f"/lang/{language}")
    html = client.get("/controller/files/").get_data(as_text=True)
    assert 'name="file"' not in html
    _says_it_ended(html, language)

    before = _stored(db_session)
    sent = _upload(client, world.a.source.id, csrf_token(client.get("/controller/")))
    assert sent.status_code == 409
    _says_it_ended(sent.get_data(as_text=True), language)
    assert _stored(db_session) == before


def test_an_admin_upload_into_the_ended_controllers_source_is_refused(
    client, login, make_user, db_session, world
):
    login(make_user(Role.ADMIN))
    page = f"/staff/sources/{world.a.source.slug}"
    before = _stored(db_session)
    resp = client.post(
        f"{page}/upload",
        data={"csrf_token": csrf_token(client.get(page)), "file": (io.BytesIO(CSV), "m.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    html = resp.get_data(as_text=True)
    assert "Het contract met Bakkerij Zoet is beëindigd" in html and "databestanden" in html
    assert "contract_ended" not in html
    assert _stored(db_session) == before


SOURCE_TOML = """
slug = "{slug}"
name = "Nieuw bestand"
kind = "file"
owner = "{owner}"
purposes = ["Direct marketing"]
legal_basis = ["consent"]
"""


def _sources(db_session) -> list[tuple[str, str, bool]]:
    db_session.expire_all()
    rows = db_session.execute(select(DataSource.slug, DataSource.name, DataSource.active))
    return sorted((slug, name, active) for slug, name, active in rows)


def test_no_source_can_be_added_or_changed_for_the_ended_controller(
    client, login, make_user, db_session, world
):
    login(make_user(Role.ADMIN))
    before, sources = _stored(db_session), _sources(db_session)
    owner = world.a.org.slug
    for slug in ("new-after-end", world.a.source.slug):  # a new one, and its old one again
        definition = SOURCE_TOML.format(slug=slug, owner=owner)
        page = client.get("/staff/sources/")
        resp = client.post(
            "/staff/sources/",
            data={"csrf_token": csrf_token(page), "definition": definition},
            follow_redirects=True,
        )
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200, slug
        assert "Het contract met Bakkerij Zoet is beëindigd" in html, slug
        assert "gegevensbron" in html and "contract_ended" not in html, slug
        assert _stored(db_session) == before and _sources(db_session) == sources, slug
    definition = SOURCE_TOML.format(slug="b-new", owner=world.b.org.slug)
    page = client.get("/staff/sources/")
    saved = client.post(
        "/staff/sources/", data={"csrf_token": csrf_token(page), "definition": definition}
    )
    assert saved.status_code == 302
    assert ("b-new", "Nieuw bestand", True) in _sources(db_session)


def test_the_controller_whose_contract_runs_still_instructs_and_uploads(
    client, login, db_session, world
):
    login(world.b.contact)
    page = client.get("/controller/instructions/new")
    html = page.get_data(as_text=True)
    assert 'name="received_date"' in html and "beëindigd" not in html
    sent = client.post(
        "/controller/instructions/new", data={"csrf_token": csrf_token(page), **INSTRUCTION}
    )
    assert sent.status_code == 303
    assert db_session.scalar(
        select(RightsRequest).where(RightsRequest.instructed_by_id == world.b.contact.id)
    )
    files = client.get("/controller/files/")
    assert 'name="file"' in files.get_data(as_text=True)
    assert _upload(client, world.b.source.id, csrf_token(files)).status_code == 303
    assert db_session.scalar(select(DataFileUpload).where(DataFileUpload.filename == "m.csv"))
