"""Words for what the controller portal shows: the details of a request, the operations of
a plan, the decisions, and the refusals of a decision (docs/controllers.md, "The controller
portal"). Codes never reach the page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from portal.public.labels import ERASURE_GROUNDS, RESTRICTION_GROUNDS
from portal.staff import labels as staff
from rights.models.request import RightsRequest
from rights.righttypes import RightType

GROUNDS = staff.GROUNDS
EXTENSION_GROUNDS = staff.EXTENSION_GROUNDS
IDENTITY_STATUS = staff.IDENTITY_STATUS
DETAIL_FIELDS = staff.DETAIL_FIELDS

_VALUES: dict[str, dict[str, Any]] = {
    "scope": {"all": _l("All their data"), "specific": _l("Only certain data")},
    "format": {"json": "JSON", "csv": "CSV", "xlsx": "Excel (XLSX)"},
    "basis": {
        "direct_marketing": _l("Use of my data for advertising (direct marketing)"),
        "particular_situation": _l("Another use, because of my personal situation"),
    },
}
_GROUND_WORDS: dict[RightType, dict[str, Any]] = {
    RightType.ERASURE: ERASURE_GROUNDS,
    RightType.RESTRICTION: RESTRICTION_GROUNDS,
}

OPERATIONS = {
    "delete": _l("Delete the record"),
    "update": _l("Change the record"),
    "restrict": _l("Mark the record as restricted"),
    "read": _l("Copy for the subject"),
    "suppress": _l("Add to the suppression list"),
    "notify": _l("Tell a recipient (Art. 19 GDPR)"),
}

ACTION_KINDS = {
    "export": _l("Copy of the data (access, portability)"),
    "rectify": _l("Rectification"),
    "erase": _l("Erasure"),
    "restrict": _l("Restriction"),
    "lift_restriction": _l("Lifting the restriction"),
    "suppress": _l("No more marketing (suppression list)"),
    "notify": _l("Telling the recipients (Art. 19 GDPR)"),
}

ACTION_STATUS = {
    "prepared": _l("proposed, not carried out"),
    "executed": _l("carried out"),
    "failed": _l("failed; nothing was changed"),
}

DECISIONS = {
    "approve": _l("Approved"),
    "reject": _l("Rejected"),
    "comment": _l("Comment"),
    "ask_identity": _l("Ask the subject for more proof of identity"),
    "extend": _l("Extend the deadline by two months"),
    "refuse": _l("Refuse the request"),
    "answer_ourselves": _l("We answer the subject ourselves"),
}

MATCH_STATUS = {
    "candidate": _l("found; the processor still checks it"),
    "confirmed": _l("confirmed as the subject's"),
}

MATCHED_BY = {
    "email": _l("e-mail address"),
    "phone": _l("phone number"),
    "customer_number": _l("customer number"),
    "address_name": _l("address and name"),
}

ERRORS = {
    "reason_required": _l("Give a reason: the processor and the subject need to know why."),
    "reason_too_long": _l("The reason is too long (at most 2000 characters)."),
    "ground_not_allowed": _l("Choose a refusal ground that applies to this right."),
    "not_designated": _l(
        "Only a designated contact of your organisation may decide on this request."
    ),
    "not_forwarded": _l("This request is not waiting for your decisions."),
    "action_done": _l("This action was already carried out; it can no longer be decided."),
    "not_built": _l("This package was already released or withdrawn; it can no longer be decided."),
    "decision_kind": _l("Choose one of the decisions offered."),
    "request_closed": _l("This request is no longer open."),
}


def error_text(code: str) -> str:
    """The words for a refusal code: the portal's own, else the workspace's."""
    if code in ERRORS:
        return str(ERRORS[code])
    return staff.error_text(code)


def details(request: RightsRequest) -> list[tuple[str, str]]:
    """What the subject asked, field by field, in words."""
    grounds = _GROUND_WORDS.get(request.right, {})
    rows = []
    for key, value in (request.details or {}).items():
        if value in ("", None):
            continue
        words = grounds if key == "ground" else _VALUES.get(key, {})
        rows.append((str(DETAIL_FIELDS.get(key, key)), str(words.get(value, value))))
    return rows
