"""Answers in the controller's name (docs/controllers.md): the letter and the mails of a
controller's request say they are written on the controller's behalf, with its contact
details, what was done per source and what the controller refused and why; the complaint
text names the controller. The operator's own requests keep their letters; a controller who
answers itself gets no letter from the processor (P-4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from operations import answers as answer_ops
from operations.answers import Decision
from portal.mail import render
from rights.answers import REMEDY_NOTICE_EN, REMEDY_NOTICE_NL
from rights.audit import Actor
from rights.errors import Conflict
from rights.intake import submit
from rights.models.controller import ControllerDecision, DecisionKind
from rights.models.mail import OutboxMail
from rights.models.org import Answering, OrganisationKind, Role
from rights.models.request import Channel, Outcome
from rights.models.source import ActionKind, ActionStatus, DataSource, SourceAction, SourceKind
from rights.requests import Intake, Requester
from rights.righttypes import ErasureDetails
from tests.helpers import ops_context

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
WORDS = {
    "nl": {
        "behalf": "namens Bakkerij Jansen",
        "done": "Wat wij hebben gewist:\n- Klantenbestand: ",
        "done_again": "Wat er is gedaan:",
        "not_done": "Mailinglijst: uw gegevens zijn niet gewist.",
        "refused_head": "Wat Bakkerij Jansen heeft besloten niet te doen, en waarom:",
        "ground": "Bakkerij Jansen heeft uw verzoek geweigerd op deze grond:",
        "complaint": "Een klacht of verzoekschrift over deze beslissing betreft Bakkerij Jansen.",
        "mail": "namens Bakkerij Jansen",
        "ack": "Uw verzoek gaat over Bakkerij Jansen.",
        "ack_self": "Bakkerij Jansen antwoordt u zelf",
    },
    "en": {
        "behalf": "on behalf of Bakkerij Jansen",
        "done": "What we erased:\n- Klantenbestand: ",
        "done_again": "What was done:",
        "not_done": "Mailinglijst: your data were not erased.",
        "refused_head": "What Bakkerij Jansen decided not to do, and why:",
        "ground": "Bakkerij Jansen refused your request on this ground:",
        "complaint": "A complaint or petition about this decision concerns Bakkerij Jansen.",
        "mail": "on behalf of Bakkerij Jansen",
        "ack": "Your request is about Bakkerij Jansen.",
        "ack_self": "Bakkerij Jansen answers you itself",
    },
}


@pytest.fixture
def bakkerij(make_org):
    return make_org(
        name="Bakkerij Jansen",
        contact_name="Jan Jansen",
        contact_email="contact@bakkerij-jansen.example",
        contact_phone="010 123 45 67",
        address="Dorpsstraat 5\n1234 AB Ons Dorp",
        website="https://bakkerij-jansen.example",
    )


@pytest.fixture
def world(app, db_session, bakkerij, make_user, make_request):
    officer = make_user(Role.OFFICER)
    contact = make_user(Role.CONTROLLER, organisation=bakkerij, name="Jan Jansen")
    contact.designated = True
    sources = [
        DataSource(slug=f"{bakkerij.slug}-{n}", name=n, kind=SourceKind.FILE,
                   organisation_id=bakkerij.id, created_at=NOW, updated_at=NOW)
        for n in ("Klantenbestand", "Mailinglijst")
    ]  # fmt: skip
    db_session.add_all(sources)
    db_session.commit()
    return officer, contact, sources


def _request(make_request, org, language):
    return make_request(
        ErasureDetails(ground="d"),
        received_at=NOW - timedelta(days=3),
        channel=Channel.EMAIL,
        language=language,
        organisation_id=org.id,
    )


def _split(db_session, r, contact, sources, reason="Lopende bestelling; wij wissen later."):
    """One erasure executed (approved), the other rejected by the controller with a reason."""
    crm, mailing = sources
    done = SourceAction(
        request_id=r.id, source_id=crm.id, kind=ActionKind.ERASE,
        status=ActionStatus.EXECUTED, prepared_at=NOW, executed_at=NOW,
        result={"executed": [{"table": "customer", "op": "anonymise"}], "kept": []},
    )  # fmt: skip
    refused = SourceAction(
        request_id=r.id, source_id=mailing.id, kind=ActionKind.ERASE,
        status=ActionStatus.PREPARED, prepared_at=NOW,
    )  # fmt: skip
    db_session.add_all([done, refused])
    db_session.flush()
    for action, kind, why in (
        (done, DecisionKind.APPROVE, ""),
        (refused, DecisionKind.REJECT, reason),
    ):
        db_session.add(
            ControllerDecision(
                request_id=r.id, organisation_id=r.organisation_id, action_id=action.id,
                kind=kind, reason=why, decided_by_id=contact.id, decided_at=NOW,
            )
        )  # fmt: skip
    db_session.commit()


def _mail(app, db_session, r, template):
    mail = db_session.scalars(
        select(OutboxMail).where(OutboxMail.request_id == r.id, OutboxMail.template == template)
    ).one()
    with app.app_context():
        return render(db_session, mail).get_body().get_content()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_split_answer_is_written_on_behalf_of_the_controller(
    app, db_session, world, bakkerij, make_request, language
):
    officer, contact, sources = world
    r = _request(make_request, bakkerij, language)
    _split(db_session, r, contact, sources)
    ctx = ops_context(app, db_session, Actor.user(officer.id), NOW)
    decision = Decision(Outcome.PARTIALLY_FULFILLED, grounds=("art_17_3_e",),
                        reasons="De opdrachtgever heeft een lopende bestelling.")  # fmt: skip
    letter = answer_ops.prepare_answer(ctx, r, decision)
    words = WORDS[language]
    body = letter.body
    assert words["behalf"] in body
    assert words["done"] in body and words["not_done"] in body
    # The executed erasure is told once, under what was erased, not again as "what was done".
    assert body.count("Klantenbestand") == 1 and words["done_again"] not in body
    assert words["refused_head"] in body
    assert "Lopende bestelling; wij wissen later." in body
    for detail in ("Jan Jansen", "contact@bakkerij-jansen.example", "010 123 45 67",
                   "Dorpsstraat 5 1234 AB Ons Dorp", "https://bakkerij-jansen.example"):  # fmt: skip
        assert detail in body
    # Signed by the processor for the controller, last.
    assert body.rstrip().endswith(words["behalf"])
    answer_ops.save_answer(ctx, r, letter.body, send=True)
    db_session.commit()
    assert REMEDY_NOTICE_NL in letter.body and REMEDY_NOTICE_EN in letter.body
    # The complaint text says whom the complaint concerns, in both languages.
    assert WORDS["nl"]["complaint"] in letter.body and WORDS["en"]["complaint"] in letter.body
    assert words["mail"] in _mail(app, db_session, r, "answer_sent")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_controllers_refusal_ground_is_given_in_words(
    app, db_session, world, bakkerij, make_request, language
):
    officer, contact, _ = world
    r = _request(make_request, bakkerij, language)
    db_session.add(
        ControllerDecision(
            request_id=r.id, organisation_id=bakkerij.id, kind=DecisionKind.REFUSE,
            ground="art_17_3_e", reason="Er loopt een geschil over de laatste factuur.",
            decided_by_id=contact.id, decided_at=NOW,
        )
    )  # fmt: skip
    db_session.commit()
    ctx = ops_context(app, db_session, Actor.user(officer.id), NOW)
    decision = Decision(Outcome.REFUSED, grounds=("art_17_3_e",), reasons="Zie hierboven.")
    body = answer_ops.compose_answer(ctx, r, decision).text
    assert WORDS[language]["ground"] in body
    expected = {"nl": "art. 17 lid 3 sub e AVG", "en": "Art. 17(3)(e) GDPR: legal claims"}
    assert expected[language].lower() in body.lower()
    assert "Er loopt een geschil over de laatste factuur." in body


def test_the_operators_own_request_keeps_its_letter(app, db_session, world, make_org, make_request):
    officer, _, _ = world
    operator = make_org(OrganisationKind.OPERATOR, name="Mailhuis")
    r = _request(make_request, operator, "en")
    ctx = ops_context(app, db_session, Actor.user(officer.id), NOW)
    letter = answer_ops.prepare_answer(
        ctx, r, Decision(Outcome.REFUSED, grounds=("art_17_3_e",), reasons="A dispute.")
    )
    assert "on behalf of" not in letter.body and "What was done" not in letter.body
    assert "This is our answer to your request" in letter.body
    answer_ops.save_answer(ctx, r, letter.body, send=True)
    db_session.commit()
    assert REMEDY_NOTICE_EN in letter.body and "concerns" not in letter.body
    assert "on behalf of" not in _mail(app, db_session, r, "answer_sent")


def test_no_letter_when_the_controller_answers_itself(
    app, db_session, world, bakkerij, make_request
):
    officer, _, _ = world
    r = _request(make_request, bakkerij, "nl")
    r.controller_answers = True
    db_session.commit()
    ctx = ops_context(app, db_session, Actor.user(officer.id), NOW)
    with pytest.raises(Conflict) as refused:
        answer_ops.prepare_answer(ctx, r, Decision(Outcome.FULFILLED))
    assert refused.value.code == "controller_answers"
    db_session.rollback()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_acknowledgement_names_the_controller_and_promises_nothing_in_its_place(
    app, db_session, bakkerij, make_org, language, policy
):
    words = WORDS[language]
    self_answering = make_org(name="Bakkerij Jansen", answering=Answering.CONTROLLER)
    made = []
    for org in (bakkerij, self_answering):
        intake = Intake(
            right=ErasureDetails.kind, details=ErasureDetails(ground="d"),
            requester=Requester(name="Pieter Smit", email="p.smit@example.nl"),
            received_at=NOW, channel=Channel.WEB, language=language, organisation_id=org.id,
        )  # fmt: skip
        made.append(submit(db_session, [intake], form_key=f"k-{org.id}", now=NOW, policy=policy)[0])
    db_session.commit()
    processor_answers = _mail(app, db_session, made[0], "acknowledgement")
    assert words["ack"] in processor_answers and words["mail"] in processor_answers
    controller_answers = _mail(app, db_session, made[1], "acknowledgement")
    assert words["ack"] in controller_answers and words["ack_self"] in controller_answers
    assert words["mail"] not in controller_answers
