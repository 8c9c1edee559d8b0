"""Instructions from the controller: a designated contact files a request they received
themselves; it becomes an open, identity-verified request of their organisation in the
staff queue, marked as an instruction, whose named actions need no further approval
(docs/controllers.md)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from rights.actions import prepare_action
from rights.audit import Actor
from rights.controllers.approvals import is_approved
from rights.models.casework import IdentityCheck
from rights.models.request import IdentityStatus, RequestState, RightsRequest
from rights.models.source import ActionKind
from tests.helpers import csrf_token
from tests.portal.controller.results_world import build, freeze
from tests.rights.controllers.conftest import confirm_all
from tests.rights.sources.conftest import KEY


def _post(client, **fields):
    token = csrf_token(client.get("/controller/instructions/new"))
    data = {
        "csrf_token": token,
        "right": "erasure",
        "name": "Kees Visser",
        "email": "kees@example.nl",
        "received_date": "2026-03-02",
        "channel": "post",
        "actions": ["erase"],
        "note": "Per brief ontvangen.",
        **fields,
    }
    return client.post("/controller/instructions/new", data=data)


def test_an_instruction_is_a_request_in_the_queue_and_approves_what_it_names(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    login(world.a.contact)
    resp = _post(client)
    assert resp.status_code == 303
    request = db_session.scalar(
        select(RightsRequest).where(RightsRequest.instructed_by_id == world.a.contact.id)
    )
    assert request.organisation_id == world.a.org.id
    assert request.state is RequestState.OPEN
    assert request.instructed_actions == ["erase"]
    assert request.identity_status is IdentityStatus.VERIFIED
    assert request.receipt_date == date(2026, 3, 2)  # the deadline counts from their date
    check = db_session.scalar(select(IdentityCheck).where(IdentityCheck.request_id == request.id))
    assert check.method == "controller_instruction" and check.checked_by_id == world.a.contact.id
    assert request.reference in client.get(resp.headers["Location"]).get_data(as_text=True)

    # The staff queue and case page mark it as a controller instruction, in words.
    login(world.officer)
    queue = client.get("/staff/").get_data(as_text=True)
    assert request.reference in queue and "Instructie van de verwerkingsverantwoordelijke" in queue
    case = client.get(f"/staff/requests/{request.reference}").get_data(as_text=True)
    assert "Ingestaan door de verwerkingsverantwoordelijke" in case

    # Its erase needs no further approval; an action of another kind does.
    officer = Actor.user(world.officer.id)
    confirm_all(db_session, request, officer, now)
    erase = prepare_action(
        db_session, request, world.a.source, ActionKind.ERASE, actor=officer, now=now, key=KEY
    )
    restrict = prepare_action(
        db_session, request, world.a.source, ActionKind.RESTRICT, actor=officer, now=now, key=KEY
    )
    assert is_approved(db_session, erase) is True
    assert is_approved(db_session, restrict) is False


def test_instruction_errors_are_words_on_the_field(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    login(world.a.contact)
    before = db_session.scalar(select(RightsRequest.id).order_by(RightsRequest.id.desc()))
    cases = (
        ({"received_date": (now + timedelta(days=2)).date().isoformat()}, "toekomst"),
        ({"actions": ["rectify"]}, "handeling die bij dit recht past"),
        ({"actions": []}, "handeling die bij dit recht past"),
        ({"email": "", "phone": "", "customer_number": ""}, "klantnummer"),
        ({"received_date": "2026-02-31"}, "geldige datum"),
        ({"name": ""}, "naam van de betrokkene"),
        # A date far back (year 1 overflowed converting to UTC: a 500) is refused like the
        # API's submitted_time: at most OPENDSR_MAX_AGE_DAYS (90) days ago.
        ({"received_date": "0001-01-01"}, "90 dagen geleden"),
        ({"received_date": (now - timedelta(days=91)).date().isoformat()}, "90 dagen geleden"),
        # Only spaces is no name; an identifier the portal cannot search by is refused on its
        # field instead of filing a request whose subject can never be found.
        ({"name": "   "}, "naam van de betrokkene"),
        ({"email": "", "phone": "abc"}, "geen geldig telefoonnummer"),
        ({"email": "kees@example"}, "geen e-mailadres"),
        ({"email": "", "customer_number": "---"}, "geen geldig klantnummer"),
    )
    for fields, words in cases:
        resp = _post(client, **fields)
        assert resp.status_code == 422, fields
        assert words in resp.get_data(as_text=True), fields
    latest = db_session.scalar(select(RightsRequest.id).order_by(RightsRequest.id.desc()))
    assert latest == before  # nothing stored


def test_a_nul_character_in_a_name_or_address_is_dropped_not_a_server_error(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    """A NUL pasted into the name or e-mail address (PostgreSQL refuses it in text: a 500
    there) is removed like in every other text field of the portal."""
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    login(world.a.contact)
    resp = _post(client, name="Kees\x00 Visser", email="kees\x00@example.nl")
    assert resp.status_code == 303
    request = db_session.scalar(
        select(RightsRequest).where(RightsRequest.instructed_by_id == world.a.contact.id)
    )
    assert request.requester_name == "Kees Visser"
    assert request.requester_email == "kees@example.nl"


def test_no_instruction_is_taken_once_the_contract_ended(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    """After the end of the contract (Art. 28(3)(g)) the processor deleted the controller's
    data; an instruction then would start processing again: refused in words, nothing filed."""
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    world.a.org.contract_ended_at = now - timedelta(days=1)
    db_session.commit()
    login(world.a.contact)
    resp = _post(client)
    assert resp.status_code == 422
    assert "contract met uw organisatie is beëindigd" in resp.get_data(as_text=True)
    instructed = select(RightsRequest).where(RightsRequest.instructed_by_id == world.a.contact.id)
    assert db_session.scalar(instructed) is None


def test_a_colleague_who_is_not_designated_cannot_instruct(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    login(world.colleague)
    page = client.get("/controller/instructions/new")
    assert page.status_code == 403
    html = page.get_data(as_text=True)
    assert "aangewezen contactpersonen" in html and 'name="received_date"' not in html
    token = csrf_token(client.get("/controller/files/"))
    resp = client.post(
        "/controller/instructions/new",
        data={"csrf_token": token, "right": "erasure", "name": "X", "email": "x@example.nl",
              "received_date": "2026-03-02", "actions": ["erase"]},
    )  # fmt: skip
    assert resp.status_code == 403
    assert (
        db_session.scalar(
            select(RightsRequest).where(RightsRequest.requester_email == "x@example.nl")
        )
        is None
    )


def test_the_subjects_language_is_chosen_on_the_instruction_and_defaults_to_the_contacts(
    app, client, login, db_session, make_org, make_user, make_request, now
):
    """The complaint: "I filed an instruction for an English-speaking customer and you wrote
    to him in Dutch"."""
    freeze(app, now)
    world = build(db_session, make_org, make_user, make_request, now)
    world.a.contact.language = "en"
    db_session.commit()
    login(world.a.contact)
    form = client.get("/controller/instructions/new").get_data(as_text=True)
    assert '<option value="en" selected>' in form  # the contact's own language
    assert "Taal van de betrokkene" in form

    def filed(**fields):
        assert _post(client, **fields).status_code == 303
        return db_session.scalars(
            select(RightsRequest)
            .where(RightsRequest.instructed_by_id == world.a.contact.id)
            .order_by(RightsRequest.id.desc())
        ).first()

    english = filed(language="en", email="john@example.com")
    assert english.language == "en"  # every mail and letter to the subject follows it
    assert filed(language="nl", email="jan@example.nl").language == "nl"
    assert filed(email="left@example.nl").language == "en"  # left out: the contact's

    refused = _post(client, language="de")
    assert refused.status_code == 422
    assert "Kies de taal van de betrokkene." in refused.get_data(as_text=True)
