"""What happens the moment a request arrives, before anyone confirms or reads it.

* **Objection to direct marketing** (Art. 21(2)-(3)) and **withdrawal of consent**
  (Art. 7(3)) take effect on receipt (docs/legal.md, "On receipt"): the identifiers the request
  gives are put on the suppression list of the responsible organisation in the same
  transaction, without any identity step. When the subject did not know the organisation,
  the operator's list is used and the request is flagged so the officer finds the
  controller. Applying it twice (double submit, a second request, an entry that already
  exists) adds nothing.
* **A parent acting for a child** (docs/legal.md, "Representatives and minors"; thresholds
  in ``Policy``): a child from ``minor_review_from_age`` up to ``minor_self_from_age`` sends
  the request to manual review with the child's interests in mind; from
  ``minor_self_from_age`` the child acts personally, so the parent needs the child's own
  mandate.

Audit data holds codes and counts only, never an identifier or its hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from rights import audit
from rights.audit import Actor
from rights.errors import ValidationFailed
from rights.identifiers import (
    address_key,
    identifier_hash,
    normalise_customer_number,
    normalise_email,
    normalise_phone,
)
from rights.models.org import Organisation, OrganisationKind
from rights.models.request import RightsRequest
from rights.models.source import SuppressionEntry
from rights.policy import Policy
from rights.righttypes import RightType

# The postcode-and-house-number reader the data sources use for a free-text address.
from rights.sources.subject import address_from_text

__all__ = [
    "CHILD_AGE_BANDS",
    "FLAG_MINOR_REVIEW",
    "FLAG_NO_IDENTIFIER",
    "FLAG_OPERATOR_LIST",
    "MANDATE_REQUIRED",
    "Receipt",
    "check_mandate",
    "check_minor",
    "on_receipt",
    "receipt_identifiers",
    "suppression_reason",
]

FLAG_MINOR_REVIEW = "minor_review"
FLAG_OPERATOR_LIST = "suppressed_on_operator_list"
FLAG_NO_IDENTIFIER = "suppression_without_identifier"

# A parent says how old the child is, in bands set by ``Policy`` (docs/legal.md, "Representatives
# and minors"): "young" below minor_review_from_age, "review" up to minor_self_from_age, "own" from
# there.
CHILD_AGE_BANDS = ("young", "review", "own")

# docs/legal.md, "Representatives and minors": a guardian's proof of appointment, or the written
# mandate, comes with the request (a parent's authority is checked by the minor rules, a lawyer's by
# the officer).
MANDATE_REQUIRED = frozenset({"guardian", "mandate"})


@dataclass(frozen=True)
class Receipt:
    """What ``on_receipt`` did: ``marketing_stopped`` when a suppression applies now."""

    marketing_stopped: bool = False
    added: int = 0
    flags: tuple[str, ...] = ()


def suppression_reason(request: RightsRequest) -> str | None:
    """``"objection"`` or ``"consent_withdrawn"`` when the request takes effect on receipt."""
    if request.right is RightType.OBJECTION:
        basis = (request.details or {}).get("basis", "direct_marketing")
        return "objection" if basis == "direct_marketing" else None
    if request.right is RightType.WITHDRAW_CONSENT:
        return "consent_withdrawn"
    return None


def receipt_identifiers(request: RightsRequest) -> list[tuple[str, str]]:
    """The data subject's identifiers on the request, normalised, as ``(kind, value)``.

    Someone acting for another person gives their own e-mail address and phone number to be
    contacted; only the subject's e-mail address (if given), customer number and address
    identify the person whose marketing stops.
    """
    representative = request.representative or {}
    values: list[tuple[str, str | None]] = []
    if representative:
        values.append(("email", normalise_email(str(representative.get("subject_email", "")))))
    else:
        values.append(("email", normalise_email(request.requester_email or "")))
        values.append(("phone", normalise_phone(request.requester_phone or "")))
    values.append(
        ("customer_number", normalise_customer_number(request.requester_customer_number or ""))
    )
    parsed = address_from_text(request.requester_address or "")
    if parsed is not None:
        values.append(("address", address_key(*parsed)))
    return [(kind, value) for kind, value in values if value]


def _operator(session: Session) -> Organisation | None:
    return session.scalar(
        select(Organisation).where(Organisation.kind == OrganisationKind.OPERATOR).limit(1)
    )


def _flag(request: RightsRequest, flag: str) -> None:
    flags = list(request.review_flags or [])
    if flag not in flags:
        request.review_flags = [*flags, flag]


def _suppress(
    session: Session,
    request: RightsRequest,
    reason: str,
    *,
    hash_key: bytes,
    actor: Actor,
    now: datetime,
) -> int:
    organisation_id = request.organisation_id
    if organisation_id is None:
        operator = _operator(session)
        organisation_id = operator.id if operator is not None else None
        _flag(request, FLAG_OPERATOR_LIST)
    identifiers = receipt_identifiers(request)
    hashes = sorted({identifier_hash(hash_key, kind, value) for kind, value in identifiers})
    if not hashes or organisation_id is None:
        _flag(request, FLAG_NO_IDENTIFIER)
    added = 0
    if organisation_id is not None and hashes:
        existing = set(
            session.scalars(
                select(SuppressionEntry.identifier_hash).where(
                    SuppressionEntry.organisation_id == organisation_id,
                    SuppressionEntry.identifier_hash.in_(hashes),
                )
            )
        )
        for value in hashes:
            if value in existing:
                continue
            # A parallel request for the same person may insert the same entry first; the
            # savepoint keeps that from undoing this request.
            savepoint = session.begin_nested()
            session.add(
                SuppressionEntry(
                    organisation_id=organisation_id,
                    identifier_hash=value,
                    reason=reason,
                    request_id=request.id,
                    created_at=now,
                )
            )
            try:
                session.flush()
            except IntegrityError:
                savepoint.rollback()
                continue
            savepoint.commit()
            added += 1
    audit.record(
        session,
        "suppression.applied_on_receipt",
        actor=actor,
        now=now,
        request_id=request.id,
        object_type="organisation",
        object_id=organisation_id,
        data={
            "reason": reason,
            "kinds": sorted({kind for kind, _ in identifiers}),
            "added": added,
            "already_listed": len(hashes) - added if organisation_id is not None else 0,
            "controller_known": request.organisation_id is not None,
        },
    )
    return added


def check_mandate(representative: dict[str, Any] | None, *, has_mandate: bool) -> None:
    """A guardian or someone acting on a written mandate sends that document with the
    request. Raises ``ValidationFailed`` (``mandate_missing``)."""
    relationship = (representative or {}).get("relationship")
    if relationship in MANDATE_REQUIRED and not has_mandate:
        raise ValidationFailed("the mandate is needed", code="mandate_missing")


def check_minor(representative: dict[str, Any] | None, *, has_mandate: bool) -> None:
    """A parent must say the child's age band; from the self-acting age the child's own
    mandate must come with the request. Raises ``ValidationFailed``."""
    if not representative or representative.get("relationship") != "parent":
        return
    band = representative.get("child_age")
    if band not in CHILD_AGE_BANDS:
        raise ValidationFailed("say how old the child is", code="child_age_missing")
    if band == "own" and not has_mandate:
        raise ValidationFailed("the child's own mandate is needed", code="minor_mandate_missing")


def on_receipt(
    session: Session,
    request: RightsRequest,
    *,
    hash_key: bytes | None,
    actor: Actor,
    now: datetime,
    policy: Policy,
) -> Receipt:
    """Apply what takes effect on receipt (flushes, audits). Safe to call twice.

    Without ``hash_key`` no suppression entry can be made (callers that file requests must
    pass it; only tests and demo data leave it out)."""
    added = 0
    stopped = False
    reason = suppression_reason(request)
    if reason is not None and hash_key is not None:
        added = _suppress(session, request, reason, hash_key=hash_key, actor=actor, now=now)
        stopped = True
    representative = request.representative or {}
    review = (
        representative.get("relationship") == "parent"
        and representative.get("child_age") == "review"
        and FLAG_MINOR_REVIEW not in (request.review_flags or [])
    )
    if review:
        _flag(request, FLAG_MINOR_REVIEW)
        audit.record(
            session,
            "request.minor_review",
            actor=actor,
            now=now,
            request_id=request.id,
            data={
                "from_age": policy.minor_review_from_age,
                "until_age": policy.minor_self_from_age,
            },
        )
    session.flush()
    return Receipt(marketing_stopped=stopped, added=added, flags=tuple(request.review_flags or ()))
