"""Instructions from the controller (docs/controllers.md, "Results back to the controller"):
a designated contact files a request they received themselves, naming the actions the
processor is to carry out. The instruction is the approval for the actions it names
(``rights.controllers.approvals.is_approved``); any other action still needs an approval.
The controller vouches for the subject's identity, which is recorded as a verified check
with method ``controller_instruction``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.controllers.authority import is_designated, owner_of_action
from rights.errors import PermissionDenied, ValidationFailed
from rights.models.api import ApiKey, OpenDsrSubmission
from rights.models.casework import CaseNote, IdentityCheck
from rights.models.org import Organisation, OrganisationKind, User
from rights.models.request import IdentityStatus, RightsRequest
from rights.models.source import ActionKind, SourceAction
from rights.righttypes import RightType

__all__ = [
    "INSTRUCTABLE",
    "VOUCHED",
    "check_actions",
    "check_contact",
    "is_instruction",
    "record_instruction",
    "record_system_instruction",
]

MAX_NOTE = 5_000
VOUCHED = "controller_instruction"  # the identity method of an instruction

# What a contact may instruct for each right: the actions that fulfil it.
INSTRUCTABLE: Mapping[RightType, tuple[ActionKind, ...]] = {
    RightType.ACCESS: (ActionKind.EXPORT,),
    RightType.PORTABILITY: (ActionKind.EXPORT,),
    RightType.RECTIFICATION: (ActionKind.RECTIFY, ActionKind.NOTIFY),
    RightType.ERASURE: (ActionKind.ERASE, ActionKind.NOTIFY),
    RightType.RESTRICTION: (ActionKind.RESTRICT, ActionKind.LIFT_RESTRICTION, ActionKind.NOTIFY),
    RightType.OBJECTION: (ActionKind.SUPPRESS, ActionKind.ERASE),
    RightType.WITHDRAW_CONSENT: (ActionKind.SUPPRESS, ActionKind.ERASE),
}


def check_contact(contact: User) -> int:
    """The controller a designated, active contact instructs for (``PermissionDenied``
    ``not_designated`` for anyone else)."""
    organisation = contact.organisation
    if (
        organisation is None
        or organisation.kind is not OrganisationKind.CONTROLLER
        or not is_designated(contact, organisation)
    ):
        raise PermissionDenied("only designated contacts instruct", code="not_designated")
    return organisation.id


def check_actions(right: RightType, actions: Collection[str]) -> list[str]:
    """The instructed action kinds, each allowed for ``right``, in the registry's order."""
    allowed = INSTRUCTABLE[right]
    unknown = set(actions) - {kind.value for kind in allowed}
    if unknown or not actions:
        raise ValidationFailed("choose the actions this right allows", code="instructed_actions")
    return [kind.value for kind in allowed if kind.value in actions]


def is_instruction(request: RightsRequest) -> bool:
    """Whether the request is a controller's instruction: filed by a designated contact, or
    sent by the controller's own system over the machine API (docs/api.md). Both set
    ``instructed_actions``; only the contact's sets ``instructed_by_id``."""
    return request.instructed_actions is not None


@dataclass(frozen=True)
class Instruction:
    """Who gave a controller's instruction: a designated contact (``contact_id``) or the
    controller's system over the API (``api_key_prefix``, never the key)."""

    organisation_id: int
    contact_id: int | None = None
    api_key_id: int | None = None
    api_key_prefix: str = ""

    @property
    def via(self) -> str:
        return "contact" if self.contact_id is not None else "api"

    def audit_data(self) -> dict[str, object]:
        """What the audit events say of it (ids and the key's prefix only)."""
        return {
            "instructed_via": self.via,
            "instructed_by": self.contact_id,
            "instructed_organisation_id": self.organisation_id,
            "api_key_prefix": self.api_key_prefix or None,
        }


def instruction_of(
    session: Session, request: RightsRequest, owner: Organisation
) -> Instruction | None:
    """The instruction ``request`` is of ``owner``: filed by one of its contacts, or sent
    with one of its API keys (docs/api.md); ``None`` for any other request."""
    if request.instructed_actions is None:
        return None
    if request.instructed_by_id is not None:  # filed by a contact of the owner
        instructor = session.get(User, request.instructed_by_id)
        if instructor is None or instructor.organisation_id != owner.id:
            return None
        return Instruction(owner.id, contact_id=instructor.id)
    sub = OpenDsrSubmission
    row = session.execute(
        select(sub.api_key_id, ApiKey.prefix)
        .outerjoin(ApiKey, ApiKey.id == sub.api_key_id)
        .where(sub.request_id == request.id, sub.organisation_id == owner.id)
        .limit(1)
    ).first()
    if row is None:
        return None
    return Instruction(owner.id, api_key_id=row[0], api_key_prefix=row[1] or "")


def action_instruction(session: Session, action: SourceAction) -> Instruction | None:
    """The instruction of the action's owner that names the action's kind, and so
    authorises it (``rights.controllers.approvals.is_approved``); ``None`` otherwise."""
    owner = owner_of_action(session, action)
    request = session.get(RightsRequest, action.request_id)
    if owner is None or request is None or request.instructed_actions is None:
        return None
    if action.kind.value not in request.instructed_actions:
        return None
    return instruction_of(session, request, owner)


def _vouch(
    session: Session,
    request: RightsRequest,
    actions: list[str],
    *,
    actor: Actor,
    contact_id: int | None,
    now: datetime,
    data: dict[str, object],
) -> None:
    request.instructed_by_id = contact_id
    request.instructed_actions = list(actions)
    request.identity_status = IdentityStatus.VERIFIED
    request.updated_at = now
    check = IdentityCheck(
        request_id=request.id,
        method=VOUCHED,
        result="verified",
        note="",
        checked_by_id=contact_id,
        checked_at=now,
    )
    session.add(check)
    session.flush()
    audit.record(
        session,
        "request.instructed",
        actor=actor,
        now=now,
        request_id=request.id,
        data={"organisation_id": request.organisation_id, "actions": list(actions), **data},
    )
    audit.record(
        session,
        "identity.verified",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="identity_check",
        object_id=check.id,
        data={"method": VOUCHED, "id_documents_deleted": 0},
    )


def record_system_instruction(
    session: Session, request: RightsRequest, actions: list[str], *, actor: Actor, now: datetime
) -> None:
    """Mark a just-registered request as the instruction of the controller's system (an
    OpenDSR submission made with the controller's API key, ``actor``): the identity is
    vouched for by the controller, the actions it names need no further approval."""
    _vouch(
        session, request, actions, actor=actor, contact_id=None, now=now, data={"channel": "api"}
    )


def record_instruction(
    session: Session,
    request: RightsRequest,
    contact: User,
    actions: list[str],
    *,
    now: datetime,
    note: str = "",
) -> None:
    """Mark a just-registered request as the contact's instruction, its identity vouched
    for by the controller (flushes, audits)."""
    if note.strip():
        # What the contact wrote: an internal note of the case, never shown to the subject.
        session.add(
            CaseNote(
                request_id=request.id,
                kind="instruction",
                body=note.replace("\x00", "").strip()[:MAX_NOTE],
                author_id=contact.id,
                created_at=now,
            )
        )
    _vouch(
        session, request, actions, actor=Actor.user(contact.id), contact_id=contact.id,
        now=now, data={},
    )  # fmt: skip
