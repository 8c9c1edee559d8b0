"""The subject's identifiers as the sources are searched for them: normalised, and marked
with which of them were verified (a match on an unverified identifier is shown as such)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rights.identifiers import (
    normalise_customer_number,
    normalise_email,
    normalise_house_number,
    normalise_name,
    normalise_phone,
    normalise_postcode,
)
from rights.models.request import IdentityStatus, RightsRequest

__all__ = ["SubjectKeys", "address_from_text", "subject_keys"]

_POSTCODE_IN_TEXT = re.compile(r"\b([1-9][0-9]{3})\s?([A-Za-z]{2})\b")
_HOUSE_NUMBER_IN_TEXT = re.compile(r"\b([0-9]{1,5})\s?(?:-\s?)?([A-Za-z]{1,2}\b|[0-9]{1,3}\b)?")


@dataclass(frozen=True)
class SubjectKeys:
    """The normalised identifiers of a subject, each with whether it was verified."""

    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    customer_numbers: tuple[str, ...] = ()
    # (normalised name, postcode, house number)
    addresses: tuple[tuple[str, str, str], ...] = ()
    verified: frozenset[str] = frozenset()  # kinds that were verified: email, phone, ...


def address_from_text(text: str) -> tuple[str, str] | None:
    """Postcode and house number from a free-text Dutch address ("Dorpsstraat 1, 1234 AB")."""
    match = _POSTCODE_IN_TEXT.search(text)
    if not match:
        return None
    postcode = normalise_postcode(match.group(0))
    before = text[: match.start()]
    numbers = list(_HOUSE_NUMBER_IN_TEXT.finditer(before))
    if not numbers or postcode is None:
        return None
    house = normalise_house_number(numbers[-1].group(0))
    return (postcode, house) if house else None


def subject_keys(request: RightsRequest) -> SubjectKeys:
    """The request's identifiers, normalised; ``verified`` says which ones were verified."""
    verified: set[str] = set()
    email = normalise_email(request.requester_email or "")
    if email and (
        request.email_verified_at is not None
        or request.identity_status is IdentityStatus.VERIFIED
        or request.identity_status is IdentityStatus.EMAIL_CONFIRMED
    ):
        verified.add("email")
    if request.identity_status is IdentityStatus.VERIFIED:
        verified |= {"phone", "customer_number", "address_name"}
    phone = normalise_phone(request.requester_phone or "")
    number = normalise_customer_number(request.requester_customer_number or "")
    addresses: tuple[tuple[str, str, str], ...] = ()
    name = normalise_name(request.requester_name or "")
    parsed = address_from_text(request.requester_address or "")
    if parsed and name:
        addresses = ((name, parsed[0], parsed[1]),)
    return SubjectKeys(
        emails=(email,) if email else (),
        phones=(phone,) if phone else (),
        customer_numbers=(number,) if number else (),
        addresses=addresses,
        verified=frozenset(verified),
    )
