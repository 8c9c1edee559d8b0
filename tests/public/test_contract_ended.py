"""The public intake after the end of a controller's contract (Art. 28(3)(g);
docs/controllers.md, "End of contract"): the controller is no longer offered on the start
page, and a request naming it (a crafted ``org=`` link, a form loaded before the end) is
refused in words, NL or EN, saying we no longer hold its data and to contact it directly;
nothing is stored. A controller whose contract runs, and the operator, still file."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from operations.contract_end import end_contract
from rights.audit import SYSTEM
from rights.models.audit import AuditEvent
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind
from rights.models.request import RightsRequest
from tests.glossary import assert_in_words
from tests.helpers import ops_context, released_return_package
from tests.public.flow import fill, form_url

WORDS = {
    "nl": (
        "Wij verwerken geen gegevens meer voor Bakkerij Zoet",
        "beëindigd op 5 maart 2026",
        "rechtstreeks naar Bakkerij Zoet",
    ),
    "en": (
        "We no longer hold data for Bakkerij Zoet",
        "ended on 5 March 2026",
        "to Bakkerij Zoet directly",
    ),
}
ZOET = "c:zoet"


@pytest.fixture
def world(make_org, db_session):
    operator = make_org(OrganisationKind.OPERATOR, name="Verwerker BV", slug="verwerker")
    zoet = make_org(name="Bakkerij Zoet", slug="zoet", listed_publicly=True)
    vers = make_org(name="Slagerij Vers", slug="vers", listed_publicly=True)
    db_session.commit()
    return operator, zoet, vers


def _end(app, db_session, org, now):
    """The contract ends as the command ends it: the data returned, then deleted."""
    released_return_package(db_session, org, now)
    end_contract(ops_context(app, db_session, SYSTEM, now=now), org)
    db_session.commit()


def _stored(db_session) -> tuple[int, int, int]:
    db_session.expire_all()
    return tuple(
        int(db_session.scalar(select(func.count()).select_from(model)) or 0)
        for model in (RightsRequest, OutboxMail, AuditEvent)
    )  # type: ignore[return-value]


def _refused_in_words(resp, language: str) -> None:
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert all(words in html for words in WORDS[language]), html[:3000]
    assert "contract_ended" not in html and 'name="form_key"' not in html
    assert_in_words(html, language, where="refusal", ignore=("Bakkerij Zoet", "Slagerij Vers"))


def test_an_ended_controller_is_not_offered(app, client, db_session, world, now):
    _operator, zoet, _vers = world
    _end(app, db_session, zoet, now)
    for path in ("/request", "/request?q=bakkerij"):
        page = client.get(path).get_data(as_text=True)
        assert "Bakkerij Zoet" not in page and ZOET not in page
    assert "Slagerij Vers" in client.get("/request").get_data(as_text=True)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_crafted_link_to_an_ended_controller_is_refused_in_words(
    app, client, db_session, world, now, language
):
    _operator, zoet, _vers = world
    url, data = fill(client, ["access"], org=ZOET)  # the form, while the contract ran
    _end(app, db_session, zoet, now)
    client.get(f"/lang/{language}")
    before = _stored(db_session)

    _refused_in_words(client.get(form_url(["access"], ZOET)), language)
    sent = client.post(url, data=data, content_type="multipart/form-data")
    _refused_in_words(sent, language)

    assert _stored(db_session) == before


def test_the_end_is_seen_by_a_form_page_kept_before_it(app, client, db_session, world, now):
    """The blank form of a controller is kept per process (portal/public/blank_form.py): a
    page kept before the end is not shown after it."""
    _operator, zoet, _vers = world
    url = form_url(["erasure"], ZOET)
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200  # from the kept page
    _end(app, db_session, zoet, now)
    _refused_in_words(client.get(url), "nl")


def test_a_controller_whose_contract_runs_and_the_operator_still_file(
    app, client, db_session, world, now
):
    operator, zoet, vers = world
    _end(app, db_session, zoet, now)
    for org, owner in (("c:vers", vers), ("operator", operator)):
        url, data = fill(client, ["access"], org=org)
        resp = client.post(url, data=data, content_type="multipart/form-data")
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
        filed = db_session.scalars(select(RightsRequest).order_by(RightsRequest.id.desc())).first()
        assert filed.organisation_id == owner.id
