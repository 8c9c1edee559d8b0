"""What every answer letter says (docs/legal.md, "What each letter says"): for every right
and every outcome it may have, in Dutch and English, the letter as sent says what was done,
gives the reasons and grounds of anything refused, says what the subject can do next with
the complaint and court information where Art. 12(4) requires it, and is signed by a named
organisation. Plus the two rules of rights.answer_rules: an access request where nothing was
found is answered without a package, and an Art. 23 restriction records its scope and
whether the subject is told."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from operations import answers as answer_ops
from operations.answers import Decision
from rights import answers
from rights.answer_rules import Restriction, check_restriction, package_required
from rights.answers import REMEDY_NOTICE_EN, REMEDY_NOTICE_NL
from rights.audit import Actor
from rights.errors import InvalidTransition, ValidationFailed
from rights.models.case import AnswerLetter
from rights.models.casework import CaseNote
from rights.models.org import OrganisationKind
from rights.models.request import Channel, Outcome, RequestState
from rights.models.source import MatchStatus, SubjectMatch
from rights.righttypes import (
    AccessDetails,
    ErasureDetails,
    ObjectionDetails,
    PortabilityDetails,
    RectificationDetails,
    RestrictionDetails,
    WithdrawConsentDetails,
)
from rights.sources.discovery import discover
from tests.helpers import ops_context

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
OPERATOR = "Privacybureau Voorbeeld B.V."
REASONS = "Een concrete reden voor deze beslissing."
# (details, the ground a refusal cites, the basis it needs)
RIGHTS = {
    "access": (AccessDetails(), "art_15_4", None),
    "rectification": (
        RectificationDetails(which_data="Adres", correct_value="Dorpsstraat 11"),
        "art_16_accurate",
        None,
    ),
    "erasure": (ErasureDetails(), "art_17_3_e", None),
    "restriction": (RestrictionDetails(), "art_18_1_no_condition", None),
    "portability": (PortabilityDetails(), "art_20_1_not_applicable", None),
    "objection_21_1": (
        ObjectionDetails(basis="particular_situation", situation="Ik word gevolgd."),
        "art_21_1_compelling",
        "legitimate_interests",
    ),
    "objection_21_3": (ObjectionDetails(basis="direct_marketing"), None, None),
    "withdraw_consent": (WithdrawConsentDetails(which_consent="Nieuwsbrief"), None, None),
}
CASES = [
    (name, outcome)
    for name, (_d, ground, _b) in RIGHTS.items()
    for outcome in ("fulfilled", "partially_fulfilled", "refused")
    if outcome == "fulfilled" or ground
]
WORDS = {
    "nl": {
        "done": ("Wat wij deden", "artikel 7 lid 3", "artikel 21 lid 3"),
        "part": "Wij hebben een deel gedaan",
        "refused": "Wij kunnen uw verzoek niet inwilligen",
        "grounds": "Wettelijke gronden",
        "reasons": "Onze redenen",
        "next": "Wat u nu kunt doen",
        "complaint": "Autoriteit Persoonsgegevens",
        "dear": "Beste Eva de Boer,",
        "regards": "Met vriendelijke groet,",
        "old": "Wij hebben gedaan wat u vroeg",
    },
    "en": {
        "done": ("What we did", "Article 7(3)", "Article 21(3)"),
        "part": "We have done part of what you asked",
        "refused": "We cannot grant your request",
        "grounds": "Legal grounds",
        "reasons": "Our reasons",
        "next": "What you can do next",
        "complaint": "Autoriteit Persoonsgegevens",
        "dear": "Dear Eva de Boer,",
        "regards": "Kind regards,",
        "old": "We have done what you asked",
    },
}


@pytest.fixture
def operator(make_org):
    return make_org(kind=OrganisationKind.OPERATOR, name=OPERATOR, slug="operator-test")


@pytest.fixture
def officer(make_user):
    return Actor.user(make_user(name="Olga Officer").id)


def _searched(app, db_session, request, officer):
    """The sources in scope were searched (none hold this subject)."""
    discover(
        db_session, request, actor=officer, now=NOW, key=ops_context(app, db_session).source_keys()
    )


def _sent(app, db_session, request, officer, decision: Decision) -> str:
    ctx = ops_context(app, db_session, actor=officer, now=NOW)
    letter = answer_ops.prepare_answer(ctx, request, decision)
    answers.send_answer(db_session, request, letter, actor=officer, now=NOW)
    db_session.commit()
    return letter.body


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize(("name", "outcome"), CASES)
def test_every_letter_has_what_section_4_requires(
    app, db_session, make_request, operator, officer, name, outcome, language
):
    details, ground, basis = RIGHTS[name]
    request = make_request(
        details, received_at=NOW - timedelta(days=2), channel=Channel.EMAIL, language=language,
        organisation_id=operator.id,
    )  # fmt: skip
    _searched(app, db_session, request, officer)
    fulfilled = outcome == "fulfilled"
    decision = Decision.parse(
        outcome, [] if fulfilled else [ground], "" if fulfilled else REASONS, None, basis=basis
    )
    body = _sent(app, db_session, request, officer, decision)
    words = WORDS[language]
    assert body.startswith(words["dear"]) and request.reference in body
    assert words["old"] not in body
    assert words["next"] in body
    signature = body.split(words["regards"], 1)[1]
    assert OPERATOR in signature and "DSR Portal" not in signature
    if outcome != "refused":  # what was done
        assert any(text in body for text in words["done"]), body
    if fulfilled:
        assert words["complaint"] in body  # Art. 15(1)(f) / what the subject can do next
        assert REMEDY_NOTICE_NL not in body
    else:  # Art. 12(4): reasons, ground, complaint and court, in both languages
        assert words["part" if outcome == "partially_fulfilled" else "refused"] in body
        assert words["grounds"] in body and words["reasons"] in body and REASONS in body
        assert REMEDY_NOTICE_NL in body and REMEDY_NOTICE_EN in body
    if name == "access" and fulfilled:  # nothing found: said so, no package needed
        found = {"nl": "geen persoonsgegevens over u gevonden", "en": "found no personal data"}
        assert found[language] in body


def test_access_with_nothing_found_is_fulfilled_without_a_package_only_after_a_search(
    app, db_session, make_request, operator, officer
):
    request = make_request(
        AccessDetails(), received_at=NOW - timedelta(days=2), organisation_id=operator.id,
        channel=Channel.EMAIL,
    )  # fmt: skip
    ctx = ops_context(app, db_session, actor=officer, now=NOW)
    assert package_required(db_session, request)  # nobody searched: not known
    letter = answer_ops.prepare_answer(ctx, request, Decision(Outcome.FULFILLED))
    with pytest.raises(InvalidTransition) as err:
        answers.send_answer(db_session, request, letter, actor=officer, now=NOW)
    assert err.value.code == "package_required"
    db_session.rollback()
    _searched(app, db_session, request, officer)
    db_session.commit()
    assert not package_required(db_session, request)
    letter = answer_ops.prepare_answer(ctx, request, Decision(Outcome.FULFILLED))
    answers.send_answer(db_session, request, letter, actor=officer, now=NOW)
    assert request.state is RequestState.ANSWERED
    assert "geen persoonsgegevens over u gevonden" in letter.body


def test_a_candidate_match_means_a_package_is_owed(
    app, db_session, make_request, operator, officer, make_org
):
    from rights.models.source import DataSource, SourceKind

    request = make_request(AccessDetails(), received_at=NOW - timedelta(days=2))
    _searched(app, db_session, request, officer)
    source = DataSource(slug="s-candidate", name="Bron", kind=SourceKind.MANUAL,
                        organisation_id=make_org().id, purposes=["x"], legal_basis=[],
                        categories=[], retention="", source_of_data="", recipients=[],
                        mapping={}, created_at=NOW, updated_at=NOW)  # fmt: skip
    db_session.add(source)
    db_session.flush()
    db_session.add(
        SubjectMatch(request_id=request.id, source_id=source.id, locator={}, locator_key="k",
                     matched_by="email", identifier_verified=True,
                     status=MatchStatus.CANDIDATE, found_at=NOW)
    )  # fmt: skip
    db_session.flush()
    assert package_required(db_session, request)


def test_an_art_23_restriction_records_its_scope_and_whether_the_subject_is_told():
    assert check_restriction(["art_15_4"], [], None) is None
    for grounds, scope, prejudicial, code in (
        (["art_23_1_d"], [], False, "restriction_scope"),
        (["art_23_1_d"], ["  "], True, "restriction_scope"),
        (["art_23_1_d"], ["Onderzoeksdossier"], None, "restriction_prejudice"),
        (["art_15_4"], ["Onderzoeksdossier"], False, "restriction_scope"),
    ):
        with pytest.raises(ValidationFailed) as err:
            check_restriction(grounds, scope, prejudicial)
        assert err.value.code == code
    restriction = check_restriction(["art_23_1_d"], ["Onderzoeksdossier", ""], True)
    assert restriction == Restriction(("Onderzoeksdossier",), True)
    assert Restriction.from_json(restriction.as_json()) == restriction


@pytest.mark.parametrize("prejudicial", [False, True])
def test_the_letter_says_less_when_telling_would_prejudice_the_restriction(
    app, db_session, make_request, operator, officer, prejudicial
):
    request = make_request(
        AccessDetails(), received_at=NOW - timedelta(days=2), channel=Channel.EMAIL,
        language="en", organisation_id=operator.id,
    )  # fmt: skip
    _searched(app, db_session, request, officer)
    decision = Decision.parse(
        "refused", ["art_23_1_d"], "Lopend strafrechtelijk onderzoek.", None,
        review_on="2026-06-01", scope=["The investigation file"], prejudicial=prejudicial,
    )  # fmt: skip
    body = _sent(app, db_session, request, officer, decision)
    letter = db_session.scalar(select(AnswerLetter).where(AnswerLetter.request_id == request.id))
    assert letter.extra["art_23"] == {
        "scope": ["The investigation file"],
        "prejudicial": prejudicial,
    }
    note = db_session.scalar(
        select(CaseNote).where(
            CaseNote.request_id == request.id, CaseNote.kind == "art_23_restriction"
        )
    )
    assert "The investigation file" in note.body and "Lopend strafrechtelijk" in note.body
    assert json.loads(note.body)["prejudicial"] is prejudicial
    hidden = ("Art. 23", "investigation file", "Lopend strafrechtelijk", REMEDY_NOTICE_EN)
    if prejudicial:  # Art. 23(2)(h): nothing of the restriction reaches the subject
        assert not any(text in body for text in hidden), body
        assert "We cannot grant your request" not in body
    else:
        assert all(text in body for text in hidden)
        assert "What we do not give you because of this restriction" in body
    again = answer_ops.draft_decision(letter)
    assert again.scope == ("The investigation file",) and again.prejudicial is prejudicial


def test_the_domain_refuses_an_art_23_answer_without_its_record(db_session, make_request, officer):
    request = make_request(AccessDetails(), received_at=NOW - timedelta(days=2))
    with pytest.raises(ValidationFailed) as err:
        answers.prepare_answer(
            db_session, request, Outcome.REFUSED, ["art_23_1_d"], "Onderzoek.", "Beste,\n\nA.",
            actor=officer, now=NOW, review_on=date(2026, 6, 1),
        )  # fmt: skip
    assert err.value.code == "restriction_scope"


@pytest.mark.parametrize("language", ["nl", "en"])
def test_the_access_letter_says_how_to_get_the_released_package(
    app, db_session, make_request, operator, officer, language
):
    from tests.helpers import release_test_package

    request = make_request(
        AccessDetails(), received_at=datetime.now(UTC) - timedelta(days=2), channel=Channel.EMAIL,
        language=language, organisation_id=operator.id,
    )  # fmt: skip
    release_test_package(db_session, request)
    from rights.models.package import Package

    package = db_session.scalar(select(Package).where(Package.request_id == request.id))
    package.formats = ["html", "json"]
    db_session.commit()
    ctx = ops_context(app, db_session, actor=officer)
    body = answer_ops.compose_answer(ctx, request, Decision(Outcome.FULFILLED)).text
    link = {"nl": "Uw gegevens downloaden", "en": "Download your data"}[language]
    until = {"nl": "De link werkt tot", "en": "The link works until"}[language]
    assert link in body and until in body and "manifest.json" in body
    assert "summary.html" in body and "data/package.json" in body and "xlsx" not in body
