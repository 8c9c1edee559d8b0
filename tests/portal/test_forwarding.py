"""The forward section of the staff case page and the subject's status page of a split
request (docs/controllers.md, "Forwarding"), through HTTP."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from portal.tokens import make_token
from rights import casework, lifecycle
from rights.answers import allowed_grounds
from rights.audit import SYSTEM, Actor
from rights.controllers import approvals
from rights.models.controller import DecisionKind
from rights.models.mail import OutboxMail
from rights.models.org import OrganisationKind, Role, User
from rights.models.request import Channel, Outcome, RequestState
from rights.righttypes import ErasureDetails
from tests.helpers import csrf_token

NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)  # Thursday


@pytest.fixture
def officer(app, make_user, login):
    app.config["CLOCK"] = lambda: NOW
    user = make_user(Role.OFFICER, name="Olga Officier")
    login(user)
    return user


@pytest.fixture
def controller(make_org, make_user, db_session):
    org = make_org(
        name="Bakkerij Brood B.V.",
        forward_within_days=2,
        contact_email="privacy@brood.example",
        contact_phone="010-1234567",
    )
    contact = make_user(
        Role.CONTROLLER, organisation=org, email="dpo@brood.example", name="Dirk Brood"
    )
    contact.designated = True
    db_session.commit()
    return org


def _post_forward(client, r, **extra):
    page = client.get(f"/staff/requests/{r.reference}")
    html = page.get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    data = {"csrf_token": csrf_token(page), "version": version, **extra}
    return client.post(f"/staff/requests/{r.reference}/forward", data=data)


def _mails(db_session, r):
    rows = db_session.scalars(select(OutboxMail).where(OutboxMail.request_id == r.id))
    return sorted((m.template, m.to_addr) for m in rows)


def test_the_officer_forwards_with_confirmation(
    client, db_session, officer, controller, make_request
):
    r = make_request(organisation_id=controller.id, channel=Channel.EMAIL, now=NOW)
    r.forward_due = datetime(2026, 3, 9).date()
    db_session.commit()
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert "Doorsturen naar Bakkerij Brood B.V." in page
    assert "ma 9 mrt 2026" in page  # the forwarding target, in words and an Amsterdam date
    assert "di 7 apr 2026" in page  # the controller's deadline
    assert "Dirk Brood (dpo@brood.example)" in page
    assert "forwarded" not in page and "no_designated_contact" not in page

    refused = _post_forward(client, r, organisation=controller.id)  # no confirmation box
    assert refused.status_code == 422 and "Vink het vakje aan" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert r.state is RequestState.OPEN and _mails(db_session, r) == []

    done = _post_forward(client, r, organisation=controller.id, confirm="yes")
    assert done.status_code == 303 and done.headers["Location"].endswith("#forward")
    db_session.expire_all()
    assert r.state is RequestState.FORWARDED and r.forwarded_at == NOW
    assert _mails(db_session, r) == [
        ("forward", "dpo@brood.example"),
        ("forwarded_subject", "eva@example.nl"),
    ]
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert "Doorgestuurd" in page and "Bij de verwerkingsverantwoordelijke" in page
    with client.application.app_context():
        token = make_token("status", {"r": r.id})
    status = client.get(f"/status/{token}").get_data(as_text=True)
    assert "Contactgegevens: privacy@brood.example · 010-1234567" in status


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("nl", "heeft geen actieve aangewezen contactpersoon"),
        ("en", "This controller has no active designated contact"),
    ],
)
def test_a_controller_without_a_designated_contact_is_explained_in_words(
    client, db_session, officer, make_org, make_request, language, words
):
    org = make_org(name="Zonder Contact B.V.")
    r = make_request(organisation_id=org.id, channel=Channel.EMAIL, now=NOW)
    client.get(f"/lang/{language}")
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert words in page and f"/staff/requests/{r.reference}/forward" not in page
    refused = _post_forward(client, r, organisation=org.id, confirm="yes")
    assert refused.status_code == 422
    assert words in refused.get_data(as_text=True)
    assert "no_designated_contact" not in refused.get_data(as_text=True)


def test_the_operators_own_request_has_no_forward_section(client, officer, make_org, make_request):
    operator = make_org(OrganisationKind.OPERATOR, name="Het Portaal")
    r = make_request(organisation_id=operator.id, channel=Channel.EMAIL, now=NOW)
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert 'id="forward"' not in page
    assert _post_forward(client, r, organisation=operator.id, confirm="yes").status_code == 422


def test_the_status_page_of_a_split_request_shows_each_part_and_its_outcome(
    app, client, db_session, controller, make_org, make_user, make_request, policy
):
    second = make_org(name="Slagerij Vlees B.V.")
    butcher = make_user(Role.CONTROLLER, organisation=second)
    butcher.designated = True
    r = make_request(ErasureDetails(ground="d"), channel=Channel.EMAIL, now=NOW)
    (part,) = casework.split(
        db_session, r, [controller, second], actor=SYSTEM, now=NOW, policy=policy
    )
    # The second controller refused its part (only it may: docs/controllers.md).
    ground = allowed_grounds(part)[0]
    approvals.decide_request(
        db_session, part, DecisionKind.REFUSE, actor=Actor.user(butcher.id), now=NOW,
        reason="Wij bewaren deze gegevens op grond van de wet.", ground=ground,
    )  # fmt: skip
    for each, outcome in ((r, Outcome.FULFILLED), (part, Outcome.REFUSED)):
        lifecycle.transition(
            db_session, each, RequestState.ANSWERED, actor=SYSTEM, now=NOW, outcome=outcome
        )
    db_session.commit()
    with app.app_context():
        token = make_token("status", {"r": r.id})
    html = client.get(f"/status/{token}").get_data(as_text=True)
    parts = html[html.index('id="parts-title"') :]
    parts = parts[: parts.index("</section>")]
    assert "Bakkerij Brood B.V." in parts and "Slagerij Vlees B.V." in parts
    assert re.search(r"Bakkerij Brood B\.V\..*?Beantwoord · Gedaan zoals u vroeg", parts, re.S)
    assert re.search(r"Slagerij Vlees B\.V\..*?Beantwoord · Geweigerd", parts, re.S)
    assert "fulfilled" not in parts and "refused" not in parts and "answered" not in parts


def test_the_timeline_names_the_forwarding_events_in_words(
    app, client, db_session, officer, make_org, make_request
):
    from rights import audit

    org = make_org(name="Zonder Contact B.V.")
    r = make_request(organisation_id=org.id, channel=Channel.EMAIL, now=NOW)
    for action in ("request.auto_forward_failed", "request.forward_reminded"):
        audit.record(db_session, action, actor=SYSTEM, now=NOW, request_id=r.id)
    db_session.commit()
    page = client.get(f"/staff/requests/{r.reference}").get_data(as_text=True)
    assert "Automatisch doorsturen was niet mogelijk" in page
    assert "Herinnering verstuurd aan de aangewezen contactpersonen" in page
    assert "auto_forward_failed" not in page and "forward_reminded" not in page


def test_the_status_page_says_the_controller_answers_itself_by_when_and_how_to_reach_it(
    client, db_session, officer, controller, make_request
):
    """The complaint: "the page said *we* answer by 7 April, but the answer never came from
    you; it was the bakery's to give"."""
    r = make_request(organisation_id=controller.id, channel=Channel.EMAIL, now=NOW)
    db_session.commit()
    assert _post_forward(client, r, organisation=controller.id, confirm="yes").status_code == 303
    db_session.expire_all()
    dirk = db_session.scalars(select(User).where(User.email == "dpo@brood.example")).one()
    approvals.decide_request(db_session, r, DecisionKind.ANSWER_OURSELVES,
                             actor=Actor.user(dirk.id), now=NOW)  # fmt: skip
    db_session.commit()
    with client.application.app_context():
        token = make_token("status", {"r": r.id})
    status = client.get(f"/status/{token}").get_data(as_text=True)
    assert "Wij antwoorden uiterlijk" not in status
    assert "Bakkerij Brood B.V. beantwoordt uw verzoek zelf, uiterlijk di 7 apr 2026." in status
    assert "privacy@brood.example" in status and "010-1234567" in status
    client.get("/lang/en")
    english = client.get(f"/status/{token}").get_data(as_text=True)
    assert "We answer no later than" not in english
    assert "Bakkerij Brood B.V. answers your request itself, no later than" in english
