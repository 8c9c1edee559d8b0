"""The answer to a request: outcome, legal grounds that match the right and the basis of the
processing (``rights.grounds``), the letter in the subject's language, and (whenever anything
is refused, an erasure that kept data included) the complaint and court information of
Art. 12(4) GDPR in Dutch and English (docs/legal.md). Drafts are editable; sending fixes the
letter, answers the request and mails a notice (without the content) to the subject.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import answer_rules as rules
from rights import audit, lifecycle
from rights import grounds as legal
from rights.audit import Actor
from rights.controllers.authority import controller_of
from rights.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from rights.grounds import Basis
from rights.models.case import AnswerLetter
from rights.models.casework import CaseNote
from rights.models.org import Organisation
from rights.models.request import Outcome, RequestState, RightsRequest
from rights.outbox import queue_mail
from rights.righttypes import RightType

MAX_LETTER = 50_000
# docs/legal.md: a request refused as manifestly unfounded or excessive (Art. 12(5)(b)).
MANIFESTLY = ("unfounded", "excessive")

# Art. 12(4) GDPR with the Dutch specifics (docs/legal.md, "Complaint text"). Always in both
# languages, never editable: the officer edits the letter, the system appends this.
REMEDY_NOTICE_NL = (
    "Bent u het niet eens met deze beslissing? U kunt een klacht indienen bij de "
    "Autoriteit Persoonsgegevens, Postbus 93374, 2509 AJ Den Haag, "
    "autoriteitpersoonsgegevens.nl (artikel 77 AVG). U kunt ook naar de rechter: binnen "
    "zes weken na ontvangst van dit antwoord kunt u een verzoekschrift indienen bij de "
    "rechtbank (artikel 79 AVG, artikel 35 UAVG; is de verwerkingsverantwoordelijke een "
    "bestuursorgaan, dan staan bezwaar en beroep open volgens de Algemene wet "
    "bestuursrecht, artikel 34 UAVG)."
)
REMEDY_NOTICE_EN = (
    "Do you disagree with this decision? You can lodge a complaint with the Dutch "
    "supervisory authority, the Autoriteit Persoonsgegevens, PO Box 93374, 2509 AJ The "
    "Hague, the Netherlands, autoriteitpersoonsgegevens.nl (Article 77 GDPR). You can also "
    "go to court: within six weeks of receiving this answer you can file a petition with "
    "the district court (rechtbank) (Article 79 GDPR, Article 35 UAVG; if the controller is "
    "a public body, objection and appeal under the Dutch General Administrative Law Act "
    "apply, Article 34 UAVG)."
)


# The processor answers on a controller's behalf (docs/controllers.md, "Answers in the
# controller's name"): the complaint concerns the controller, and the subject is told so.
ON_BEHALF_NL = (
    "Wij geven dit antwoord namens {name}, de verwerkingsverantwoordelijke voor uw "
    "gegevens. Een klacht of verzoekschrift over deze beslissing betreft {name}."
)
ON_BEHALF_EN = (
    "We give this answer on behalf of {name}, the controller of your data. A complaint or "
    "petition about this decision concerns {name}."
)


def on_behalf_of(request: RightsRequest) -> Organisation | None:
    """The controller in whose name the request is answered: the request's organisation
    when it is a controller; None for the operator's own requests and unknown ones."""
    return controller_of(request)


def remedy_notice(controller: str = "") -> str:
    """The Art. 12(4) text in Dutch and English; naming ``controller`` when the processor
    answers on its behalf."""
    if not controller:
        return f"{REMEDY_NOTICE_NL}\n\n{REMEDY_NOTICE_EN}"
    nl = ON_BEHALF_NL.format(name=controller)
    en = ON_BEHALF_EN.format(name=controller)
    return f"{nl} {REMEDY_NOTICE_NL}\n\n{en} {REMEDY_NOTICE_EN}"


def remedy_notice_for(request: RightsRequest) -> str:
    org = on_behalf_of(request)
    return remedy_notice(org.name if org else "")


def allowed_grounds(request: RightsRequest, basis: Basis | None = None) -> tuple[str, ...]:
    """The legal grounds an answer to this request may cite (``rights.grounds``): for the
    stated basis, or every ground that applies under some basis."""
    if basis is None:
        return legal.possible_grounds(request.right, request.details)
    allowed = legal.grounds_for(request.right, basis, details=request.details)
    return tuple(g for g in legal.possible_grounds(request.right, request.details) if g in allowed)


def check_answer(
    request: RightsRequest,
    outcome: Outcome,
    grounds: list[str],
    reasons: str,
    manifestly: str | None = None,
    *,
    basis: Basis | None = None,
    review_on: date | None = None,
) -> None:
    """Raise ``ValidationFailed`` unless outcome, grounds, basis and reasons fit together
    (docs/legal.md). Codes: ``refusal_not_allowed`` (an objection to direct marketing or a
    withdrawal of consent), ``ground_mismatch``, ``ground_extra``, ``ground_required``,
    ``reasons_required``, ``basis_required``, ``review_required`` (an Art. 23 / UAVG
    art. 41 restriction without its review date), ``other_basis_explanation`` (a
    withdrawal while data stay processed on another basis, unexplained), ``manifestly*``."""
    fulfilled = outcome is Outcome.FULFILLED
    if not fulfilled and not legal.can_refuse(request.right, request.details):
        raise ValidationFailed("this request cannot be refused", code="refusal_not_allowed")
    possible = legal.possible_grounds(request.right, request.details)
    if any(g not in possible for g in grounds):
        raise ValidationFailed("ground does not match the right", code="ground_mismatch")
    if fulfilled and grounds:
        raise ValidationFailed("a fulfilled request cites no refusal ground", code="ground_extra")
    if not fulfilled:
        if not grounds:
            raise ValidationFailed("choose at least one legal ground", code="ground_required")
        legal.check_grounds(request.right, request.details, grounds, basis)
        if not reasons.strip():
            raise ValidationFailed("give the reasons", code="reasons_required")
    if any(g in legal.ART_23 for g in grounds) and review_on is None:
        raise ValidationFailed("an Art. 23 restriction needs a review date", code="review_required")
    other_basis = basis is not None and basis is not Basis.CONSENT
    if request.right is RightType.WITHDRAW_CONSENT and other_basis and not reasons.strip():
        raise ValidationFailed(
            "explain the processing on the other basis", code="other_basis_explanation"
        )
    if manifestly is not None:
        if manifestly not in MANIFESTLY:
            raise ValidationFailed("unknown kind", code="manifestly")
        if outcome is not Outcome.REFUSED or "art_12_5" not in grounds:
            raise ValidationFailed(
                "a manifestly unfounded or excessive request is refused under Art. 12(5)",
                code="manifestly_ground",
            )


def current_draft(session: Session, request: RightsRequest) -> AnswerLetter | None:
    return session.scalar(
        select(AnswerLetter)
        .where(AnswerLetter.request_id == request.id, AnswerLetter.sent_at.is_(None))
        .order_by(AnswerLetter.id.desc())
        .limit(1)
    )


def sent_letters(session: Session, request: RightsRequest) -> list[AnswerLetter]:
    return list(
        session.scalars(
            select(AnswerLetter)
            .where(AnswerLetter.request_id == request.id, AnswerLetter.sent_at.is_not(None))
            .order_by(AnswerLetter.id)
        )
    )


def ensure_processor_answers(request: RightsRequest) -> None:
    """P-4: when the controller answers the subject itself, the processor sends the subject
    no answer of substance (``Conflict`` ``controller_answers``, docs/controllers.md)."""
    if request.controller_answers:
        raise Conflict("The controller answers the subject itself.", code="controller_answers")


def prepare_answer(
    session: Session,
    request: RightsRequest,
    outcome: Outcome,
    grounds: list[str],
    reasons: str,
    body: str,
    *,
    actor: Actor,
    now: datetime,
    manifestly: str | None = None,
    basis: Basis | None = None,
    review_on: date | None = None,
    restriction: rules.Restriction | None = None,
) -> AnswerLetter:
    """Create (or replace) the draft letter. ``body`` is the text generated from the
    templates in the subject's language; the officer may edit it before sending.
    A manifestly unfounded/excessive decision, and reliance on an Art. 23 / UAVG art. 41
    restriction (with its review date), keep their justification as an internal note
    (docs/legal.md: document the facts)."""
    if request.state not in lifecycle.OPEN_STATES:
        raise InvalidTransition("request is not open", code="not_open")
    ensure_processor_answers(request)
    check_answer(request, outcome, grounds, reasons, manifestly, basis=basis, review_on=review_on)
    if any(g in legal.ART_23 for g in grounds) and restriction is None:
        raise ValidationFailed("record what is withheld", code="restriction_scope")
    text = _letter_text(body)
    letter = current_draft(session, request)
    if letter is None:
        letter = AnswerLetter(request_id=request.id, created_by_id=actor.id, created_at=now)
        session.add(letter)
    letter.outcome = outcome
    letter.grounds = list(grounds)
    letter.language = request.language
    letter.body = text
    letter.extra = _extra(manifestly, basis, review_on)
    if restriction is not None:  # Art. 23: scope and the Art. 23(2)(h) decision
        letter.extra["art_23"] = restriction.as_json()
    letter.updated_at = now
    request.updated_at = now
    session.flush()
    if manifestly:
        _note(session, request, f"manifestly_{manifestly}", reasons.strip(), actor, now)
    restrictions = [g for g in grounds if g in legal.ART_23]
    if restrictions and review_on is not None:
        # Stored as data (JSON): the case page says it in the reader's words
        # (portal/staff/details.py, note_text).
        facts = {
            "grounds": restrictions,
            "review_on": review_on.isoformat(),
            "withheld": list(restriction.scope) if restriction else [],
            "prejudicial": bool(restriction and restriction.prejudicial),
            "reasons": reasons.strip(),
        }
        body_ = json.dumps(facts, ensure_ascii=False)
        _note(session, request, "art_23_restriction", body_, actor, now)
    audit.record(
        session,
        "answer.drafted",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="answer_letter",
        object_id=letter.id,
        data={
            "outcome": outcome.value,
            "grounds": list(grounds),
            "manifestly": manifestly,
            "basis": basis.value if basis else None,
        },
    )
    return letter


def _extra(manifestly: str | None, basis: Basis | None, review_on: date | None) -> dict[str, Any]:
    extra: dict[str, Any] = {"manifestly": manifestly} if manifestly else {}
    if basis is not None:
        extra["basis"] = basis.value
    if review_on is not None:
        extra["review_on"] = review_on.isoformat()
    return extra


def _note(
    session: Session, request: RightsRequest, kind: str, body: str, actor: Actor, now: datetime
) -> None:
    session.add(
        CaseNote(request_id=request.id, kind=kind, body=body, author_id=actor.id, created_at=now)
    )


def _letter_text(body: str) -> str:
    text = body.replace("\x00", "").replace("\r\n", "\n").strip()
    if not text:
        raise ValidationFailed("the letter is empty", code="letter_empty")
    if len(text) > MAX_LETTER:
        raise ValidationFailed("the letter is too long", code="letter_too_long")
    return text


def edit_answer(
    session: Session,
    request: RightsRequest,
    letter: AnswerLetter,
    body: str,
    *,
    actor: Actor,
    now: datetime,
) -> None:
    if letter.sent_at is not None or letter.request_id != request.id:
        raise InvalidTransition("the letter was already sent", code="letter_sent")
    text = _letter_text(body)
    changed = text != letter.body
    letter.body = text
    letter.updated_at = now
    request.updated_at = now
    if changed and letter.extra.get("approved_by"):
        # An approval covers the text that was approved, not a later edit.
        letter.extra = {k: v for k, v in letter.extra.items() if k != "approved_by"}
    audit.record(
        session,
        "answer.edited",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="answer_letter",
        object_id=letter.id,
    )


def needs_approval(letter: AnswerLetter) -> bool:
    """Art. 12(5) (docs/legal.md): refusing a request as manifestly unfounded or excessive
    needs a second person's approval before it is sent."""
    return bool(letter.extra.get("manifestly")) and not letter.extra.get("approved_by")


def approve_answer(
    session: Session, request: RightsRequest, letter: AnswerLetter, *, actor: Actor, now: datetime
) -> None:
    """A second officer approves an Art. 12(5) refusal. The officer who prepared the letter
    cannot approve it (``PermissionDenied``)."""
    if letter.sent_at is not None or letter.request_id != request.id:
        raise InvalidTransition("the letter was already sent", code="letter_sent")
    if not letter.extra.get("manifestly"):
        raise InvalidTransition("this letter needs no approval", code="no_approval_needed")
    if actor.kind != "user" or actor.id == letter.created_by_id:
        raise PermissionDenied("four eyes: another officer must approve", code="own_approval")
    letter.extra = {**letter.extra, "approved_by": actor.id, "approved_at": now.isoformat()}
    request.updated_at = now
    audit.record(
        session,
        "answer.approved",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="answer_letter",
        object_id=letter.id,
    )


def send_answer(
    session: Session, request: RightsRequest, letter: AnswerLetter, *, actor: Actor, now: datetime
) -> None:
    """Send the letter: it becomes fixed, the request is answered with the letter's outcome
    and the subject gets a mail that the answer is on the status page. Any refusal, and an
    erasure that kept data (Art. 17(3)), carries the complaint and court information in both
    languages (Art. 12(4)). An access request is "fulfilled" only with a released package
    (``InvalidTransition`` ``package_required``). On a controller's request a refusal needs
    the controller's decision (``PermissionDenied`` ``controller_refusal``, from the
    lifecycle), and nothing is sent when the controller answers itself (``Conflict``
    ``controller_answers``)."""
    if letter.sent_at is not None or letter.request_id != request.id:
        raise InvalidTransition("the letter was already sent", code="letter_sent")
    ensure_processor_answers(request)
    if needs_approval(letter):
        raise InvalidTransition("a second officer must approve first", code="approval_required")
    fulfilled = letter.outcome is Outcome.FULFILLED
    if (
        fulfilled
        and request.right is RightType.ACCESS
        and rules.package_required(session, request)  # nothing found: no copy owed
        and not rules.has_released_package(session, request)
    ):
        raise InvalidTransition(
            "an access request is fulfilled with a released package", code="package_required"
        )
    notice = remedy_notice_for(request)
    if rules.needs_remedy(session, request, letter) and notice not in letter.body:
        letter.body = f"{letter.body}\n\n{notice}"
    lifecycle.transition(
        session, request, RequestState.ANSWERED, actor=actor, now=now, outcome=letter.outcome
    )
    letter.sent_at = now
    letter.updated_at = now
    audit.record(
        session,
        "answer.sent",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="answer_letter",
        object_id=letter.id,
        data={
            "outcome": letter.outcome.value,
            "grounds": list(letter.grounds),
            "on_time": now < request.effective_due_end,
        },
    )
    if request.requester_email:
        queue_mail(
            session,
            to=request.requester_email,
            template="answer_sent",
            language=request.language,
            now=now,
            request_id=request.id,
            context={"letter_id": letter.id},
        )
