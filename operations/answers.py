"""Composing the answer: the letter text in the subject's language (``letters/answer.txt``
through the plain Jinja2 + Babel environment of ``operations.texts``) and the package it
refers to. The case page, ``dsr-portal answer draft`` and a future API show the same text.

The draft keeps the officer's decision (outcome, grounds, Art. 12(5) kind); with the reasons
the letter can be composed again without a web request, in either language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from exporters import labels
from operations.answer_controller import controller_answer
from operations.context import Context
from operations.letter_facts import letter_facts, signatory, worded_erasure
from operations.texts import N_, language_of
from rights import answers
from rights.answer_rules import Restriction, check_restriction
from rights.errors import NotFound, ValidationFailed
from rights.grounds import ART_23, Basis, is_direct_marketing_objection, parse_basis
from rights.models.case import AnswerLetter
from rights.models.package import Package
from rights.models.request import Outcome, RightsRequest
from rights.packages import released_packages
from rights.righttypes import RIGHTS, RightType, parse_details
from rights.sources.erasure import erasure_summary

TEMPLATE = "letters/answer.txt"
BLANK_LINES = re.compile(r"\n{3,}")
MAX_GROUNDS = 20

# The words for the legal grounds a letter cites (the same texts as the workspace labels).
GROUND_TEXTS: dict[str, str] = {
    "art_11_2": N_("Art. 11(2) GDPR: we cannot identify you"),
    "art_12_5": N_("Art. 12(5) GDPR: manifestly unfounded or excessive request"),
    "art_15_4": N_("Art. 15(4) GDPR: a copy would harm the rights and freedoms of others"),
    "art_16_accurate": N_("Art. 16 GDPR: the data are accurate"),
    "art_17_1_no_ground": N_("Art. 17(1) GDPR: none of the grounds for erasure applies"),
    "art_17_3_a": N_("Art. 17(3)(a) GDPR: freedom of expression and information"),
    "art_17_3_b": N_("Art. 17(3)(b) GDPR: a legal obligation or a task in the public interest"),
    "art_17_3_c": N_("Art. 17(3)(c) GDPR: public health"),
    "art_17_3_d": N_("Art. 17(3)(d) GDPR: archiving, research or statistics"),
    "art_17_3_e": N_("Art. 17(3)(e) GDPR: legal claims"),
    "art_18_1_no_condition": N_("Art. 18(1) GDPR: none of the conditions for restriction applies"),
    "art_20_1_not_applicable": N_(
        "Art. 20(1) GDPR: not based on consent or contract, or not automated"
    ),
    "art_20_4": N_("Art. 20(4) GDPR: would harm the rights and freedoms of others"),
    "art_21_1_not_applicable": N_(
        "Art. 21(1) GDPR: the processing is not based on Art. 6(1)(e) or (f) GDPR"
    ),
    "art_21_1_compelling": N_("Art. 21(1) GDPR: compelling legitimate grounds"),
    "art_21_1_legal_claims": N_(
        "Art. 21(1) GDPR: the establishment, exercise or defence of legal claims"
    ),
    "art_23_1_a": N_("Art. 23(1)(a) GDPR, art. 41(1)(a) UAVG: national security"),
    "art_23_1_b": N_("Art. 23(1)(b) GDPR, art. 41(1)(b) UAVG: defence"),
    "art_23_1_c": N_("Art. 23(1)(c) GDPR, art. 41(1)(c) UAVG: public security"),
    "art_23_1_d": N_(
        "Art. 23(1)(d) GDPR, art. 41(1)(d) UAVG: prevention, investigation or prosecution of "
        "criminal offences"
    ),
    "art_23_1_e": N_(
        "Art. 23(1)(e) GDPR, art. 41(1)(e) UAVG: another important objective of general "
        "public interest"
    ),
    "art_23_1_f": N_(
        "Art. 23(1)(f) GDPR, art. 41(1)(f) UAVG: judicial independence and proceedings"
    ),
    "art_23_1_g": N_(
        "Art. 23(1)(g) GDPR, art. 41(1)(g) UAVG: breaches of ethics for regulated professions"
    ),
    "art_23_1_h": N_(
        "Art. 23(1)(h) GDPR, art. 41(1)(h) UAVG: monitoring, inspection or regulatory functions"
    ),
    "art_23_1_i": N_(
        "Art. 23(1)(i) GDPR, art. 41(1)(i) UAVG: protection of you or of the rights and "
        "freedoms of others"
    ),
    "art_23_1_j": N_("Art. 23(1)(j) GDPR, art. 41(1)(j) UAVG: enforcement of civil-law claims"),
}


@dataclass(frozen=True)
class Decision:
    """What the officer decided; ``check`` raises ``ValidationFailed`` if it does not fit
    (grounds per right and basis, docs/legal.md)."""

    outcome: Outcome
    grounds: tuple[str, ...] = ()
    reasons: str = ""
    manifestly: str | None = None
    basis: Basis | None = None
    review_on: date | None = None
    # Art. 23 / UAVG art. 41: the parts withheld, and whether telling the subject would
    # prejudice the restriction's purpose (rights.answer_rules).
    scope: tuple[str, ...] = ()
    prejudicial: bool | None = None

    @classmethod
    def parse(
        cls,
        outcome: str,
        grounds: Sequence[str],
        reasons: str,
        manifestly: str | None,
        basis: str | None = None,
        review_on: str | None = None,
        scope: Sequence[str] = (),
        prejudicial: bool | None = None,
    ) -> Decision:
        try:
            chosen = Outcome(outcome)
        except ValueError:
            raise ValidationFailed("choose the outcome", code="ground_required") from None
        return cls(
            outcome=chosen,
            grounds=tuple(g.replace("\x00", "") for g in list(grounds)[:MAX_GROUNDS]),
            reasons=reasons.replace("\x00", "").strip(),
            manifestly=manifestly or None,
            basis=parse_basis(basis),
            review_on=_review_date(review_on or ""),
            scope=tuple(s.replace("\x00", "") for s in scope),
            prejudicial=prejudicial,
        )

    def restriction(self) -> Restriction | None:
        """The Art. 23 restriction (``ValidationFailed`` when scope or decision is missing)."""
        return check_restriction(self.grounds, self.scope, self.prejudicial)

    @property
    def withheld(self) -> bool:
        """Art. 23(2)(h): the letter says nothing of the restriction."""
        return bool(self.prejudicial) and any(g in ART_23 for g in self.grounds)

    def check(self, request: RightsRequest) -> None:
        answers.check_answer(
            request,
            self.outcome,
            list(self.grounds),
            self.reasons,
            self.manifestly,
            basis=self.basis,
            review_on=self.review_on,
        )
        self.restriction()


def _review_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise ValidationFailed("not a date", code="review_required") from None


@dataclass(frozen=True)
class Answer:
    """The composed letter and the export package it refers to (access and portability)."""

    text: str
    language: str
    package: Package | None


def referred_package(ctx: Context, request: RightsRequest) -> Package | None:
    """The newest released, unexpired package of an access or portability request."""
    if request.right not in (RightType.ACCESS, RightType.PORTABILITY):
        return None
    found = released_packages(ctx.session, request, ctx.now())
    return found[0] if found else None


def compose_answer(
    ctx: Context, request: RightsRequest, decision: Decision, *, language: str | None = None
) -> Answer:
    """The letter for ``decision`` in ``language`` (default: the subject's language); for a
    controller's request written on the controller's behalf (``operations.answer_controller``).
    ``Conflict`` ``controller_answers`` when the controller answers the subject itself."""
    texts = ctx.texts(language_of(language or request.language))

    def ground_label(code: str) -> str:
        return texts.gettext(GROUND_TEXTS[code]) if code in GROUND_TEXTS else code

    def basis_label(code: str) -> str:
        # One table of the Art. 6(1) bases for letters, pages and packages.
        return labels.basis_label(code, texts.language)

    answers.ensure_processor_answers(request)  # P-4: no letter when the controller answers
    package = referred_package(ctx, request)
    erasure = erasure_summary(ctx.session, request)
    withheld = decision.withheld
    shown = [g for g in decision.grounds if not (withheld and g in ART_23)]
    refused = decision.outcome is not Outcome.FULFILLED and bool(shown or not withheld)
    text = texts.render(
        TEMPLATE,
        r=request,
        controller=controller_answer(ctx.session, request, texts, ground_label),
        outcome=decision.outcome.value,
        grounds=shown,
        scope=list(decision.scope),
        withheld=withheld,
        remedy=refused or (request.right is RightType.ERASURE and bool(erasure.kept)),
        facts=letter_facts(ctx, request, package, texts),
        details=parse_details(request.right, request.details),
        reasons=decision.reasons.strip(),
        manifestly=decision.manifestly,
        ground_label=ground_label,
        basis=decision.basis.value if decision.basis else "",
        basis_label=basis_label,
        direct_marketing=is_direct_marketing_objection(request.right, request.details),
        article=RIGHTS[request.right].article,
        erasure=worded_erasure(erasure, texts.language),
        operator_name=signatory(ctx),
    )
    text = BLANK_LINES.sub("\n\n", text).strip()  # one blank line between the parts
    return Answer(text=text, language=texts.language, package=package)


def prepare_answer(ctx: Context, request: RightsRequest, decision: Decision) -> AnswerLetter:
    """Check the decision, compose the letter and keep it as the request's draft with the
    decision's outcome, grounds and Art. 12(5) kind (flushes; the caller commits)."""
    decision.check(request)
    answer = compose_answer(ctx, request, decision)
    letter = answers.prepare_answer(
        ctx.session,
        request,
        decision.outcome,
        list(decision.grounds),
        decision.reasons,
        answer.text,
        actor=ctx.actor,
        now=ctx.now(),
        manifestly=decision.manifestly,
        basis=decision.basis,
        review_on=decision.review_on,
        restriction=decision.restriction(),
    )
    return letter


def save_answer(ctx: Context, request: RightsRequest, body: str, *, send: bool) -> AnswerLetter:
    """Save the officer's text of the current draft and, with ``send``, send it (flushes;
    the caller commits). ``ValidationFailed`` when there is no draft."""
    letter = _draft(ctx, request)
    answers.edit_answer(ctx.session, request, letter, body, actor=ctx.actor, now=ctx.now())
    if send:
        answers.send_answer(ctx.session, request, letter, actor=ctx.actor, now=ctx.now())
    return letter


def approve_answer(ctx: Context, request: RightsRequest) -> AnswerLetter:
    """A second officer approves the draft's Art. 12(5) refusal (four eyes)."""
    letter = _draft(ctx, request)
    answers.approve_answer(ctx.session, request, letter, actor=ctx.actor, now=ctx.now())
    return letter


def _draft(ctx: Context, request: RightsRequest) -> AnswerLetter:
    letter = answers.current_draft(ctx.session, request)
    if letter is None:
        raise ValidationFailed("no draft", code="letter_empty")
    return letter


def draft_decision(letter: AnswerLetter, reasons: str = "") -> Decision:
    """The decision a draft was prepared from (its reasons live only in the letter text)."""
    restriction = Restriction.from_json(letter.extra.get("art_23"))
    return Decision(
        outcome=letter.outcome,
        grounds=tuple(letter.grounds or ()),
        reasons=reasons.strip(),
        manifestly=letter.extra.get("manifestly") or None,
        basis=parse_basis(letter.extra.get("basis")),
        review_on=_review_date(letter.extra.get("review_on") or ""),
        scope=restriction.scope if restriction else (),
        prejudicial=restriction.prejudicial if restriction else None,
    )


def find_request(ctx: Context, reference: str) -> RightsRequest:
    found = ctx.session.scalar(select(RightsRequest).where(RightsRequest.reference == reference))
    if found is None:
        raise NotFound(f"no request {reference}", code="not_found")
    return found


def draft_answer(
    ctx: Context,
    reference: str,
    *,
    decision: Decision | None = None,
    reasons: str = "",
    language: str | None = None,
) -> Answer:
    """The letter of request ``reference``: for ``decision`` if given (``ValidationFailed``
    if it does not fit the request), else for the decision of its current draft (checked
    when it was prepared) with ``reasons`` (the letter the case page generated), else a
    "fulfilled" letter. Raises ``NotFound`` for an unknown reference."""
    request = find_request(ctx, reference)
    if decision is not None:
        decision.check(request)
    else:
        letter = answers.current_draft(ctx.session, request)
        if letter is not None:
            decision = draft_decision(letter, reasons)
        else:
            decision = Decision(Outcome.FULFILLED, reasons=reasons.strip())
    return compose_answer(ctx, request, decision, language=language)
