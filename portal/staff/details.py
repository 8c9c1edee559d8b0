"""What the subject asked and who asks for them, in words, for the case page: the details
of the request (the controller portal's words, portal/controller/labels.py) and the
representative's details (no raw keys or codes; docs/architecture.md, "Texts and labels")."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from portal.controller.labels import details
from rights.models.request import RightsRequest

__all__ = ["details", "representative"]

FIELDS = {
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "phone": _l("Phone number"),
    "relationship": _l("Relationship to the subject"),
    "subject_email": _l("The subject's own e-mail address"),
    "child_age": _l("Age of the child"),
}
VALUES: dict[str, dict[str, Any]] = {
    "relationship": {
        "parent": _l("Parent with parental authority"),
        "guardian": _l("Guardian, curator or mentor"),
        "lawyer": _l("Lawyer"),
        "mandate": _l("Acts with a written mandate"),
    },
    "child_age": {
        "young": _l("younger than the age at which the child's view is weighed"),
        "review": _l("old enough for the child's interests to be weighed"),
        "own": _l("old enough to make the request alone"),
    },
}


def representative(request: RightsRequest) -> list[tuple[str, str]]:
    """The representative's details, field by field, in words (empty: nobody represents)."""
    rows = []
    for key, value in (request.representative or {}).items():
        if value in ("", None) or key not in FIELDS:
            continue
        words = VALUES.get(key, {})
        rows.append((str(FIELDS[key]), str(words.get(value, value))))
    return rows
