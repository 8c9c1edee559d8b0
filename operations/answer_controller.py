"""What an answer in a controller's name says beyond the usual letter (docs/controllers.md,
"Answers in the controller's name"): that the processor writes on the controller's behalf,
the controller's contact details, what was done per source and what the controller decided
not to do and why, in the letter's language.

A request is answered in the controller's name when it is about a controller's data
(``rights.answers.on_behalf_of``). When the controller answers the subject itself
(``controller_answers``) the processor sends no answer letter at all (P-4).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from operations.texts import N_, Texts
from rights.answers import on_behalf_of
from rights.models.controller import ControllerDecision, DecisionKind
from rights.models.org import Organisation
from rights.models.request import RightsRequest
from rights.models.source import ActionKind, ActionStatus, SourceAction

# Executed actions, one sentence per source. None: the letter already says it per source
# in a section of its own (an erasure under "What we erased", with its tables and records:
# templates/letters/answer.txt), so the letter does not say it twice.
DONE: dict[ActionKind, str | None] = {
    ActionKind.EXPORT: N_("%(source)s: we made a copy of your data."),
    ActionKind.RECTIFY: N_("%(source)s: your data were corrected."),
    ActionKind.ERASE: None,
    ActionKind.RESTRICT: N_("%(source)s: the processing of your data was restricted."),
    ActionKind.LIFT_RESTRICTION: N_("%(source)s: the restriction of processing was lifted."),
    ActionKind.SUPPRESS: N_("%(source)s: you will receive no more marketing."),
    ActionKind.NOTIFY: N_("%(source)s: the recipients of your data were told."),
}
# Actions the controller rejected, one sentence per source.
NOT_DONE: dict[ActionKind, str] = {
    ActionKind.EXPORT: N_("%(source)s: no copy of your data was made."),
    ActionKind.RECTIFY: N_("%(source)s: your data were not corrected."),
    ActionKind.ERASE: N_("%(source)s: your data were not erased."),
    ActionKind.RESTRICT: N_("%(source)s: the processing of your data was not restricted."),
    ActionKind.LIFT_RESTRICTION: N_("%(source)s: the restriction of processing stays."),
    ActionKind.SUPPRESS: N_("%(source)s: you were not added to the list for no marketing."),
    ActionKind.NOTIFY: N_("%(source)s: the recipients of your data were not told."),
}


@dataclass(frozen=True)
class ControllerAnswer:
    """The controller's part of a letter, every text already in the letter's language."""

    name: str
    contact: tuple[str, ...]
    done: tuple[str, ...]
    refused: tuple[tuple[str, str], ...]  # (what was not done, the controller's reason)
    refusal_ground: str  # the controller's REFUSE ground in words, or ""
    refusal_reason: str


def contact_lines(org: Organisation, texts: Texts) -> tuple[str, ...]:
    """The controller's contact details as the subject is given them (only those set)."""
    labelled = (
        (N_("Contact: %(value)s"), org.contact_name),
        (N_("E-mail: %(value)s"), org.contact_email),
        (N_("Telephone: %(value)s"), org.contact_phone),
        (N_("Address: %(value)s"), " ".join(org.address.split())),
        (N_("Website: %(value)s"), org.website),
    )
    return tuple(texts.gettext(label, value=v.strip()) for label, v in labelled if v.strip())


def _actions(session: Session, request: RightsRequest) -> list[SourceAction]:
    return list(
        session.scalars(
            select(SourceAction)
            .where(SourceAction.request_id == request.id)
            .order_by(SourceAction.id)
        )
    )


def _decisions(session: Session, request: RightsRequest) -> list[ControllerDecision]:
    """The request's standing decisions, oldest first (lapsed approvals left out)."""
    return list(
        session.scalars(
            select(ControllerDecision)
            .where(
                ControllerDecision.request_id == request.id,
                ControllerDecision.lapsed_at.is_(None),
            )
            .order_by(ControllerDecision.decided_at, ControllerDecision.id)
        )
    )


def controller_answer(
    session: Session,
    request: RightsRequest,
    texts: Texts,
    ground_label: Callable[[str], str],
) -> ControllerAnswer | None:
    """The controller's part of the letter, or None for the operator's own requests."""
    org = on_behalf_of(request)
    if org is None:
        return None
    decisions = _decisions(session, request)
    verdict: dict[int, ControllerDecision] = {}
    for d in decisions:  # the latest approve/reject of each action counts
        if d.action_id is not None and d.kind in (DecisionKind.APPROVE, DecisionKind.REJECT):
            verdict[d.action_id] = d
    done, refused = [], []
    for action in _actions(session, request):
        source = action.source.name if action.source else org.name
        decision = verdict.get(action.id)
        if action.status is ActionStatus.EXECUTED:
            sentence = DONE[action.kind]
            if sentence is not None:
                done.append(texts.gettext(sentence, source=source))
        elif decision is not None and decision.kind is DecisionKind.REJECT:
            refused.append((texts.gettext(NOT_DONE[action.kind], source=source), decision.reason))
    refusal = next((d for d in reversed(decisions) if d.kind is DecisionKind.REFUSE), None)
    return ControllerAnswer(
        name=org.name,
        contact=contact_lines(org, texts),
        done=tuple(done),
        refused=tuple(refused),
        refusal_ground=ground_label(refusal.ground) if refusal and refusal.ground else "",
        refusal_reason=refusal.reason.strip() if refusal else "",
    )
